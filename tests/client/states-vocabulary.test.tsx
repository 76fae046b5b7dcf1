import { render, screen } from '@testing-library/react';
import { CLAIM_STATE_LABELS, MY_STATE, postPhase } from '@pioneer/shared';
import { OfferButton } from '@/components/WaitlistButton';
import { orderForSecretary } from '@/utils/posts';
import { beijingDate, formatClock, formatDay, toIsoWithOffset } from '@/utils/time';
import { shortServiceMinutes } from '@/utils/verify';
import { formatOfferLeft, waitlistView } from '@/utils/waitlist';
import { grabState } from '@/utils/grab';
import { cutoffWarning } from '@/utils/publish-form';
import { fullTask } from './task-fixture';

const TASK = fullTask(Date.now());

const MIN = 60_000;

describe('one vocabulary', () => {
  it('names a claim 已抢到 on the grab button, the claim lists and the verify page alike', () => {
    const grab = grabState({
      status: 'open',
      remaining: 1,
      claimOpensAt: '2026-01-01T00:00:00Z',
      endsAt: '2099-01-01T00:00:00Z',
      myClaimStatus: 'claimed',
      now: 0,
    });
    expect(grab.label).toBe(CLAIM_STATE_LABELS.claimed);
    expect(CLAIM_STATE_LABELS.claimed).toBe('已抢到');
  });

  it('calls a post not yet started 招募中 (or 已满) for everyone, and 进行中 only once it runs', () => {
    const start = Date.parse('2026-03-05T10:00:00+08:00');
    const post = {
      status: 'open' as const,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 120 * MIN).toISOString(),
      remaining: 2,
    };
    expect(postPhase(post, start - MIN)).toBe('recruiting');
    expect(postPhase({ ...post, remaining: 0 }, start - MIN)).toBe('full');
    expect(postPhase(post, start + MIN)).toBe('in_progress');
    expect(postPhase(post, start + 121 * MIN)).toBe('ended');
    expect(postPhase({ ...post, status: 'cancelled' }, start - MIN)).toBe('cancelled');
  });

  it('words the waitlist place and a held offer as the glossary does', () => {
    const now = Date.parse('2026-03-05T09:00:00+08:00');
    const task = {
      ...TASK,
      remaining: 0,
      status: 'open' as const,
      startsAt: new Date(now + 600 * MIN).toISOString(),
      claimOpensAt: new Date(now - MIN).toISOString(),
    };
    expect(waitlistView({ task, myWaitlist: { position: 3, status: 'waiting', offerExpiresAt: null }, now }).text).toBe('候补第 3 位');
    const offered = waitlistView({
      task,
      myWaitlist: { position: null, status: 'offered', offerExpiresAt: new Date(now + 12 * MIN + 5000).toISOString() },
      now,
    });
    expect(offered.text).toBe('名额为您保留（剩余 12:05）');
    expect(formatOfferLeft(90 * MIN)).toBe('01:30:00');
  });

  it('shows the held offer on a list card with 接受 right there', () => {
    const offerExpiresAt = new Date(Date.now() + 10 * MIN).toISOString();
    render(<OfferButton task={TASK} waitlist={{ position: null, status: 'offered', offerExpiresAt }} onAccepted={jest.fn()} />);
    expect(screen.getByText(/^名额为您保留（剩余 \d\d:\d\d）$/)).toBeTruthy();
    expect(screen.getByText('接受')).toBeTruthy();
    expect(MY_STATE.offered('09:59')).toBe('名额为您保留（剩余 09:59）');
  });
});

describe('Beijing time whatever the device zone', () => {
  it('formats instants in UTC+8 and builds picker values as +08:00', () => {
    // 2026-03-04T18:30Z is 3月5日 02:30 in Beijing.
    expect(formatDay('2026-03-04T18:30:00Z')).toBe('3月5日 周四');
    expect(formatClock('2026-03-04T18:30:00Z')).toBe('02:30');
    expect(beijingDate('2026-03-04T18:30:00Z')).toBe('2026-03-05');
    expect(toIsoWithOffset('2026-03-05', '09:00')).toBe('2026-03-05T09:00:00+08:00');
  });
});

describe('trap doors', () => {
  it('asks before a 签退 that records under 10 minutes, not before the start (the server refuses that)', () => {
    const start = Date.parse('2026-03-05T10:00:00+08:00');
    const claim = { startsAt: new Date(start).toISOString(), checkedInAt: new Date(start - 20 * MIN).toISOString() };
    expect(shortServiceMinutes(claim, start - MIN)).toBeNull();
    // Checked in 20 minutes early: the service counts from the start, so 5 minutes after it is 5 minutes.
    expect(shortServiceMinutes(claim, start + 5 * MIN)).toBe(5);
    expect(shortServiceMinutes(claim, start + 10 * MIN)).toBeNull();
    const late = { ...claim, checkedInAt: new Date(start + 5 * MIN).toISOString() };
    expect(shortServiceMinutes(late, start + 8 * MIN)).toBe(3);
    expect(shortServiceMinutes(late, start + 15 * MIN)).toBeNull();
  });
});

describe('岗位管理 order', () => {
  it('lists today first, then upcoming by start, then the past latest first', () => {
    const now = Date.parse('2026-03-05T12:00:00+08:00');
    const post = (id: string, startsAt: string) => ({ id, startsAt: `${startsAt}+08:00`, endsAt: `${startsAt}+08:00` });
    const items = [
      post('future-far', '2026-03-20T09:00:00'),
      post('future-near', '2026-03-06T09:00:00'),
      post('today-evening', '2026-03-05T19:00:00'),
      post('today-morning', '2026-03-05T08:00:00'),
      post('past-recent', '2026-03-04T09:00:00'),
      post('past-old', '2026-02-01T09:00:00'),
    ];
    expect(orderForSecretary(items, now).map((p) => p.id)).toEqual([
      'today-morning',
      'today-evening',
      'future-near',
      'future-far',
      'past-recent',
      'past-old',
    ]);
  });
});

describe('publishing inside the cutoff', () => {
  it('warns when the post starts inside its cancellation cutoff, else not', () => {
    const now = Date.parse('2026-03-05T09:00:00+08:00');
    expect(cutoffWarning({ startsAt: '2026-03-05T09:30:00+08:00' }, now)).toMatch(/30 分钟后开始.*开始前 60 分钟/);
    expect(cutoffWarning({ startsAt: '2026-03-05T09:30:00+08:00', cancelCutoffMinutes: 15 }, now)).toBeNull();
    expect(cutoffWarning({ startsAt: '2026-03-05T11:00:00+08:00' }, now)).toBeNull();
  });
});
