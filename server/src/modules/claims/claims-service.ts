import type { Claim, ClaimantList, ClaimCreateResponse, ErrorBody, Records } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { AppError, forbidden, notFound } from '../../lib/errors';
import { isSecretaryOf } from '../../lib/scope';
import type { Principal } from '../../plugins/auth';
import type { PioneerCodeService } from '../codes/pioneer-code';
import type { MembersRepository } from '../members/members-repository';
import { toClaim, toTaskListItem } from '../tasks/task-mappers';
import type { TasksRepository } from '../tasks/tasks-repository';
import type { ClaimGate, ClaimOutcome, GateRefusal } from './claim-gate';
import type { ClaimAttempt, ClaimsRepository, Queryable, StoredAnswer } from './claims-repository';

/** Who claims: a principal, or just the ids the claim route resolves without loading one. */
export interface Claimant {
  userId: string;
  memberId: string | null;
}

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const MAX_ATTEMPTS = 5;

const pgCode = (e: unknown) => (e as { code?: string } | null)?.code;
const pgConstraint = (e: unknown) => (e as { constraint?: string } | null)?.constraint;
/** A duplicate claim that raced past NOT EXISTS: the statement (or transaction) aborted whole. */
const isDuplicateClaim = (e: unknown) => pgCode(e) === '23505' && pgConstraint(e) === 'claims_live_unique';
/** A statement that lost a race and aborted itself (pioneer_assert), or a deadlock PostgreSQL broke. */
const isRetryable = (e: unknown) => pgCode(e) === '40001' || pgCode(e) === '40P01';

/** Why a claim the statement refused was refused, from the post as the statement saw it; null if it does not say. */
function refusal(a: Extract<ClaimAttempt, { ok: false }>): AppError | null {
  if (a.sStatus === null) return notFound('岗位不存在');
  if (a.sMine) return new AppError('ALREADY_CLAIMED');
  if (a.sStatus === 'cancelled') return new AppError('TASK_CANCELLED');
  if (a.sStatus === 'ended' || !a.sBeforeEnd) return new AppError('CLAIM_CLOSED');
  if (!a.sOpened) return new AppError('CLAIM_NOT_OPEN');
  if ((a.sClaimed ?? 0) >= (a.sCapacity ?? 0)) return new AppError('TASK_FULL');
  return null;
}

/** What a refusal tells the gate about the post's slots. */
function outcomeOf(e: AppError, a: Extract<ClaimAttempt, { ok: false }>): ClaimOutcome {
  if (e.code === 'TASK_FULL') return { kind: 'full' };
  if (e.code === 'ALREADY_CLAIMED' || e.code === 'CLAIM_NOT_OPEN') {
    return { kind: 'refused', remaining: a.sCapacity === null || a.sClaimed === null ? null : a.sCapacity - a.sClaimed };
  }
  // Gone, cancelled or closed: no claim will succeed, nothing to hold back.
  return { kind: 'refused', remaining: Number.POSITIVE_INFINITY };
}

/** A refused claim, with what the refusal said about the post. */
class Refused {
  constructor(
    readonly error: AppError,
    readonly outcome: ClaimOutcome,
  ) {}
}

export function claimsServiceFactory(deps: {
  claimsRepository: ClaimsRepository;
  tasksRepository: TasksRepository;
  membersRepository: Pick<MembersRepository, 'findMemberCards'>;
  pioneerCodes: Pick<PioneerCodeService, 'verify'>;
  clock: Clock;
  /** In-process admission for plain claims (none in the Idempotency-Key path). */
  gate?: ClaimGate;
}) {
  const repo = deps.claimsRepository;
  const gate = deps.gate;

  function memberOf(p: Claimant): string {
    if (!p.memberId) throw new AppError('NOT_REGISTERED');
    return p.memberId;
  }

  /**
   * One claim step, repeated only when the statement's snapshot predates the change that
   * refused it (it waited on the post's row): the next run sees that change.
   */
  async function attempt(q: Queryable | undefined, taskId: string, memberId: string, now: Date): Promise<ClaimCreateResponse> {
    const r = await decide(q, taskId, memberId, now);
    if (r instanceof Refused) throw r.error;
    return r;
  }

  async function decide(q: Queryable | undefined, taskId: string, memberId: string, now: Date): Promise<ClaimCreateResponse | Refused> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const a = await repo.claim(taskId, memberId, now, q);
      if (a.ok) {
        return {
          claim: {
            id: a.claimId,
            taskId,
            memberId,
            status: 'claimed',
            claimedAt: a.claimedAt.toISOString(),
            cancelledAt: null,
            checkedInAt: null,
            checkedOutAt: null,
            minutes: null,
          },
          remaining: a.remaining,
        };
      }
      const why = refusal(a);
      if (why) return new Refused(why, outcomeOf(why, a));
    }
    return new Refused(new AppError('TASK_FULL'), null);
  }

  /** The post, if the caller is its secretary; others learn nothing more than 403. */
  async function ownPost(p: Principal, taskId: string) {
    const task = await deps.tasksRepository.findById(taskId);
    if (!task) throw notFound('岗位不存在');
    if (!isSecretaryOf(p, task.communityOrgId)) throw forbidden('只有本社区书记可以管理该岗位');
    return task;
  }

  return {
    /** The answer from memory when the post is known full; null: ask `claim`. Never waits. */
    refusalFromMemory(taskId: string, memberId: string): GateRefusal | null {
      return gate ? gate.refusal(taskId, memberId) : null;
    },

    /** The claim, or the refusal the gate answered from memory (the caller sends its prebuilt body). */
    async claim(p: Claimant, taskId: string): Promise<ClaimCreateResponse | GateRefusal> {
      const memberId = memberOf(p);
      let pass = gate?.admit(taskId, memberId);
      if (pass instanceof Promise) pass = await pass;
      if (typeof pass === 'string') return pass;
      let outcome: ClaimOutcome = null;
      try {
        const r = await decide(undefined, taskId, memberId, deps.clock.now());
        if (r instanceof Refused) {
          outcome = r.outcome;
          throw r.error;
        }
        outcome = { kind: 'claimed', remaining: r.remaining };
        return r;
      } catch (e) {
        if (isDuplicateClaim(e)) throw new AppError('ALREADY_CLAIMED');
        throw e;
      } finally {
        if (pass) gate!.settle(pass, outcome);
      }
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
          const result = await repo.withTransaction(async (client) => {
            if (!(await repo.reserveKey(client, p.userId, key, requestHash, now, staleBefore))) {
              return { fresh: false as const, replay: await repo.findKey(client, p.userId, key) };
            }
            let answer: StoredAnswer;
            try {
              answer = { statusCode: 201, body: await attempt(client, taskId, memberId, now) };
            } catch (e) {
              if (!(e instanceof AppError)) throw e;
              const body: ErrorBody = { code: e.code, message: e.message, requestId };
              answer = { statusCode: e.statusCode, body };
            }
            await repo.storeKey(client, p.userId, key, answer);
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

    async cancelMine(p: Claimant, taskId: string): Promise<Claim> {
      const memberId = memberOf(p);
      const now = deps.clock.now();
      for (let i = 0; i < MAX_ATTEMPTS; i++) {
        let a;
        try {
          a = await repo.cancelMine(taskId, memberId, now);
        } catch (e) {
          if (isRetryable(e)) continue;
          throw e;
        }
        if (a.ok) {
          // This process stops answering "full" at once; others hear the count notification.
          gate?.forget(taskId);
          return toClaim(a.claim, now);
        }
        if (a.sStatus === null) throw notFound('岗位不存在');
        if (a.sMine === null) throw new AppError('NOT_CLAIMED', '您未认领该岗位');
        if (a.sMine !== 'claimed' || a.sStatus !== 'open' || !a.sBeforeCutoff) throw new AppError('CANCEL_TOO_LATE');
      }
      throw new AppError('SERVICE_UNAVAILABLE');
    },

    async claimants(p: Principal, taskId: string): Promise<ClaimantList> {
      const task = await ownPost(p, taskId);
      const now = deps.clock.now();
      const rows = await repo.liveClaimsOf(taskId);
      const cards = new Map((await deps.membersRepository.findMemberCards(rows.map((r) => r.memberId))).map((c) => [c.id, c]));
      return {
        items: rows.flatMap((r) => {
          const member = cards.get(r.memberId);
          return member ? [{ claim: toClaim(r, now, task.endsAt), member }] : [];
        }),
      };
    },

    async checkIn(p: Principal, taskId: string, token: string): Promise<Claim> {
      const task = await ownPost(p, taskId);
      const { memberId } = deps.pioneerCodes.verify(token);
      const now = deps.clock.now();
      const done = await repo.checkIn(taskId, memberId, now);
      if (done) return toClaim(done, now, task.endsAt);
      const live = await repo.liveClaim(taskId, memberId);
      if (!live) throw new AppError('NOT_CLAIMED');
      // A second scan of the same code answers like the first.
      if (live.status === 'checked_in') return toClaim(live, now, task.endsAt);
      if (live.status === 'completed') throw new AppError('CONFLICT', '该党员已完成本岗位服务');
      throw new AppError('CLAIM_CLOSED', '岗位已结束，无法签到');
    },

    async checkOut(p: Principal, taskId: string, token: string): Promise<Claim> {
      const task = await ownPost(p, taskId);
      const { memberId } = deps.pioneerCodes.verify(token);
      const now = deps.clock.now();
      const done = await repo.checkOut(taskId, memberId, now);
      if (done) return toClaim(done, now, task.endsAt);
      const live = await repo.liveClaim(taskId, memberId);
      if (!live) throw new AppError('NOT_CLAIMED');
      if (live.status === 'completed') return toClaim(live, now, task.endsAt);
      throw new AppError('CONFLICT', '该党员尚未签到');
    },

    async records(p: Claimant): Promise<Records> {
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
