import { CLAIM_STATE_LABELS, MY_STATE, type ClaimStatus, type TaskStatus } from '@pioneer/shared';
import { formatCountdown } from './time';

export type GrabKind = 'open' | 'pending' | 'claimed' | 'full' | 'not_started' | 'ended' | 'not_in_audience';

export interface GrabInput {
  status: TaskStatus;
  remaining: number;
  claimOpensAt: string;
  endsAt: string;
  myClaimStatus?: ClaimStatus | null;
  pending?: boolean;
  /** A directed post (定向岗位) of a unit the member does not belong to: it cannot be grabbed. */
  outsideAudience?: boolean;
  now: number;
}

export interface GrabState {
  kind: GrabKind;
  label: string;
  /** Time left before the claim window opens, shown under 未开始. */
  countdown?: string;
  disabled: boolean;
}

const LIVE_CLAIM: ClaimStatus[] = ['claimed', 'checked_in', 'completed'];

export function grabState(input: GrabInput): GrabState {
  if (input.pending) return { kind: 'pending', label: '抢中…', disabled: true };
  if (input.myClaimStatus && LIVE_CLAIM.includes(input.myClaimStatus)) {
    return { kind: 'claimed', label: MY_STATE.claimed, disabled: true };
  }
  if (input.status === 'cancelled') return { kind: 'ended', label: '已取消', disabled: true };
  if (input.outsideAudience) return { kind: 'not_in_audience', label: '仅限定向单位', disabled: true };
  if (input.status === 'ended' || input.now >= Date.parse(input.endsAt)) {
    return { kind: 'ended', label: '已结束', disabled: true };
  }
  const opensAt = Date.parse(input.claimOpensAt);
  if (input.now < opensAt) {
    return { kind: 'not_started', label: '未开始', countdown: formatCountdown(opensAt - input.now), disabled: true };
  }
  if (input.remaining <= 0) return { kind: 'full', label: MY_STATE.full, disabled: true };
  return { kind: 'open', label: '抢', disabled: false };
}

/** The glossary's words (kept under this name for the pages that import it from here). */
export const CLAIM_STATUS_LABELS = CLAIM_STATE_LABELS;

/** The tag of a directed post: 定向·<unit>; null for a post open to the community. */
export function audienceTag(task: { audience?: string; audienceUnit?: { name: string } | null }): string | null {
  return task.audience === 'unit' && task.audienceUnit ? `定向·${task.audienceUnit.name}` : null;
}

/**
 * Why a member cannot grab a directed post (the server answers 403 NOT_IN_AUDIENCE): it is only
 * for the project's unit's members. Null when the member may grab it, or its unit is not known yet.
 */
export function audienceRefusal(
  task: { audience?: string; audienceUnit?: { id: string; name: string } | null },
  myUnitOrgId: string | null | undefined,
): string | null {
  if (task.audience !== 'unit' || !task.audienceUnit || !myUnitOrgId) return null;
  if (task.audienceUnit.id === myUnitOrgId) return null;
  return `这是${task.audienceUnit.name}的定向岗位，仅该单位党员可以抢；您的组织关系不在该单位`;
}
