import { createHash } from 'node:crypto';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { MyEntry, MyWaitlist, Task } from '@pioneer/shared';
import DrawPanel, { DrawLine } from '@/components/DrawPanel';
import StandingCard from '@/components/StandingCard';
import WaitlistPanel from '@/components/WaitlistPanel';
import { ticketOf } from '@/utils/ticket';
import { clearSession } from '@/services/session';
import { fullTask } from './task-fixture';

const mockRequest = Taro.request as unknown as jest.Mock;
const NOW = Date.parse('2026-03-05T08:00:00+08:00');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const TASK_ID = '22222222-2222-4222-8222-222222222222';
const MEMBER_ID = '33333333-3333-4333-8333-333333333333';

function task(over: Partial<Task> = {}): Task {
  return fullTask(NOW, { id: TASK_ID, waitlisted: 3, ...over });
}

const reply = (statusCode: number, data: unknown) => ({ statusCode, data, header: {} });

beforeEach(() => {
  jest.useFakeTimers();
  jest.setSystemTime(NOW);
  mockRequest.mockReset();
  clearSession();
});
afterEach(() => jest.useRealTimers());

describe('WaitlistPanel (候补)', () => {
  it('offers 加入候补 on a full post and joins the waitlist', async () => {
    const onChanged = jest.fn();
    render(<WaitlistPanel task={task()} myWaitlist={null} onChanged={onChanged} />);
    expect(screen.getByText('已有 3 人候补')).toBeTruthy();
    mockRequest.mockResolvedValueOnce(reply(201, { entry: { taskId: TASK_ID, position: 4, status: 'waiting', offerExpiresAt: null } }));
    await act(async () => {
      fireEvent.click(screen.getByText('加入候补'));
    });
    expect(mockRequest.mock.calls[0][0]).toMatchObject({ url: `/api/v1/tasks/${TASK_ID}/waitlist`, method: 'POST' });
    expect(onChanged).toHaveBeenCalled();
  });

  it('shows nothing while slots are free or the member holds a claim', () => {
    const { container, rerender } = render(
      <WaitlistPanel task={task({ remaining: 1, claimed: 1 })} myWaitlist={null} onChanged={jest.fn()} />,
    );
    expect(container.textContent).toBe('');
    rerender(<WaitlistPanel task={task()} myClaimStatus="claimed" myWaitlist={null} onChanged={jest.fn()} />);
    expect(container.textContent).toBe('');
  });

  it('shows the position while waiting, and 退出候补', async () => {
    const w: MyWaitlist = { position: 2, status: 'waiting', offerExpiresAt: null };
    render(<WaitlistPanel task={task()} myWaitlist={w} onChanged={jest.fn()} />);
    expect(screen.getByText('候补第 2 位')).toBeTruthy();
    mockRequest.mockResolvedValueOnce(reply(200, { entry: { taskId: TASK_ID, position: null, status: 'left', offerExpiresAt: null } }));
    await act(async () => {
      fireEvent.click(screen.getByText('退出候补'));
    });
    expect(mockRequest.mock.calls[0][0]).toMatchObject({ url: `/api/v1/tasks/${TASK_ID}/waitlist/me`, method: 'DELETE' });
  });

  it('shows a held offer with a ticking countdown, and 接受 / 放弃', async () => {
    const w: MyWaitlist = { position: null, status: 'offered', offerExpiresAt: iso(10 * 60_000) };
    render(<WaitlistPanel task={task()} myWaitlist={w} onChanged={jest.fn()} />);
    expect(screen.getByText('名额为您保留（剩余 10:00）')).toBeTruthy();
    act(() => {
      jest.advanceTimersByTime(61_000);
    });
    expect(screen.getByText('名额为您保留（剩余 08:59）')).toBeTruthy();
    mockRequest.mockResolvedValueOnce(reply(201, { claim: claimBody(), remaining: 0 }));
    await act(async () => {
      fireEvent.click(screen.getByText('接受'));
    });
    expect(mockRequest.mock.calls[0][0]).toMatchObject({ url: `/api/v1/tasks/${TASK_ID}/waitlist/me/accept`, method: 'POST' });
    mockRequest.mockResolvedValueOnce(reply(200, { entry: { taskId: TASK_ID, position: null, status: 'declined', offerExpiresAt: null } }));
    await act(async () => {
      fireEvent.click(screen.getByText('放弃'));
    });
    expect(mockRequest.mock.calls[1][0]).toMatchObject({ url: `/api/v1/tasks/${TASK_ID}/waitlist/me/decline` });
  });

  it('says the offer moved on once its countdown ran out', () => {
    const w: MyWaitlist = { position: null, status: 'offered', offerExpiresAt: iso(2_000) };
    render(<WaitlistPanel task={task()} myWaitlist={w} onChanged={jest.fn()} />);
    act(() => {
      jest.advanceTimersByTime(3_000);
    });
    expect(screen.getByText('保留名额已过期，已顺延给下一位')).toBeTruthy();
    expect(screen.queryByText('接受')).toBeNull();
  });
});

function claimBody() {
  return {
    id: '55555555-5555-4555-8555-555555555555',
    taskId: TASK_ID,
    memberId: MEMBER_ID,
    status: 'claimed',
    claimedAt: iso(0),
    cancelledAt: null,
    checkedInAt: null,
    checkedOutAt: null,
    minutes: null,
  };
}

describe('draw posts (抽签)', () => {
  const drawTask = (over: Partial<Task> = {}) =>
    task({ allocation: 'draw', drawAt: iso(3600_000), drawCommitment: 'a'.repeat(64), entered: 57, claimed: 0, remaining: 2, ...over });

  it('computes the ticket as the server does: SHA-256 of taskId:memberId:nonce, first 16 hex', () => {
    const nonce = 'f00dfeedcafebabe1234';
    expect(ticketOf(TASK_ID, MEMBER_ID, nonce)).toBe(
      createHash('sha256').update(`${TASK_ID}:${MEMBER_ID}:${nonce}`).digest('hex').slice(0, 16),
    );
  });

  it('shows 抽签中 · 已有 N 人报名 · 开奖时间, enters with its own nonce and checks the ticket', async () => {
    render(<DrawLine task={drawTask()} />);
    expect(screen.getByText(/^抽签中 · 已有 57 人报名 · 开奖时间 /)).toBeTruthy();
    const onChanged = jest.fn();
    render(<DrawPanel task={drawTask()} memberId={MEMBER_ID} myEntry={null} onChanged={onChanged} />);
    mockRequest.mockImplementationOnce(async (opts: { data: { nonce: string } }) =>
      reply(201, { entry: { taskId: TASK_ID, status: 'entered', ticket: ticketOf(TASK_ID, MEMBER_ID, opts.data.nonce) } }),
    );
    await act(async () => {
      fireEvent.click(screen.getByText('报名抽签'));
    });
    const sent = mockRequest.mock.calls[0][0];
    expect(sent).toMatchObject({ url: `/api/v1/tasks/${TASK_ID}/entries`, method: 'POST' });
    expect(sent.data.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(screen.queryByText('签号与本机计算不一致，请联系社区')).toBeNull();
    expect(onChanged).toHaveBeenCalled();
  });

  it('shows the entered ticket, then the result to each entrant', () => {
    const entered: MyEntry = { ticket: '0123456789abcdef', status: 'entered' };
    const { rerender } = render(<DrawPanel task={drawTask()} memberId={MEMBER_ID} myEntry={entered} onChanged={jest.fn()} />);
    expect(screen.getByText('已参与抽签，签号 0123456789abcdef')).toBeTruthy();
    expect(screen.getByText('退出抽签')).toBeTruthy();
    const drawn = drawTask({ drawnAt: iso(3600_000), claimed: 2, remaining: 0 });
    rerender(<DrawPanel task={drawn} memberId={MEMBER_ID} myEntry={{ ...entered, status: 'won', rank: 2 }} onChanged={jest.fn()} />);
    expect(screen.getByText('中签（第 2 名），名额已为您保留')).toBeTruthy();
    rerender(<DrawPanel task={drawn} memberId={MEMBER_ID} myEntry={{ ...entered, status: 'lost', rank: 9 }} onChanged={jest.fn()} />);
    expect(screen.getByText('未中签（第 9 名），已按抽签顺序进入候补')).toBeTruthy();
    expect(screen.getByText('已开奖 · 57 人报名')).toBeTruthy();
  });
});

describe('StandingCard (我的)', () => {
  it('says why and until when grabbing is suspended', () => {
    const { rerender } = render(<StandingCard standing={{ noShows: 3, suspendedUntil: iso(14 * 86400_000) }} />);
    expect(screen.getByText(/^暂停抢岗至 /)).toBeTruthy();
    expect(screen.getByText(/未到岗 3 次/)).toBeTruthy();
    rerender(<StandingCard standing={{ noShows: 1, suspendedUntil: null }} />);
    expect(screen.getByText(/近期未到岗 1 次/)).toBeTruthy();
  });
});
