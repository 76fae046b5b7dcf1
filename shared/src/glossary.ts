import type { ClaimStatus, TaskStatus, WaitlistStatus } from './tasks';

/**
 * One vocabulary for states, read by every page (members and staff alike): a claim is 已抢到
 * wherever it shows, a post that has not started is 招募中 for everyone. Pages never spell these
 * words themselves.
 */
export const CLAIM_STATE_LABELS: Record<ClaimStatus, string> = {
  claimed: '已抢到',
  cancelled: '已取消',
  released: '已释放',
  checked_in: '已签到',
  completed: '已完成',
  no_show: '未到岗',
};

/** A 候补 entry's state, as staff see it in a post's queue. */
export const WAITLIST_STATE_LABELS: Record<WaitlistStatus, string> = {
  waiting: '候补中',
  offered: '名额保留中',
  promoted: '已顺延报名',
  accepted: '已接受名额',
  declined: '已放弃',
  expired: '已过期',
  left: '已退出候补',
};

/** A post as people see it: its stored status refined by the clock and its slots. */
export type PostPhase = 'recruiting' | 'full' | 'in_progress' | 'ended' | 'cancelled';

export const POST_PHASE_LABELS: Record<PostPhase, string> = {
  recruiting: '招募中',
  full: '已满',
  in_progress: '进行中',
  ended: '已结束',
  cancelled: '已取消',
};

export function postPhase(task: { status: TaskStatus; startsAt: string; endsAt: string; remaining: number }, now: number): PostPhase {
  if (task.status === 'cancelled') return 'cancelled';
  if (task.status === 'ended' || now >= Date.parse(task.endsAt)) return 'ended';
  if (now >= Date.parse(task.startsAt)) return 'in_progress';
  return task.remaining <= 0 ? 'full' : 'recruiting';
}

/** Words for the member's own place in a post (list and detail alike). */
export const MY_STATE = {
  claimed: CLAIM_STATE_LABELS.claimed,
  waiting: (position: number | null) => (position ? `候补第 ${position} 位` : '候补中'),
  offered: (countdown: string) => `名额为您保留（剩余 ${countdown}）`,
  full: POST_PHASE_LABELS.full,
} as const;

/** Nouns and counts that name the same thing on every page. */
export const TERMS = {
  /** The member's claims, as a list heading. */
  myClaims: '我的岗位',
  claimedCount: (n: number) => `已抢到 ${n} 人`,
  waitlistedCount: (n: number) => `候补 ${n} 人`,
  upcoming: '我的近期岗位',
} as const;

/** Every dialog names its action on the confirming button and offers 再想想 to step back. */
export const DIALOG = {
  keep: '再想想',
  confirmCancelClaim: '确认取消报名',
  confirmCheckOut: '确认签退',
  confirmPublish: '仍然发布',
  confirmCancelPost: '确认取消岗位',
  confirmRelease: '确认释放',
  confirmDecline: '确认放弃',
} as const;

/** Service records, corrections, certificates and points (Contract v3): one word per state everywhere. */
export const CORRECTION_STATE_LABELS = { pending: '待审核', approved: '已通过', rejected: '已驳回' } as const;
export const CORRECTION_KIND_LABELS = { correct: '更正', supplement: '补录' } as const;
export const RECORD_SOURCE_LABELS = { scan: '扫码', secretary: '书记补记', correction: '更正', supplement: '补录' } as const;
export const CERTIFICATE_STATE_LABELS = { valid: '有效', revoked: '已作废' } as const;
export const POINTS_KIND_LABELS = { earn: '服务获得', reverse: '记录更正冲销', redeem: '兑换', expire: '过期' } as const;
export const STAR_LABELS = ['未定级', '一星', '二星', '三星', '四星', '五星'] as const;
