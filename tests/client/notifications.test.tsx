import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { router } from './__mocks__/taro';
import type { Task } from '@pioneer/shared';
import DrawPanel from '@/components/DrawPanel';
import WaitlistButton from '@/components/WaitlistButton';
import WaitlistPanel from '@/components/WaitlistPanel';
import Messages from '@/pages/messages';
import Mine from '@/pages/mine';
import WhistleDetailPage from '@/pages/whistle-detail';
import WhistleNew from '@/pages/whistle-new';
import NotifySettings from '@/pages/notify-settings';
import { askSubscribe, setSubscribeTemplates, SUBSCRIBE_ON } from '@/services/notifications';
import { clearSession, saveSession } from '@/services/session';
import { fullTask as fullTaskAt } from './task-fixture';

const mockRequest = Taro.request as unknown as jest.Mock;
const mockSubscribe = Taro.requestSubscribeMessage as unknown as jest.Mock;
const USER = { id: '11111111-1111-4111-8111-111111111111', roles: [], memberId: '22222222-2222-4222-8222-222222222222' };
const reply = (statusCode: number, data: unknown) => ({ statusCode, data, header: {} });

const message = (n: number, read: boolean) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  kind: 'claim_result',
  title: `抢岗成功${n}`,
  body: `您已抢到「岗位${n}」的名额`,
  taskId: '33333333-3333-4333-8333-333333333333',
  createdAt: '2026-12-01T08:00:00.000Z',
  readAt: read ? '2026-12-01T09:00:00.000Z' : null,
});

beforeEach(() => {
  mockRequest.mockReset();
  mockSubscribe.mockReset();
  (Taro.navigateTo as jest.Mock).mockClear();
  clearSession();
  saveSession({ token: 'jwt', expiresIn: 3600, user: USER });
});

describe('askSubscribe (the 抢/候补/报名 tap)', () => {
  it('asks WeChat in the tap itself, for configured templates only, and reports the answers by key', async () => {
    setSubscribeTemplates({ claim_result: 'TPL_CLAIM', task_reminder: 'TPL_REMIND' });
    mockSubscribe.mockResolvedValueOnce({ errMsg: 'requestSubscribeMessage:ok', TPL_CLAIM: 'accept', TPL_REMIND: 'reject' });
    mockRequest.mockResolvedValueOnce(reply(200, { credits: { claim_result: 1, task_reminder: 0 } }));
    const done = askSubscribe(SUBSCRIBE_ON.grab);
    // Synchronously, before anything was awaited: WeChat refuses a request that is not from a tap.
    expect(mockSubscribe).toHaveBeenCalledTimes(1);
    expect(mockSubscribe.mock.calls[0][0].tmplIds).toEqual(['TPL_CLAIM', 'TPL_REMIND']);
    await done;
    expect(mockRequest).toHaveBeenCalledTimes(1);
    expect(mockRequest.mock.calls[0][0]).toMatchObject({
      url: '/api/v1/me/subscriptions',
      method: 'POST',
      data: { results: { claim_result: 'accept', task_reminder: 'reject' } },
    });
  });

  it('asks nothing without template ids, and never throws when WeChat fails', async () => {
    setSubscribeTemplates({});
    await askSubscribe(SUBSCRIBE_ON.waitlist);
    expect(mockSubscribe).not.toHaveBeenCalled();
    setSubscribeTemplates({ waitlist_offer: 'TPL_OFFER' });
    mockSubscribe.mockRejectedValueOnce({ errMsg: 'requestSubscribeMessage:fail can only be invoked by user TAP gesture.' });
    await expect(askSubscribe(SUBSCRIBE_ON.waitlist)).resolves.toBeUndefined();
    expect(mockRequest).not.toHaveBeenCalled();
  });
});

describe('the taps that ask', () => {
  const TASK_ID = '33333333-3333-4333-8333-333333333333';
  const soon = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
  const fullTask = (over: Partial<Task> = {}): Task => fullTaskAt(Date.now(), { id: TASK_ID, ...over });
  const TEMPLATES = { claim_result: 'TPL_CLAIM', waitlist_offer: 'TPL_OFFER', task_reminder: 'TPL_REMIND', task_changed: 'TPL_CHANGED' };

  /** The tap asked WeChat before its own request went out, and reported the answer. */
  async function expectAskedFirst(tmplIds: string[], results: Record<string, string>) {
    expect(mockSubscribe).toHaveBeenCalledTimes(1);
    expect(mockSubscribe.mock.calls[0][0].tmplIds).toEqual(tmplIds);
    expect(mockSubscribe.mock.invocationCallOrder[0]).toBeLessThan(mockRequest.mock.invocationCallOrder[0]);
    await waitFor(() => expect(mockRequest.mock.calls.some((c) => c[0].url === '/api/v1/me/subscriptions')).toBe(true));
    const report = mockRequest.mock.calls.find((c) => c[0].url === '/api/v1/me/subscriptions')!;
    expect(report[0]).toMatchObject({ method: 'POST', data: { results } });
  }

  beforeEach(() => {
    setSubscribeTemplates(TEMPLATES);
    mockSubscribe.mockResolvedValue({
      errMsg: 'requestSubscribeMessage:ok',
      TPL_OFFER: 'accept',
      TPL_CLAIM: 'accept',
      TPL_REMIND: 'reject',
      TPL_CHANGED: 'accept',
    });
  });

  it('候补 on the post page and on a card ask for the offer, the result and the reminder', async () => {
    mockRequest.mockImplementation(async (opts: { url: string }) =>
      opts.url === '/api/v1/me/subscriptions'
        ? reply(200, { credits: { waitlist_offer: 1 } })
        : reply(201, { entry: { taskId: TASK_ID, position: 2, status: 'waiting', offerExpiresAt: null } }),
    );
    render(<WaitlistPanel task={fullTask()} myWaitlist={null} onChanged={jest.fn()} />);
    await act(async () => {
      fireEvent.click(screen.getByText('加入候补'));
    });
    await expectAskedFirst(['TPL_OFFER', 'TPL_CLAIM', 'TPL_REMIND'], {
      waitlist_offer: 'accept',
      claim_result: 'accept',
      task_reminder: 'reject',
    });

    cleanup();
    mockSubscribe.mockClear();
    mockRequest.mockClear();
    render(<WaitlistButton task={fullTask()} />);
    await act(async () => {
      fireEvent.click(screen.getByText('候补'));
    });
    await expectAskedFirst(['TPL_OFFER', 'TPL_CLAIM', 'TPL_REMIND'], {
      waitlist_offer: 'accept',
      claim_result: 'accept',
      task_reminder: 'reject',
    });
  });

  it('accepting an offer asks as a grab does', async () => {
    mockRequest.mockImplementation(async (opts: { url: string }) =>
      opts.url === '/api/v1/me/subscriptions'
        ? reply(200, { credits: { claim_result: 1 } })
        : reply(500, { code: 'INTERNAL', message: 'x', requestId: 'r' }),
    );
    const offer = { position: null, status: 'offered' as const, offerExpiresAt: soon(0.5) };
    render(<WaitlistPanel task={fullTask()} myWaitlist={offer} onChanged={jest.fn()} />);
    await act(async () => {
      fireEvent.click(screen.getByText('接受'));
    });
    await expectAskedFirst(['TPL_CLAIM', 'TPL_REMIND', 'TPL_CHANGED'], {
      claim_result: 'accept',
      task_reminder: 'reject',
      task_changed: 'accept',
    });
  });

  it('报名抽签 asks for the draw result', async () => {
    mockRequest.mockImplementation(async (opts: { url: string }) =>
      opts.url === '/api/v1/me/subscriptions'
        ? reply(200, { credits: { claim_result: 1 } })
        : reply(201, { entry: { taskId: TASK_ID, status: 'entered', ticket: '0123456789abcdef' } }),
    );
    const draw = fullTask({
      allocation: 'draw',
      drawAt: soon(1),
      drawCommitment: 'a'.repeat(64),
      claimed: 0,
      remaining: 2,
      filledAt: null,
      waitlisted: 0,
    });
    render(<DrawPanel task={draw} memberId={USER.memberId} myEntry={null} onChanged={jest.fn()} />);
    await act(async () => {
      fireEvent.click(screen.getByText('报名抽签'));
    });
    await expectAskedFirst(['TPL_CLAIM', 'TPL_REMIND', 'TPL_CHANGED'], {
      claim_result: 'accept',
      task_reminder: 'reject',
      task_changed: 'accept',
    });
  });
});

describe('消息 page', () => {
  it('lists messages with the unread count and a badge, and reading one marks it read and opens its post', async () => {
    mockRequest.mockImplementation(async (opts: { url: string; method: string; data?: { ids?: string[] } }) => {
      if (opts.url.startsWith('/api/v1/me/messages/unread')) return reply(200, { unread: 2 });
      if (opts.url.startsWith('/api/v1/me/messages/read')) return reply(200, { unread: 1 });
      if (opts.url.startsWith('/api/v1/me/messages'))
        return reply(200, { items: [message(1, false), message(2, false), message(3, true)], unread: 2, nextCursor: null });
      return reply(404, { code: 'NOT_FOUND', message: '内容不存在或已删除', requestId: 'r' });
    });
    render(<Messages />);
    expect(await screen.findByText('抢岗成功1')).toBeInTheDocument();
    expect(screen.getByText('消息（2条未读）')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('2条未读消息')).toBeInTheDocument());

    await act(async () => {
      fireEvent.click(screen.getByText('您已抢到「岗位1」的名额'));
    });
    await waitFor(() => expect(screen.getByText('消息（1条未读）')).toBeInTheDocument());
    const readCall = mockRequest.mock.calls.find((c) => c[0].url === '/api/v1/me/messages/read');
    expect(readCall![0].data).toEqual({ ids: [message(1, false).id] });
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/task-detail/index?id=33333333-3333-4333-8333-333333333333' });
    expect(screen.getByLabelText('1条未读消息')).toBeInTheDocument();
  });

  it('a whistle update opens its whistle', async () => {
    const whistleId = '66666666-6666-4666-8666-666666666666';
    const update = {
      ...message(4, false),
      kind: 'whistle_update',
      title: '吹哨报到：已反馈',
      body: '「加装电梯」市住建局机关党委已反馈。',
      taskId: undefined,
      whistleId,
    };
    mockRequest.mockImplementation(async (opts: { url: string }) => {
      if (opts.url.startsWith('/api/v1/me/messages/unread')) return reply(200, { unread: 1 });
      if (opts.url.startsWith('/api/v1/me/messages/read')) return reply(200, { unread: 0 });
      if (opts.url.startsWith('/api/v1/me/messages')) return reply(200, { items: [update], unread: 1, nextCursor: null });
      return reply(404, { code: 'NOT_FOUND', message: '内容不存在或已删除', requestId: 'r' });
    });
    render(<Messages />);
    const item = await screen.findByText('「加装电梯」市住建局机关党委已反馈。');
    await act(async () => {
      fireEvent.click(item);
    });
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/whistle-detail/index?id=${whistleId}` });
  });

  it('says so when there is nothing yet', async () => {
    mockRequest.mockImplementation(async (opts: { url: string }) =>
      opts.url.startsWith('/api/v1/me/messages/unread')
        ? reply(200, { unread: 0 })
        : reply(200, { items: [], unread: 0, nextCursor: null }),
    );
    render(<Messages />);
    expect(await screen.findByText(/暂无消息/)).toBeInTheDocument();
  });
});

describe('提醒设置 (with 添加到日历)', () => {
  it('loads the preferences, saves the chosen categories and reminder times, and copies the calendar link', async () => {
    const calendar = 'https://pioneer.example/api/v1/calendar/' + 'A'.repeat(43) + '.ics';
    mockRequest.mockImplementation(async (opts: { url: string; method: string; data?: unknown }) => {
      if (opts.url === '/api/v1/members/me/preferences' && opts.method === 'PUT') return reply(200, { preferences: opts.data });
      if (opts.url === '/api/v1/members/me/preferences')
        return reply(200, { preferences: { followCategories: ['care'], remindBeforeMinutes: [1440, 120] } });
      if (opts.url === '/api/v1/members/me/calendar-url') return reply(200, { url: calendar });
      return reply(404, { code: 'NOT_FOUND', message: '内容不存在或已删除', requestId: 'r' });
    });
    render(<NotifySettings />);
    await waitFor(() => expect(screen.getByText('提前1天').getAttribute('data-on')).toBe('true'));
    expect(screen.getByText('提前2小时').getAttribute('data-on')).toBe('true');

    await act(async () => {
      fireEvent.click(screen.getByText('提前2小时'));
      fireEvent.click(screen.getByText('提前30分钟'));
    });
    await act(async () => {
      fireEvent.click(screen.getByText('保存设置'));
    });
    const put = mockRequest.mock.calls.find((c) => c[0].method === 'PUT');
    expect(put![0]).toMatchObject({
      url: '/api/v1/members/me/preferences',
      data: { followCategories: ['care'], remindBeforeMinutes: [1440, 30] },
    });

    await act(async () => {
      fireEvent.click(screen.getByText('复制日历链接'));
    });
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: calendar });
    expect(screen.getByText(calendar)).toBeInTheDocument();
  });
});

describe('我的', () => {
  it('leads a registered member to 提醒设置 and 添加到日历', async () => {
    mockRequest.mockImplementation(async () => reply(404, { code: 'NOT_FOUND', message: '内容不存在或已删除', requestId: 'r' }));
    render(<Mine />);
    expect(await screen.findByText('消息与提醒')).toBeInTheDocument();
    for (const label of ['提醒设置', '添加到日历']) {
      (Taro.navigateTo as jest.Mock).mockClear();
      fireEvent.click(screen.getByText(label));
      expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/pages/notify-settings/index' });
    }
  });
});

describe('吹哨 steps by a unit', () => {
  it('签收 asks the liaison for whistle updates inside the tap', async () => {
    const UNIT = '55555555-5555-4555-8555-555555555555';
    const WHISTLE = '66666666-6666-4666-8666-666666666666';
    const at = '2026-12-01T08:00:00.000Z';
    const due = '2026-12-08T08:00:00.000Z';
    const assignment = { orgId: UNIT, orgName: '市住建局机关党委', part: 'lead', status: 'pending', dueAt: due, overdue: false };
    const detail = (status: string) => ({
      whistle: {
        id: WHISTLE,
        title: '老旧小区加装电梯协调',
        description: '请住建局牵头协调',
        category: 'convenience',
        location: '清和坊3号楼',
        dueAt: due,
        status: 'open',
        raisedBy: { kind: 'community', id: '77777777-7777-4777-8777-777777777777', name: '清和坊社区' },
        districtId: '88888888-8888-4888-8888-888888888888',
        satisfaction: null,
        ratingNote: null,
        createdAt: at,
        answeredAt: null,
        verifiedAt: null,
        closedAt: null,
        ratedAt: null,
        overdue: false,
        assignments: [{ ...assignment, status }],
      },
      assignments: [
        {
          ...assignment,
          status,
          assignedAt: at,
          signedAt: status === 'signed' ? at : null,
          answeredAt: null,
          returnedAt: null,
          answerText: null,
          returnReason: null,
          taskIds: [],
          extensions: [],
        },
      ],
      events: [],
      tasks: [],
    });
    saveSession({ token: 'jwt', expiresIn: 3600, user: { id: USER.id, roles: [{ role: 'unit_liaison', orgId: UNIT }], memberId: null } });
    router.params = { id: WHISTLE };
    setSubscribeTemplates({ whistle_update: 'TPL_WHISTLE' });
    mockSubscribe.mockResolvedValue({ errMsg: 'requestSubscribeMessage:ok', TPL_WHISTLE: 'accept' });
    mockRequest.mockImplementation(async (opts: { url: string; method: string }) => {
      if (opts.url === '/api/v1/me/subscriptions') return reply(200, { credits: { whistle_update: 1 } });
      if (opts.url.endsWith('/sign')) return reply(200, detail('signed'));
      if (opts.url.startsWith(`/api/v1/whistles/${WHISTLE}`)) return reply(200, detail('pending'));
      return reply(404, { code: 'NOT_FOUND', message: '内容不存在或已删除', requestId: 'r' });
    });
    try {
      render(<WhistleDetailPage />);
      const sign = await screen.findByText('签收');
      mockRequest.mockClear();
      await act(async () => {
        fireEvent.click(sign);
      });
      expect(mockSubscribe).toHaveBeenCalledTimes(1);
      expect(mockSubscribe.mock.calls[0][0].tmplIds).toEqual(['TPL_WHISTLE']);
      expect(mockSubscribe.mock.invocationCallOrder[0]).toBeLessThan(mockRequest.mock.invocationCallOrder[0]);
      await waitFor(() =>
        expect(mockRequest.mock.calls.find((c) => c[0].url === '/api/v1/me/subscriptions')?.[0]).toMatchObject({
          data: { results: { whistle_update: 'accept' } },
        }),
      );
      expect(mockRequest.mock.calls.some((c) => c[0].url === `/api/v1/whistles/${WHISTLE}/assignments/${UNIT}/sign`)).toBe(true);
    } finally {
      router.params = {};
    }
  });
});

describe('吹哨 taps by the raiser', () => {
  const COMMUNITY = '77777777-7777-4777-8777-777777777777';
  const DISTRICT = '88888888-8888-4888-8888-888888888888';
  const UNIT = '55555555-5555-4555-8555-555555555555';
  const WHISTLE = '66666666-6666-4666-8666-666666666666';
  const at = '2026-12-01T08:00:00.000Z';
  const due = '2026-12-08T08:00:00.000Z';
  const detail = (status: string) => {
    const a = { orgId: UNIT, orgName: '市住建局机关党委', part: 'lead', status: 'answered', dueAt: due, overdue: false };
    return {
      whistle: {
        id: WHISTLE,
        title: '老旧小区加装电梯协调',
        description: '请住建局牵头协调',
        category: 'convenience',
        location: '清和坊3号楼',
        dueAt: due,
        status,
        raisedBy: { kind: 'community', id: COMMUNITY, name: '清和坊社区' },
        districtId: DISTRICT,
        satisfaction: null,
        ratingNote: null,
        createdAt: at,
        answeredAt: at,
        verifiedAt: status === 'verified' ? at : null,
        closedAt: null,
        ratedAt: null,
        overdue: false,
        assignments: [a],
      },
      assignments: [
        {
          ...a,
          assignedAt: at,
          signedAt: at,
          answeredAt: at,
          returnedAt: null,
          answerText: '已协调完毕',
          returnReason: null,
          taskIds: [],
          extensions: [],
        },
      ],
      events: [],
      tasks: [],
    };
  };

  beforeEach(() => {
    saveSession({ token: 'jwt', expiresIn: 3600, user: { id: USER.id, roles: [{ role: 'secretary', orgId: COMMUNITY }], memberId: null } });
    setSubscribeTemplates({ whistle_update: 'TPL_WHISTLE' });
    mockSubscribe.mockResolvedValue({ errMsg: 'requestSubscribeMessage:ok', TPL_WHISTLE: 'accept' });
  });

  const subscribed = () =>
    waitFor(() =>
      expect(mockRequest.mock.calls.find((c) => c[0].url === '/api/v1/me/subscriptions')?.[0]).toMatchObject({
        method: 'POST',
        data: { results: { whistle_update: 'accept' } },
      }),
    );

  it('核查 and 办结 ask the secretary for whistle updates inside the tap, before the request', async () => {
    router.params = { id: WHISTLE };
    mockRequest.mockImplementation(async (opts: { url: string }) => {
      if (opts.url === '/api/v1/me/subscriptions') return reply(200, { credits: { whistle_update: 1 } });
      if (opts.url.endsWith('/verify')) return reply(200, detail('verified'));
      if (opts.url.endsWith('/close')) return reply(200, detail('closed'));
      if (opts.url === `/api/v1/whistles/${WHISTLE}`) return reply(200, detail('answered'));
      return reply(404, { code: 'NOT_FOUND', message: '内容不存在或已删除', requestId: 'r' });
    });
    try {
      render(<WhistleDetailPage />);
      const verify = await screen.findByText('核查属实');
      mockRequest.mockClear();
      await act(async () => {
        fireEvent.click(verify);
      });
      expect(mockSubscribe).toHaveBeenCalledTimes(1);
      expect(mockSubscribe.mock.calls[0][0].tmplIds).toEqual(['TPL_WHISTLE']);
      expect(mockSubscribe.mock.invocationCallOrder[0]).toBeLessThan(mockRequest.mock.invocationCallOrder[0]);
      await subscribed();
      expect(mockRequest.mock.calls.some((c) => c[0].url === `/api/v1/whistles/${WHISTLE}/verify`)).toBe(true);

      const close = await screen.findByText('办结');
      await act(async () => {
        fireEvent.click(close);
      });
      expect(mockSubscribe).toHaveBeenCalledTimes(2);
      await waitFor(() => expect(mockRequest.mock.calls.some((c) => c[0].url === `/api/v1/whistles/${WHISTLE}/close`)).toBe(true));
    } finally {
      router.params = {};
    }
  });

  it('吹哨 asks once the form is valid, inside the tap, before the whistle is sent', async () => {
    mockRequest.mockImplementation(async (opts: { url: string }) => {
      if (opts.url === '/api/v1/me/subscriptions') return reply(200, { credits: { whistle_update: 1 } });
      if (opts.url.startsWith('/api/v1/party-orgs')) {
        return reply(200, { items: [{ id: UNIT, name: '市住建局机关党委', kind: 'unit', districtId: DISTRICT }], nextCursor: null });
      }
      if (opts.url === '/api/v1/whistles') return reply(201, detail('open'));
      return reply(404, { code: 'NOT_FOUND', message: '内容不存在或已删除', requestId: 'r' });
    });
    render(<WhistleNew />);
    // An incomplete form asks nothing: the tap only shows what is missing.
    fireEvent.click(await screen.findByText('吹哨'));
    expect(screen.getByText('请填写 2–60 字的事项标题')).toBeTruthy();
    expect(mockSubscribe).not.toHaveBeenCalled();

    fireEvent.change(screen.getByPlaceholderText('如：商圈周边停车难'), { target: { value: '老旧小区加装电梯协调' } });
    fireEvent.click(screen.getByText('公共设施'));
    fireEvent.change(screen.getByPlaceholderText('如：世茂商圈'), { target: { value: '清和坊3号楼' } });
    fireEvent.change(screen.getByPlaceholderText('社区自身难以解决的问题、需要哪些部门协同'), { target: { value: '请住建局牵头协调' } });
    fireEvent.click(screen.getByText('点击选择'));
    fireEvent.change(screen.getByPlaceholderText('搜索并添加单位党组织'), { target: { value: '住建' } });
    fireEvent.click(await screen.findByText('市住建局机关党委'));

    mockRequest.mockClear();
    await act(async () => {
      fireEvent.click(screen.getByText('吹哨'));
    });
    expect(mockSubscribe).toHaveBeenCalledTimes(1);
    expect(mockSubscribe.mock.calls[0][0].tmplIds).toEqual(['TPL_WHISTLE']);
    expect(mockSubscribe.mock.invocationCallOrder[0]).toBeLessThan(mockRequest.mock.invocationCallOrder[0]);
    await subscribed();
    const sent = mockRequest.mock.calls.find((c) => c[0].url === '/api/v1/whistles')?.[0];
    expect(sent).toMatchObject({
      method: 'POST',
      data: { title: '老旧小区加装电梯协调', category: 'facilities', addressedTo: [{ orgId: UNIT, part: 'lead' }] },
    });
  });
});
