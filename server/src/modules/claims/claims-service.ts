import type { Claim, ClaimantList, ClaimCreateResponse, ErrorBody, TaskListItem } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors';
import { isRetryableConflict } from '../../lib/pg-errors';
import type { PioneerCodeService } from '../codes/pioneer-code';
import type { MembersPort } from '../members/members-port';
import { toTaskListItem, type TaskRow } from '../tasks/task-mappers';
import type { ClaimGate } from '../claim-gate/claim-gate';
import { refusalOf } from '../claim-gate/claim-refusals';
import { ALONE, type BatchAnswer, type GateRefusal, type MemoryAnswer } from '../claim-gate/claim-types';
import { batchClaimer, created, isDuplicateClaim } from './claim-batch';
import { toClaim, type ClaimRow } from './claim-mappers';
import type { DbOrTx } from '../../db/client';
import type { ClaimAttempt, ClaimsRepository, StoredAnswer } from './claims-repository';

/** A member's live claims with their posts (注销 and the data export read these; `/members/me/records` is the records module's). */
export interface ClaimRecords {
  items: Array<{ task: TaskListItem; claim: Claim }>;
  totals: { tasks: number; minutes: number };
}

/** Who claims: a principal, or just the ids the claim route resolves without loading one. */
export interface Claimant {
  userId: string;
  memberId: string | null;
  /** The session token's version: the claim statement checks it against the user's (revocation). */
  tokenVersion: number;
}

/** How long an Idempotency-Key is remembered. */
const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const MAX_ATTEMPTS = 5;

/** A statement that lost a race and aborted itself (pioneer_assert), or a deadlock PostgreSQL broke. */
const isRetryable = isRetryableConflict;

const asError = (r: AppError | GateRefusal) => (typeof r === 'string' ? new AppError(r) : r);

/** Why a single claim the statement refused was refused. */
function singleRefusal(a: Extract<ClaimAttempt, { ok: false }>): AppError | GateRefusal | null {
  return refusalOf({
    revoked: a.sRevoked,
    exists: a.sStatus !== null,
    mine: a.sMine,
    outsider: !a.sInAudience,
    status: a.sStatus,
    beforeEnd: a.sBeforeEnd === true,
    opened: a.sOpened === true,
    suspendedUntil: a.sSuspendedUntil,
    full: (a.sClaimed ?? 0) >= (a.sCapacity ?? 0),
  });
}

export function claimsServiceFactory(deps: {
  claimsRepository: ClaimsRepository;
  membersRepository: MembersPort;
  pioneerCodes: Pick<PioneerCodeService, 'verify'>;
  clock: Clock;
  /** How long before a post starts its check-in opens (CHECK_IN_OPENS_MINUTES). */
  checkInOpensMinutes?: number;
  /**
   * Told of each record a check-out completed, after its commit and without being awaited: the
   * points it earns are written apart from the scan (a catch-up job writes any that were missed).
   */
  afterCheckOut?: (claim: ClaimRow, task: TaskRow) => void;
  /** In-process admission and batching for plain claims (none in the Idempotency-Key path). */
  gate?: ClaimGate<BatchAnswer>;
}) {
  const repo = deps.claimsRepository;
  const gate = deps.gate;

  function memberOf(p: Pick<Claimant, 'memberId'>): string {
    if (!p.memberId) throw new AppError('NOT_REGISTERED');
    return p.memberId;
  }

  /**
   * One claim step, repeated only when the statement's snapshot predates the change that
   * refused it (it waited on the post's row): the next run sees that change.
   */
  async function attempt(
    tx: DbOrTx | undefined,
    taskId: string,
    memberId: string,
    tokenVersion: number,
    now: Date,
  ): Promise<ClaimCreateResponse> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const a = await repo.claim(taskId, memberId, tokenVersion, now, tx);
      if (a.ok) return created(taskId, memberId, a.claimId, a.claimedAt, a.remaining);
      const why = singleRefusal(a);
      if (why) throw asError(why);
    }
    throw new AppError('TASK_FULL');
  }

  /** Claims for members queued on one post, in one statement, each with its token's version (the gate's batch function; see claim-batch.ts). */
  const claimMany = batchClaimer({ claimsRepository: repo, clock: deps.clock });

  /**
   * Check-in (`claimed` → `checked_in`) and check-out (`checked_in` → `completed`): the same
   * steps, and a second scan of the same code answers like the first.
   */
  async function check(kind: 'in' | 'out', task: TaskRow, token: string): Promise<Claim> {
    const taskId = task.id;
    const { memberId } = deps.pioneerCodes.verify(token);
    const now = deps.clock.now();
    const opensAt = task.startsAt.getTime() - (deps.checkInOpensMinutes ?? 30) * 60_000;
    if (kind === 'in' && now.getTime() < opensAt) {
      // Early minutes would count as service: refuse, but say NOT_CLAIMED first when that is the real problem.
      if (!(await repo.liveClaim(taskId, memberId))) throw new AppError('NOT_CLAIMED');
      throw new AppError('CHECK_IN_NOT_OPEN', `签到将于岗位开始前 ${deps.checkInOpensMinutes ?? 30} 分钟开放`);
    }
    if (kind === 'out' && now.getTime() < task.startsAt.getTime()) {
      // Checking out before the start would record 0 minutes and close the claim: refuse, change nothing.
      if (!(await repo.liveClaim(taskId, memberId))) throw new AppError('NOT_CLAIMED');
      throw new AppError('CONFLICT', '岗位尚未开始，无法签退', { details: [{ path: 'startsAt', reason: 'not_started' }] });
    }
    const done = await repo.check(kind, taskId, memberId, now);
    if (done) {
      if (kind === 'out') deps.afterCheckOut?.(done, task);
      return toClaim(done, now, task.endsAt);
    }
    const live = await repo.liveClaim(taskId, memberId);
    if (!live) throw new AppError('NOT_CLAIMED');
    if (live.status === (kind === 'in' ? 'checked_in' : 'completed')) return toClaim(live, now, task.endsAt);
    if (kind === 'in') {
      if (live.status === 'completed') throw new AppError('CONFLICT', '该党员已完成本岗位服务');
      throw new AppError('CLAIM_CLOSED', '岗位已结束，无法签到');
    }
    throw new AppError('CONFLICT', '该党员尚未签到');
  }

  return {
    /** The answer from memory when the post is known full; null: ask `claim`. Never waits. */
    refusalFromMemory(taskId: string, memberId: string): MemoryAnswer | null {
      return gate ? gate.refusal(taskId, memberId) : null;
    },

    claimMany,

    /** The claim, or a refusal to send prebuilt (answered from memory or by a batch). */
    async claim(p: Claimant, taskId: string): Promise<ClaimCreateResponse | GateRefusal> {
      const memberId = memberOf(p);
      let r = gate ? gate.admit(taskId, memberId, p.tokenVersion) : ALONE;
      if (r instanceof Promise) r = await r;
      if (r === ALONE) {
        try {
          return await attempt(undefined, taskId, memberId, p.tokenVersion, deps.clock.now());
        } catch (e) {
          if (isDuplicateClaim(e)) throw new AppError('ALREADY_CLAIMED');
          throw e;
        }
      }
      if (r instanceof AppError) throw r;
      return r;
    },

    /**
     * The same key and request answer the same, status and body, however many arrive at
     * once: the key is taken in the claim's own transaction, so the first request decides
     * and the others wait for its commit and replay it.
     */
    async claimOnce(p: Claimant, taskId: string, key: string, requestHash: string, requestId: string): Promise<StoredAnswer> {
      const memberId = memberOf(p);
      const now = deps.clock.now();
      const staleBefore = new Date(now.getTime() - IDEMPOTENCY_TTL_MS);
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        try {
          const result = await repo.withTransaction(async (tx) => {
            if (!(await repo.reserveKey(tx, p.userId, key, requestHash, now, staleBefore))) {
              // A replay is no new claim, but a revoked session is not answered either.
              if (!(await repo.sessionValid(tx, p.userId, p.tokenVersion))) throw new AppError('UNAUTHENTICATED');
              return { fresh: false as const, replay: await repo.findKey(tx, p.userId, key) };
            }
            let answer: StoredAnswer;
            try {
              answer = { statusCode: 201, body: await attempt(tx, taskId, memberId, p.tokenVersion, now) };
            } catch (e) {
              // An unknown post or a revoked session leaves no key behind: the whole transaction, reservation included, rolls back.
              if (!(e instanceof AppError) || e.code === 'NOT_FOUND' || e.code === 'UNAUTHENTICATED') throw e;
              const body: ErrorBody = { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}), requestId };
              answer = { statusCode: e.statusCode, body };
            }
            await repo.storeKey(tx, p.userId, key, answer);
            return { fresh: true as const, answer };
          });
          if (result.fresh) return result.answer;
          if (!result.replay) continue;
          if (result.replay.requestHash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
          return result.replay.answer;
        } catch (e) {
          // The duplicate aborted the whole transaction, key included: run again, and the
          // claim statement then sees the winner and answers ALREADY_CLAIMED.
          if (isDuplicateClaim(e) || isRetryable(e)) continue;
          throw e;
        }
      }
      throw new AppError('SERVICE_UNAVAILABLE');
    },

    /** The post's claimants (the routes let only its secretary ask). */
    async claimants(task: TaskRow): Promise<ClaimantList> {
      const now = deps.clock.now();
      const rows = await repo.liveClaimsOf(task.id);
      const cards = new Map((await deps.membersRepository.findMemberCards(rows.map((r) => r.memberId))).map((c) => [c.id, c]));
      return {
        items: rows.flatMap((r) => {
          const member = cards.get(r.memberId);
          return member ? [{ claim: toClaim(r, now, task.endsAt), member }] : [];
        }),
      };
    },

    check,

    async records(p: Pick<Claimant, 'userId' | 'memberId'>): Promise<ClaimRecords> {
      const memberId = memberOf(p);
      const now = deps.clock.now();
      const rows = await repo.recordsOf(memberId);
      return {
        items: rows.map((r) => ({ task: toTaskListItem(r.task, now), claim: toClaim(r.claim, now, r.task.endsAt) })),
        totals: { tasks: rows.length, minutes: rows.reduce((sum, r) => sum + (r.claim.minutes ?? 0), 0) },
      };
    },

    purgeIdempotencyKeys() {
      return repo.purgeKeys(new Date(deps.clock.now().getTime() - IDEMPOTENCY_TTL_MS));
    },
  };
}

export type ClaimsService = ReturnType<typeof claimsServiceFactory>;
