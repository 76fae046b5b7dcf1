import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Messages from '../../client/src/pages/messages';
import { askSubscribe, setSubscribeTemplates, SUBSCRIBE_ON } from '../../client/src/services/notifications';
import { clearSession, saveSession } from '../../client/src/services/session';

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

describe('消息 page', () => {
  it('lists messages with the unread count and a badge, and reading one marks it read and opens its post', async () => {
    mockRequest.mockImplementation(async (opts: { url: string; method: string; data?: { ids?: string[] } }) => {
      if (opts.url.startsWith('/api/v1/me/messages/unread')) return reply(200, { unread: 2 });
      if (opts.url.startsWith('/api/v1/me/messages/read')) return reply(200, { unread: 1 });
      if (opts.url.startsWith('/api/v1/me/messages')) return reply(200, { items: [message(1, false), message(2, false), message(3, true)], unread: 2, nextCursor: null });
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

  it('says so when there is nothing yet', async () => {
    mockRequest.mockImplementation(async (opts: { url: string }) =>
      opts.url.startsWith('/api/v1/me/messages/unread') ? reply(200, { unread: 0 }) : reply(200, { items: [], unread: 0, nextCursor: null }),
    );
    render(<Messages />);
    expect(await screen.findByText(/暂无消息/)).toBeInTheDocument();
  });
});
