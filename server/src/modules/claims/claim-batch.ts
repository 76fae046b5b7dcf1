import type { ClaimCreateResponse } from '@pioneer/shared';
import { AppError, notFound } from '../../lib/errors';
import type { GateRefusal, PostAfter } from './claim-gate';
import type { BatchAttempt, ClaimAttempt } from './claims-repository';

/** One member's answer from a batch: the claim, a refusal sent prebuilt, or another refusal. */
export type BatchAnswer = ClaimCreateResponse | GateRefusal | AppError;

/** What a refused member's claim is explained by: the post as a statement saw it. */
interface Refused {
  exists: boolean;
  mine: boolean;
  status: 'open' | 'cancelled' | 'ended' | null;
  beforeEnd: boolean;
  opened: boolean;
  suspendedUntil: Date | null;
  full: boolean;
}

export const suspended = (until: Date) =>
  new AppError('GRAB_SUSPENDED', undefined, { details: [{ path: 'until', reason: until.toISOString() }] });

/**
 * The one refusal order, for single claims and batches alike: no such post, already holding
 * one, cancelled, closed, not open yet (a draw post before its draw), suspended, full.
 * null: the statement saw nothing that refuses (it lost a race: run it again).
 */
export function refusalOf(r: Refused): AppError | GateRefusal | null {
  if (!r.exists) return notFound('岗位不存在');
  if (r.mine) return 'ALREADY_CLAIMED';
  if (r.status === 'cancelled') return new AppError('TASK_CANCELLED');
  if (r.status === 'ended' || !r.beforeEnd) return new AppError('CLAIM_CLOSED');
  if (!r.opened) return new AppError('CLAIM_NOT_OPEN');
  if (r.suspendedUntil) return suspended(r.suspendedUntil);
  if (r.full) return 'TASK_FULL';
  return null;
}

/** Why a single claim the statement refused was refused. */
export function singleRefusal(a: Extract<ClaimAttempt, { ok: false }>): AppError | GateRefusal | null {
  return refusalOf({
    exists: a.sStatus !== null,
    mine: a.sMine,
    status: a.sStatus,
    beforeEnd: a.sBeforeEnd === true,
    opened: a.sOpened === true,
    suspendedUntil: a.sSuspendedUntil,
    full: (a.sClaimed ?? 0) >= (a.sCapacity ?? 0),
  });
}

export function created(taskId: string, memberId: string, claimId: string, claimedAt: Date, remaining: number): ClaimCreateResponse {
  return {
    claim: {
      id: claimId,
      taskId,
      memberId,
      status: 'claimed',
      claimedAt: claimedAt.toISOString(),
      cancelledAt: null,
      checkedInAt: null,
      checkedOutAt: null,
      minutes: null,
    },
    remaining,
  };
}

/**
 * A batch statement's answers, one per member queued (same order, duplicates included). Each
 * winner's `remaining` is as of its own claim, as if the batch's claims had been made one by
 * one in arrival order. A member queued twice gets one claim: the second answer is
 * ALREADY_CLAIMED if the first won, else the same refusal.
 */
export function batchAnswers(taskId: string, memberIds: string[], a: BatchAttempt, now: Date): BatchAnswer[] {
  const t = now.getTime();
  const rank = new Map<string, number>();
  for (let i = 0; i < a.members.length; i++) rank.set(a.members[i], i);
  const holders = a.holders ? new Set(a.holders) : null;
  const before = a.capacity - a.claimedBefore;
  const answered = new Map<string, BatchAnswer>();
  return memberIds.map((m): BatchAnswer => {
    const seen = answered.get(m);
    if (seen !== undefined) return typeof seen === 'object' && !(seen instanceof AppError) ? 'ALREADY_CLAIMED' : seen;
    const i = rank.get(m);
    const answer = i === undefined ? batchRefusal(a, m, holders, t) : created(taskId, m, a.claimIds[i], now, before - i - 1);
    answered.set(m, answer);
    return answer;
  });
}

/** Why a member the batch did not grant was refused, from the post as the batch left it. */
function batchRefusal(a: BatchAttempt, memberId: string, holders: Set<string> | null, now: number): BatchAnswer {
  const until = a.suspended.get(memberId) ?? null;
  return (
    refusalOf({
      exists: a.status !== null,
      // While the post still takes claims, everyone eligible and not suspended was granted: the rest hold one.
      mine: until === null && (!holders || holders.has(memberId)),
      status: a.status,
      beforeEnd: a.endsAt !== null && now < a.endsAt.getTime(),
      opened: a.opensAt !== null && now >= a.opensAt.getTime() && !a.drawPending,
      suspendedUntil: until,
      full: true,
    }) ?? 'TASK_FULL'
  );
}

export function batchAfter(a: BatchAttempt, now: Date): PostAfter {
  const t = now.getTime();
  const version = a.version ?? undefined;
  if (a.status !== 'open' || a.drawPending || t < a.opensAt!.getTime() || t >= a.endsAt!.getTime()) return { kind: 'closed', version };
  const claimed = a.claimedBefore + a.members.length;
  if (claimed < a.capacity) return { kind: 'open', remaining: a.capacity - claimed, version };
  const snapshot =
    a.fresh && a.holders
      ? { status: a.status, claimed, capacity: a.capacity, opensAt: a.opensAt!, endsAt: a.endsAt!, holders: a.holders, version }
      : null;
  return { kind: 'full', snapshot, version };
}
