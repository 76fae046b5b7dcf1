import type { ClaimStatus, TaskStatus } from '@pioneer/shared';
import { formatCountdown } from './time';

export type GrabKind = 'open' | 'pending' | 'claimed' | 'full' | 'not_started' | 'ended';

export interface GrabInput {
  status: TaskStatus;
  remaining: number;
  claimOpensAt: string;
  endsAt: string;
  myClaimStatus?: ClaimStatus | null;
  pending?: boolean;
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
    return { kind: 'claimed', label: '已抢到', disabled: true };
  }
  if (input.status === 'cancelled') return { kind: 'ended', label: '已取消', disabled: true };
  if (input.status === 'ended' || input.now >= Date.parse(input.endsAt)) {
    return { kind: 'ended', label: '已结束', disabled: true };
  }
  const opensAt = Date.parse(input.claimOpensAt);
  if (input.now < opensAt) {
    return { kind: 'not_started', label: '未开始', countdown: formatCountdown(opensAt - input.now), disabled: true };
  }
  if (input.remaining <= 0) return { kind: 'full', label: '已抢完', disabled: true };
  return { kind: 'open', label: '抢', disabled: false };
}

export const CLAIM_STATUS_LABELS: Record<ClaimStatus, string> = {
  claimed: '已报名',
  cancelled: '已取消',
  released: '已释放',
  checked_in: '服务中',
  completed: '已完成',
  no_show: '未到岗',
};

export const TASK_STATUS_LABELS: Record<TaskStatus, string> = {
  open: '进行中',
  cancelled: '已取消',
  ended: '已结束',
};
