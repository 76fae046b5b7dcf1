import './h5-env';
import { act, fireEvent, render, screen } from '@testing-library/react';
import type { PioneerCodeVerifyResponse, VerifiedClaim } from '@pioneer/shared';
import { Verify } from '@/staff/verify';
import { verifyPioneerCode } from '@/services/members';
import { checkIn, checkOut } from '@/services/tasks';
import { ApiError } from '@/services/http';
import { formatClock } from '@/utils/time';

jest.mock('@/services/members', () => ({ verifyPioneerCode: jest.fn() }));
jest.mock('@/services/tasks', () => ({ checkIn: jest.fn(), checkOut: jest.fn() }));

const NOW = Date.parse('2026-03-05T09:40:00+08:00');
const MEMBER = {
  id: '11111111-1111-4111-8111-111111111111',
  name: '赵敏行',
  phone: '139****5678',
  unitOrg: { id: '22222222-2222-4222-8222-222222222222', name: '市住建局机关党委' },
  workUnit: '市住建局 科员',
  community: { id: '33333333-3333-4333-8333-333333333333', name: '清和坊社区' },
  estate: { id: '44444444-4444-4444-8444-444444444444', name: '清和苑' },
};

function claim(taskId: string, title: string, startsAt: string, status: VerifiedClaim['status'] = 'claimed'): VerifiedClaim {
  const start = Date.parse(startsAt);
  return {
    taskId,
    title,
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 2 * 3600_000).toISOString(),
    status,
    checkInOpensAt: new Date(start - 30 * 60_000).toISOString(),
  };
}

const MORNING = claim('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', '楼道杂物清理', '2026-03-05T10:00:00+08:00');
const EVENING = claim('bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb', '夜间巡逻', '2026-03-05T19:00:00+08:00');

const answer = (claims: VerifiedClaim[], member = MEMBER): PioneerCodeVerifyResponse => ({ member, claims });

async function flush() {
  await act(async () => {
    await Promise.resolve();
    await Promise.resolve();
  });
}

const checkInBtn = () => screen.getByTestId('verify-check-in');
const checkOutBtn = () => screen.getByTestId('verify-check-out');

async function paste(code: string) {
  fireEvent.change(screen.getByTestId('verify-input').querySelector('input') ?? screen.getByTestId('verify-input'), {
    target: { value: code },
  });
  fireEvent.click(screen.getByText('核验'));
  await flush();
}

describe('扫码核验', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(NOW);
    jest.mocked(verifyPioneerCode).mockReset();
    jest.mocked(checkIn).mockReset();
    jest.mocked(checkOut).mockReset();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('puts an error at the top instead of the card, and keeps the paste box to try again', async () => {
    jest.mocked(verifyPioneerCode).mockRejectedValue(new ApiError(410, 'CODE_EXPIRED', '先锋码已过期'));
    render(<Verify />);
    await paste('expired-code');
    const notice = screen.getByTestId('verify-notice');
    expect(notice).toHaveTextContent('先锋码已过期，请党员刷新先锋码后重新扫码');
    expect(notice.getAttribute('role')).toBe('alert');
    // The notice comes before everything else on the page.
    expect(notice.parentElement?.firstElementChild).toBe(notice);
    expect(screen.queryByTestId('verify-card')).toBeNull();
    expect(screen.getByTestId('verify-input')).toBeInTheDocument();
  });

  it("shows the member's posts of today with their state and enables only 签到 inside the check-in window", async () => {
    jest.mocked(verifyPioneerCode).mockResolvedValue(answer([MORNING, EVENING]));
    render(<Verify />);
    await paste('good-code');
    expect(verifyPioneerCode).toHaveBeenCalledWith('good-code');
    expect(screen.getByTestId('verify-card')).toHaveTextContent('赵敏行');
    const rows = screen.getAllByTestId('verify-claim');
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('楼道杂物清理'), expect.stringContaining('夜间巡逻')]);
    expect(rows[0]).toHaveTextContent('已抢到，未签到');
    // 09:40: the morning post (10:00) is the only one whose check-in is open, so it is picked.
    expect(rows[0].className).toContain('is-active');
    expect(checkInBtn().getAttribute('aria-disabled')).toBe('false');
    expect(checkOutBtn().getAttribute('aria-disabled')).toBe('true');

    // The evening post's check-in has not opened: nothing can be done yet, and the card says why.
    fireEvent.click(rows[1]);
    expect(checkInBtn().getAttribute('aria-disabled')).toBe('true');
    expect(checkOutBtn().getAttribute('aria-disabled')).toBe('true');
    // 18:30 in Changshu, shown in the device's own zone.
    expect(screen.getByText(`${formatClock(EVENING.checkInOpensAt)} 起可签到（开始前 30 分钟）`)).toBeInTheDocument();
    fireEvent.click(checkInBtn());
    expect(checkIn).not.toHaveBeenCalled();
  });

  it('checks in, reports it at the top, then offers only 签退', async () => {
    jest.mocked(verifyPioneerCode).mockResolvedValue(answer([MORNING]));
    jest.mocked(checkIn).mockResolvedValue({ status: 'checked_in', minutes: null } as never);
    jest.mocked(checkOut).mockResolvedValue({ status: 'completed', minutes: 95 } as never);
    render(<Verify />);
    await paste('good-code');
    fireEvent.click(checkInBtn());
    await flush();
    expect(checkIn).toHaveBeenCalledWith(MORNING.taskId, 'good-code');
    expect(screen.getByTestId('verify-notice')).toHaveTextContent('赵敏行 签到成功');
    expect(screen.getByTestId('verify-claim')).toHaveTextContent('已签到');
    expect(checkInBtn().getAttribute('aria-disabled')).toBe('true');
    expect(checkOutBtn().getAttribute('aria-disabled')).toBe('false');

    fireEvent.click(checkOutBtn());
    await flush();
    expect(screen.getByTestId('verify-notice')).toHaveTextContent('签退成功，本次服务 95 分钟');
    expect(checkInBtn().getAttribute('aria-disabled')).toBe('true');
    expect(checkOutBtn().getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByText('已完成本岗位服务')).toBeInTheDocument();
  });

  it('says so when the member signed up for nothing here today, with no action to press', async () => {
    jest.mocked(verifyPioneerCode).mockResolvedValue(answer([]));
    render(<Verify />);
    await paste('good-code');
    expect(screen.getByTestId('verify-no-claims')).toHaveTextContent('该党员今天没有报名本社区的岗位');
    expect(screen.queryByTestId('verify-check-in')).toBeNull();
    expect(screen.queryByTestId('verify-check-out')).toBeNull();
  });

  it('keeps the selected post for the next member in the queue (核验下一位)', async () => {
    const second = { ...MEMBER, id: '55555555-5555-4555-8555-555555555555', name: '钱多多' };
    jest
      .mocked(verifyPioneerCode)
      .mockResolvedValueOnce(answer([MORNING, EVENING]))
      .mockResolvedValueOnce(answer([{ ...MORNING, status: 'claimed' }, { ...EVENING }], second));
    render(<Verify />);
    await paste('first');
    fireEvent.click(screen.getAllByTestId('verify-claim')[1]);
    fireEvent.click(screen.getByText('核验下一位'));
    expect(screen.queryByTestId('verify-card')).toBeNull();
    await paste('second');
    expect(screen.getByTestId('verify-card')).toHaveTextContent('钱多多');
    // The evening post stays selected although the morning one is the one open now.
    expect(screen.getAllByTestId('verify-claim')[1].className).toContain('is-active');
  });

  it('verifies the code a scanned /c/ link brought at once', async () => {
    jest.mocked(verifyPioneerCode).mockResolvedValue(answer([MORNING]));
    render(<Verify initialCode="from-link" />);
    await flush();
    expect(verifyPioneerCode).toHaveBeenCalledWith('from-link');
    expect(screen.getByTestId('verify-card')).toHaveTextContent('赵敏行');
  });
});
