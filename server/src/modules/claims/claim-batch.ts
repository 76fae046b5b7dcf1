import type { ClaimCreateResponse } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isRetryableConflict, isUniqueViolation } from '../../lib/pg-errors';
import { refusalOf } from '../claim-gate/claim-refusals';
import type { BatchAnswer, BatchResult, PostAfter } from '../claim-gate/claim-types';
import type { BatchAttempt, ClaimsRepository } from './claims-repository';

/** A duplicate claim that raced past NOT EXISTS: the statement (or transaction) aborted whole. */
export const isDuplicateClaim = (e: unknown) => isUniqueViolation(e, 'claims_live_unique');

/**
 * The claim gate's batch function: claims for members queued on one post, in one statement.
 * Built from the repository, not the service, so the gate never calls back into the service
 * that holds it.
 */
export function batchClaimer(deps: { claimsRepository: Pick<ClaimsRepository, 'claimBatch'>; clock: Clock }) {
  /**
   * `tokenVersions[i]` is the version of the session token `memberIds[i]` claimed with (0 for
   * tokens signed before versions existed): a revoked one is answered UNAUTHENTICATED and granted nothing.
   */
  return async function claimMany(
    taskId: string,
    memberIds: string[],
    tokenVersions: readonly number[] = memberIds.map(() => 0),
  ): Promise<BatchResult<BatchAnswer>> {
    const now = deps.clock.now();
    // One version per member goes to the statement: its newest token's (older ones are stale anyway).
    const newest = new Map<string, number>();
    memberIds.forEach((m, i) => newest.set(m, Math.max(newest.get(m) ?? -1, tokenVersions[i] ?? 0)));
    const distinct = [...newest.keys()];
    try {
      const a = await deps.claimsRepository.claimBatch(
        taskId,
        distinct,
        distinct.map((m) => newest.get(m)!),
        now,
      );
      const stale = new Set(a.stale);
      const valid = memberIds.map((m, i) => !stale.has(m) && (tokenVersions[i] ?? 0) === newest.get(m));
      const answered = batchAnswers(
        taskId,
        memberIds.filter((_, i) => valid[i]),
        a,
        now,
      );
      let next = 0;
      const answers = memberIds.map((_, i) => (valid[i] ? answered[next++] : new AppError('UNAUTHENTICATED')));
      return { answers, after: batchAfter(a, now) };
    } catch (e) {
      if (isDuplicateClaim(e) || isRetryableConflict(e)) return { answers: null };
      throw e;
    }
  };
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
function batchAnswers(taskId: string, memberIds: string[], a: BatchAttempt, now: Date): BatchAnswer[] {
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
  const outsider = a.outsiders.has(memberId);
  return (
    refusalOf({
      exists: a.status !== null,
      // While the post still takes claims, everyone eligible and not suspended was granted: the rest hold one.
      mine: !outsider && until === null && (!holders || holders.has(memberId)),
      outsider,
      status: a.status,
      beforeEnd: a.endsAt !== null && now < a.endsAt.getTime(),
      opened: a.opensAt !== null && now >= a.opensAt.getTime() && !a.drawPending,
      suspendedUntil: until,
      full: true,
    }) ?? 'TASK_FULL'
  );
}

function batchAfter(a: BatchAttempt, now: Date): PostAfter {
  const t = now.getTime();
  const version = a.version ?? undefined;
  if (a.status !== 'open' || a.drawPending || t < a.opensAt!.getTime() || t >= a.endsAt!.getTime()) return { kind: 'closed', version };
  const claimed = a.claimedBefore + a.members.length;
  if (claimed < a.capacity) return { kind: 'open', version };
  const snapshot =
    a.fresh && a.holders && a.suspendedNow
      ? {
          status: a.status,
          claimed,
          capacity: a.capacity,
          opensAt: a.opensAt!,
          endsAt: a.endsAt!,
          holders: a.holders,
          suspended: a.suspendedNow,
          version,
        }
      : null;
  return { kind: 'full', snapshot, version };
}
