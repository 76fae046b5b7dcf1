import { MY_STATE, type ClaimStatus, type MyEntry, type MyWaitlist, type TaskListItem } from '@pioneer/shared';
import { formatCountdown, formatDateTime, pad } from './time';

/** `mm:ss` while under an hour (an offer usually is), else the long countdown. */
export function formatOfferLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return total < 3600 ? `${pad(Math.floor(total / 60))}:${pad(total % 60)}` : formatCountdown(ms);
}

const LIVE: ClaimStatus[] = ['claimed', 'checked_in', 'completed', 'no_show'];

export type WaitlistKind = 'none' | 'can_join' | 'waiting' | 'offered' | 'closed';

export interface WaitlistView {
  kind: WaitlistKind;
  /** What the member reads. */
  text: string;
  /** Offer countdown, while an offer is held. */
  countdown?: string;
}

/** What the 候补 part of a post shows for this member, now. */
export function waitlistView(input: {
  task: Pick<TaskListItem, 'status' | 'remaining' | 'startsAt' | 'claimOpensAt' | 'allocation' | 'drawnAt' | 'waitlisted'>;
  myClaimStatus?: ClaimStatus | null;
  myWaitlist?: MyWaitlist | null;
  now: number;
}): WaitlistView {
  const { task, myWaitlist: w, now } = input;
  if (input.myClaimStatus && LIVE.includes(input.myClaimStatus)) return { kind: 'none', text: '' };
  if (w?.status === 'offered' && w.offerExpiresAt) {
    const left = Date.parse(w.offerExpiresAt) - now;
    if (left > 0) return { kind: 'offered', text: MY_STATE.offered(formatOfferLeft(left)), countdown: formatOfferLeft(left) };
    return { kind: 'closed', text: '保留名额已过期，已顺延给下一位' };
  }
  if (w?.status === 'waiting') return { kind: 'waiting', text: MY_STATE.waiting(w.position) };
  const started = now >= Date.parse(task.startsAt);
  const undrawn = task.allocation === 'draw' && !task.drawnAt;
  if (task.status !== 'open' || started || undrawn || now < Date.parse(task.claimOpensAt)) return { kind: 'none', text: '' };
  if (task.remaining > 0) return { kind: 'none', text: '' };
  return { kind: 'can_join', text: task.waitlisted > 0 ? `已有 ${task.waitlisted} 人候补` : '名额已满，可加入候补' };
}

export type DrawKind = 'not_draw' | 'open' | 'entered' | 'closed' | 'won' | 'lost' | 'drawn';

/** What a draw post shows: the line 抽签中 · 已有 N 人报名 · 开奖时间, and the member's entry or result. */
export function drawView(input: {
  task: Pick<TaskListItem, 'allocation' | 'drawAt' | 'drawnAt' | 'entered' | 'status'>;
  myEntry?: MyEntry | null;
  now: number;
}): { kind: DrawKind; line: string; result?: string } {
  const { task, myEntry: e, now } = input;
  if (task.allocation !== 'draw' || !task.drawAt) return { kind: 'not_draw', line: '' };
  if (task.drawnAt) {
    const line = `已开奖 · ${task.entered} 人报名`;
    if (e?.status === 'won') return { kind: 'won', line, result: `中签（第 ${e.rank} 名），名额已为您保留` };
    if (e?.status === 'lost') return { kind: 'lost', line, result: `未中签（第 ${e.rank} 名），已按抽签顺序进入候补` };
    return { kind: 'drawn', line };
  }
  const line = `抽签中 · 已有 ${task.entered} 人报名 · 开奖时间 ${formatDateTime(task.drawAt)}`;
  if (e?.status === 'entered') return { kind: 'entered', line, result: `已参与抽签，签号 ${e.ticket}` };
  if (task.status !== 'open' || now >= Date.parse(task.drawAt)) return { kind: 'closed', line };
  return { kind: 'open', line };
}
