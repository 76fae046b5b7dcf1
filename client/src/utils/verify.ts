import { CLAIM_STATE_LABELS, type VerifiedClaim } from '@pioneer/shared';
import { formatClock } from './time';

export interface VerifyActions {
  checkIn: boolean;
  checkOut: boolean;
  /** Why nothing (or only one thing) can be done now, in the secretary's words. */
  hint: string;
}

export const VERIFIED_STATUS_LABELS: Record<VerifiedClaim['status'], string> = {
  claimed: `${CLAIM_STATE_LABELS.claimed}，未签到`,
  checked_in: CLAIM_STATE_LABELS.checked_in,
  completed: CLAIM_STATE_LABELS.completed,
  no_show: CLAIM_STATE_LABELS.no_show,
};

/** The one action the member's claim allows now: 签到 inside the check-in window, 签退 after 签到. */
export function actionsFor(claim: VerifiedClaim | null, now: number): VerifyActions {
  if (!claim) return { checkIn: false, checkOut: false, hint: '请选择一个岗位' };
  switch (claim.status) {
    case 'claimed':
      if (now >= Date.parse(claim.endsAt)) return { checkIn: false, checkOut: false, hint: '岗位已结束，无法签到' };
      if (now < Date.parse(claim.checkInOpensAt)) {
        const lead = Math.round((Date.parse(claim.startsAt) - Date.parse(claim.checkInOpensAt)) / 60000);
        return { checkIn: false, checkOut: false, hint: `${formatClock(claim.checkInOpensAt)} 起可签到（开始前 ${lead} 分钟）` };
      }
      return { checkIn: true, checkOut: false, hint: '' };
    case 'checked_in':
      return { checkIn: false, checkOut: true, hint: '' };
    case 'completed':
      return { checkIn: false, checkOut: false, hint: '已完成本岗位服务' };
    default:
      return { checkIn: false, checkOut: false, hint: '已记为未到岗' };
  }
}

/**
 * Which of the member's claims to act on: the post the secretary already had selected (a queue
 * at one post), else the only one, else the one whose action is possible now; none if unclear.
 */
export function pickClaim(claims: VerifiedClaim[], selected: string | undefined, now: number): string | undefined {
  if (selected && claims.some((c) => c.taskId === selected)) return selected;
  if (claims.length === 1) return claims[0].taskId;
  const actionable = claims.filter((c) => {
    const a = actionsFor(c, now);
    return a.checkIn || a.checkOut;
  });
  return actionable.length === 1 ? actionable[0].taskId : undefined;
}

/** Minutes a 签退 now would record when that is under 10 (and the post has started), else null. */
export function shortServiceMinutes(claim: Pick<VerifiedClaim, 'startsAt' | 'checkedInAt'>, now: number): number | null {
  if (now < Date.parse(claim.startsAt) || !claim.checkedInAt) return null;
  // Service counts from the later of the start and the 签到 (the server's minute rule), so a member
  // checked in early who is signed out just after the start would record only those few minutes.
  const from = Math.max(Date.parse(claim.startsAt), Date.parse(claim.checkedInAt));
  const minutes = Math.max(0, Math.floor((now - from) / 60000));
  return minutes < 10 ? minutes : null;
}
