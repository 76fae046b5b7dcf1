import { render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { WaitlistQueue } from '@/staff/waitlist-queue';
import { getTask } from '@/services/tasks';
import { fullTask } from './task-fixture';

jest.mock('@/services/tasks', () => ({ getTask: jest.fn() }));

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
