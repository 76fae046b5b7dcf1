import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { Role, User } from '@pioneer/shared';
import { toolsFor } from '@/components/StaffTools';
import WaitlistQueuePage, { WaitlistQueue } from '@/staff/waitlist-queue';
import { clearSession, saveSession } from '@/services/session';
import { getTask, listTasks } from '@/services/tasks';
import { ROUTES } from '@/utils/routes';
import { router } from './__mocks__/taro';
import { fullTask } from './task-fixture';

jest.mock('@/services/tasks', () => ({ getTask: jest.fn(), listTasks: jest.fn() }));

const mockRequest = Taro.request as unknown as jest.Mock;
const NOW = Date.parse('2026-03-05T08:00:00+08:00');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const TASK_ID = '22222222-2222-4222-8222-222222222222';

describe('候补队列 (the secretary sees a post’s waitlist)', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(NOW);
    mockRequest.mockReset();
    jest.mocked(getTask).mockResolvedValue({ task: fullTask(NOW, { id: TASK_ID, waitlisted: 2 }) } as never);
  });
  afterEach(() => jest.useRealTimers());

  it('lists the held offer with its deadline, the waiting order and the closed entries, as the server masked them', async () => {
    mockRequest.mockResolvedValue({
      statusCode: 200,
      header: {},
      data: {
        taskId: TASK_ID,
        capacity: 1,
        claimed: 1,
        waiting: 2,
        offered: 1,
        items: [
          {
            position: null,
            status: 'offered',
            member: { name: '张*明', phone: '138****0001' },
            joinedAt: iso(-3600_000),
            offerExpiresAt: iso(12 * 60_000 + 5_000),
            updatedAt: iso(-60_000),
          },
          {
            position: 1,
            status: 'waiting',
            member: { name: '李*', phone: '138****0002' },
            joinedAt: iso(-1800_000),
            offerExpiresAt: null,
            updatedAt: iso(-1800_000),
          },
          {
            position: 2,
            status: 'waiting',
            member: { name: '王**华', phone: '138****0003' },
            joinedAt: iso(-900_000),
            offerExpiresAt: null,
            updatedAt: iso(-900_000),
          },
          {
            position: null,
            status: 'left',
            member: { name: '赵*', phone: '138****0004' },
            joinedAt: iso(-7200_000),
            offerExpiresAt: null,
            updatedAt: iso(-3000_000),
          },
        ],
      },
    });
    render(<WaitlistQueue id={TASK_ID} />);
    await waitFor(() => expect(screen.getByText('张*明')).toBeTruthy());
    expect(mockRequest.mock.calls[0][0]).toMatchObject({ url: `/api/v1/tasks/${TASK_ID}/waitlist`, method: 'GET' });
    expect(screen.getByText('名额保留中')).toBeTruthy();
    // Beijing time and the countdown of the offer.
    expect(screen.getByText('保留至 3月5日 周四 08:12（剩余 00:12:05）')).toBeTruthy();
    expect(screen.getAllByText('候补中')).toHaveLength(2);
    expect(screen.getByText('王**华')).toBeTruthy();
    expect(screen.getByText(/候补 2 人，1 个名额保留中/)).toBeTruthy();
    expect(screen.getByText('已结束的候补')).toBeTruthy();
    expect(screen.getByText('已退出候补')).toBeTruthy();
  });

  it('says so when nobody waits', async () => {
    mockRequest.mockResolvedValue({
      statusCode: 200,
      header: {},
      data: { taskId: TASK_ID, capacity: 3, claimed: 1, waiting: 0, offered: 0, items: [] },
    });
    render(<WaitlistQueue id={TASK_ID} />);
    await waitFor(() => expect(screen.getByText('暂无党员候补')).toBeTruthy());
    expect(screen.queryByText('已结束的候补')).toBeNull();
  });
});

describe('候补队列 for the district and city admins (from the 数据看板, two taps to a queue)', () => {
  const DISTRICT = '44444444-4444-4444-8444-444444444444';
  const user = (roles: Array<{ role: Role; orgId: string | null }>): User =>
    ({ id: '99999999-9999-4999-8999-999999999999', memberId: null, roles }) as User;
  const signIn = (roles: Array<{ role: Role; orgId: string | null }>) =>
    act(() => saveSession({ token: 't', expiresIn: 3600, user: user(roles) } as never));

  afterEach(() => {
    // Unmounted before signing out: a mounted page would go to sign in again.
    cleanup();
    act(() => clearSession());
    router.params = {};
    jest.clearAllMocks();
  });

  it('is one of the admins’ tools on their landing, and not the secretary’s (hers is two taps from 岗位管理)', () => {
    expect(toolsFor(user([{ role: 'district_admin', orgId: DISTRICT }])).map((t) => t.url)).toContain(ROUTES.waitlistQueue);
    expect(toolsFor(user([{ role: 'city_admin', orgId: null }])).map((t) => t.url)).toContain(ROUTES.waitlistQueue);
    expect(toolsFor(user([{ role: 'unit_admin', orgId: DISTRICT }])).map((t) => t.url)).not.toContain(ROUTES.waitlistQueue);
  });

  it('lists the district’s open posts, those with members waiting first, and opens a post’s queue', async () => {
    const now = Date.now();
    const quiet = fullTask(now, { id: '22222222-2222-4222-8222-000000000001', title: '楼道清扫', waitlisted: 0 });
    const busy = fullTask(now, { id: '22222222-2222-4222-8222-000000000002', title: '敬老院陪护', waitlisted: 3 });
    jest.mocked(listTasks).mockResolvedValue({ items: [quiet, busy], nextCursor: null } as never);
    signIn([{ role: 'district_admin', orgId: DISTRICT }]);
    render(<WaitlistQueuePage />);
    await waitFor(() => expect(screen.getByText('敬老院陪护')).toBeTruthy());
    expect(listTasks).toHaveBeenCalledWith({ districtId: DISTRICT, open: true, limit: 50 });
    expect(screen.getAllByTestId('queue-post-count').map((n) => n.textContent)).toEqual(['候补 3 人', '无人候补']);
    fireEvent.click(screen.getByText('敬老院陪护'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `${ROUTES.waitlistQueue}?id=${busy.id}` });
  });

  it('shows a city admin every post’s queue it opens, and nobody without a staff role', async () => {
    jest.mocked(listTasks).mockResolvedValue({ items: [], nextCursor: null } as never);
    signIn([{ role: 'city_admin', orgId: null }]);
    const { unmount } = render(<WaitlistQueuePage />);
    await waitFor(() => expect(screen.getByText('暂无招募中的岗位')).toBeTruthy());
    expect(listTasks).toHaveBeenCalledWith({ open: true, limit: 50 });
    unmount();
    signIn([{ role: 'member', orgId: null }]);
    render(<WaitlistQueuePage />);
    expect(screen.getByText('无权访问')).toBeTruthy();
    expect(listTasks).toHaveBeenCalledTimes(1);
  });
});
