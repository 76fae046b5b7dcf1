import type { Claim, ClaimCreateResponse, Draw, DrawEntry, MyEntry, MyWaitlist, Standing, WaitlistEntry } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction, type Tx } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { AppError, notFound } from '../../lib/errors';
import { isRetryableConflict, isUniqueViolation } from '../../lib/pg-errors';
import type { Notifier } from '../notifications';
import type { TaskRow } from '../tasks/task-mappers';
import { suspended } from '../claim-gate/claim-refusals';
import { toClaim } from '../claims/claim-mappers';
import type { ClaimsPort } from '../claims/claims-port';
import { entriesRootOf, rankTickets, ticketOf } from './draw';
import { standingOf, type NoShowPolicy } from './standing';
import type { EntryRow, LockedPost, WaitlistRepository } from './waitlist-repository';
import { waitlistQueue } from './waitlist-queue';

const MAX_ATTEMPTS = 5;
/** Lost a race PostgreSQL broke (deadlock, serialization) or a duplicate insert: run the transaction again. */
const isRetryable = (e: unknown) => isRetryableConflict(e) || isUniqueViolation(e);

/** A transaction's answer, and an error to throw only after it committed (an expired offer moves on, then 410). */
type Outcome<T> = { value: T } | { error: AppError };

/**
 * The waitlist (候补) with its offers, the secretary's release and excuse, member cancels, the
 * fair draw (抽签) and the no-show policy. Every change of a post's slots runs in one
 * transaction that locks the post's row first, so a freed slot and the offer it becomes are
 * written together, and two server processes take turns on a post.
 */
export function waitlistServiceFactory(deps: {
  db: Db;
  claimsRepository: Pick<ClaimsPort, 'settleNoShows'>;
  waitlistRepository: WaitlistRepository;
  clock: Clock;
  policy: NoShowPolicy;
  notifier: Notifier; // the outbox writer (app.ts): a draw's results are written in the draw's transaction
  /** Told after a post's slots changed in this process (the claim gate forgets it at once). */
  onChange?: (taskId: string) => void;
}) {
  const wl = deps.waitlistRepository;

  /** Runs `fn` in a transaction on the post's locked row, again if it lost a race; NOT_FOUND without a post. */
  async function onPost<T>(
    taskId: string,
    fn: (c: Tx, post: LockedPost, now: Date) => Promise<Outcome<T>>,
    opts: { movesSlots: boolean } = { movesSlots: true },
  ): Promise<T> {
    for (let i = 0; ; i++) {
      const now = deps.clock.now();
      let out: Outcome<T>;
      try {
        out = await transaction(deps.db, async (c) => {
          const post = await wl.lockPost(c, taskId);
          if (!post) return { error: notFound('岗位不存在') };
          return fn(c, post, now);
        });
      } catch (e) {
        if (i < MAX_ATTEMPTS && isRetryable(e)) continue;
        throw e;
      } finally {
        // Joining a queue leaves the slots as they were: the gate keeps answering "full" from memory.
        if (opts.movesSlots) deps.onChange?.(taskId);
      }
      if ('error' in out) throw out.error;
      return out.value;
    }
  }

  const fail = (code: ConstructorParameters<typeof AppError>[0], message?: string) => ({ error: new AppError(code, message) });

  async function entryView(q: DbOrTx, e: EntryRow): Promise<WaitlistEntry> {
    return {
      taskId: e.taskId,
      position: e.status === 'waiting' ? await wl.position(q, e.id) : null,
      status: e.status,
      offerExpiresAt: e.status === 'offered' && e.offerExpiresAt ? e.offerExpiresAt.toISOString() : null,
    };
  }

  type Step<T> = (c: Tx, post: LockedPost, now: Date) => Promise<Outcome<T>>;

  /** Member cancel on the locked post: before the cutoff (a promoted claim: before the start). */
  const cancelStep =
    (memberId: string, taskId: string): Step<Claim> =>
    async (c, post, now) => {
      const claim = await wl.liveClaimOf(c, taskId, memberId);
      if (!claim) return fail('NOT_CLAIMED', '您未认领该岗位');
      const cutoff = post.startsAt.getTime() - (claim.promoted ? 0 : post.cancelCutoffMinutes * 60_000);
      if (claim.status !== 'claimed' || post.status !== 'open' || now.getTime() >= cutoff) return fail('CANCEL_TOO_LATE');
      const ended = await wl.endClaim(c, claim, { status: 'cancelled' }, now);
      await wl.notify(c, taskId);
      return { value: toClaim(ended, now) };
    };

  const leaveStep =
    (memberId: string, taskId: string): Step<WaitlistEntry> =>
    async (c, _post, now) => {
      const e = await wl.activeEntry(c, taskId, memberId);
      if (!e) return fail('NOT_WAITLISTED');
      const left = await wl.close(c, e, 'left', now);
      if (e.status === 'offered') await wl.notify(c, taskId);
      return { value: await entryView(c, left) };
    };

  const withdrawStep =
    (memberId: string, taskId: string): Step<DrawEntry> =>
    async (c, post, now) => {
      if (post.drawnAt || (post.drawAt && post.drawAt <= now)) return fail('DRAW_CLOSED');
      const ticket = await wl.withdrawEntry(c, taskId, memberId, now);
      if (ticket === null) return { error: notFound('您未报名该抽签') };
      return { value: { taskId, status: 'withdrawn' as const, ticket } };
    };

  /** Recomputes a member's standing and writes it where the claim statements read it. */
  async function restand(q: DbOrTx, memberId: string, now: Date): Promise<Standing> {
    const days = 2 * deps.policy.windowDays + deps.policy.suspendDays;
    const s = standingOf(await wl.noShowTimes(q, memberId, now, days), deps.policy, now);
    await wl.storeStanding(q, memberId, s, now);
    return { noShows: s.noShows, suspendedUntil: s.suspendedUntil?.toISOString() ?? null };
  }

  /** An expired offer on a locked post: ended, its slot passed on. */
  async function expireOn(c: Tx, taskId: string, now: Date): Promise<number> {
    const gone = await wl.expireOffers(c, taskId, now);
    for (const e of gone) {
      await wl.unhold(c, e.taskId);
      await wl.freeSlot(c, taskId, now);
    }
    if (gone.length > 0) await wl.notify(c, taskId);
    return gone.length;
  }

  return {
    /** Member cancel: before the cutoff (a promoted claim: before the start); the slot goes to the waitlist. */
    cancelMine(memberId: string, taskId: string): Promise<Claim> {
      return onPost(taskId, cancelStep(memberId, taskId));
    },

    /** The secretary frees a member's slot (with a reason kept on the claim; the routes let only its secretary). */
    async release(taskId: string, claimId: string, reason: string): Promise<Claim> {
      return onPost(taskId, async (c, post, now) => {
        const claim = await wl.claimById(c, taskId, claimId);
        if (!claim) return { error: notFound('认领记录不存在') };
        if (claim.status === 'released') return { value: toClaim(claim, now, post.endsAt) };
        if (claim.status !== 'claimed' || post.status !== 'open' || post.endsAt <= now) {
          return fail('CONFLICT', '该认领已结束，无法释放');
        }
        const ended = await wl.endClaim(c, claim, { status: 'released', reason }, now);
        await wl.notify(c, taskId);
        return { value: toClaim(ended, now, post.endsAt) };
      });
    },

    /** The secretary excuses a no-show: it stops counting toward suspension at once. */
    async excuse(task: TaskRow, claimId: string, reason: string): Promise<Claim> {
      const taskId = task.id;
      const now = deps.clock.now();
      return transaction(deps.db, async (c) => {
        const claim = await wl.excuseNoShow(c, taskId, claimId, reason, now);
        if (!claim) {
          if (!(await wl.claimById(c, taskId, claimId))) throw notFound('认领记录不存在');
          throw new AppError('CONFLICT', '只有未到岗的认领可以免责');
        }
        await restand(c, claim.memberId, now);
        return toClaim(claim, now, task.endsAt);
      });
    },

    join(memberId: string, taskId: string): Promise<WaitlistEntry> {
      return onPost(
        taskId,
        async (c, post, now) => {
          if (post.status === 'cancelled') return fail('TASK_CANCELLED');
          if (post.status === 'ended' || post.startsAt <= now) return fail('CLAIM_CLOSED');
          if (post.claimOpensAt > now || (post.allocation === 'draw' && !post.drawnAt)) return fail('CLAIM_NOT_OPEN');
          // Under the post's lock: a waitlist of a directed post holds only its unit's members.
          if (!(await wl.inAudience(c, taskId, memberId))) return fail('NOT_IN_AUDIENCE');
          const until = await wl.suspendedUntil(c, memberId, now);
          if (until) return { error: suspended(until) };
          if (await wl.liveClaimOf(c, taskId, memberId)) return fail('ALREADY_CLAIMED');
          if (await wl.activeEntry(c, taskId, memberId)) return fail('ALREADY_WAITLISTED');
          if (post.claimed < post.capacity) return fail('CONFLICT', '还有名额，请直接抢岗');
          return { value: await entryView(c, await wl.join(c, taskId, memberId, now)) };
        },
        { movesSlots: false },
      );
    },

    leave(memberId: string, taskId: string): Promise<WaitlistEntry> {
      return onPost(taskId, leaveStep(memberId, taskId));
    },

    accept(memberId: string, taskId: string): Promise<ClaimCreateResponse> {
      return onPost(taskId, async (c, post, now) => {
        const e = await wl.activeEntry(c, taskId, memberId);
        if (!e || e.status !== 'offered') {
          // The expiry job got there first: the offer already moved on.
          return fail((await wl.latestStatus(c, taskId, memberId)) === 'expired' && !e ? 'OFFER_EXPIRED' : 'NOT_WAITLISTED');
        }
        if (e.offerExpiresAt && e.offerExpiresAt <= now) {
          // Too late: the offer moves on in this transaction, then the member hears 410.
          await expireOn(c, taskId, now);
          return fail('OFFER_EXPIRED');
        }
        const { claim, remaining } = await wl.accept(c, e, now);
        await wl.notify(c, taskId);
        return { value: { claim: toClaim(claim, now, post.endsAt), remaining } };
      });
    },

    decline(memberId: string, taskId: string): Promise<WaitlistEntry> {
      return onPost(taskId, async (c, _post, now) => {
        const e = await wl.activeEntry(c, taskId, memberId);
        if (!e) return fail('NOT_WAITLISTED');
        if (e.status === 'offered' && e.offerExpiresAt && e.offerExpiresAt <= now) {
          await expireOn(c, taskId, now);
          return fail('OFFER_EXPIRED');
        }
        const closed = await wl.close(c, e, 'declined', now);
        if (e.status === 'offered') await wl.notify(c, taskId);
        return { value: await entryView(c, closed) };
      });
    },

    /**
     * One statement on the post's locked row (entries of a hot draw queue on it, so it is held
     * for one round trip only); the refusal is explained from what the statement saw.
     */
    async enter(memberId: string, taskId: string, nonce: string): Promise<DrawEntry> {
      const ticket = ticketOf(taskId, memberId, nonce);
      for (let i = 0; ; i++) {
        let r;
        try {
          r = await wl.enter(deps.db, taskId, memberId, nonce, ticket, deps.clock.now());
        } catch (e) {
          // Two entries of one member, or one ticket, raced: the unique index decided; run again to explain.
          if (i < MAX_ATTEMPTS && isRetryable(e)) continue;
          throw e;
        }
        if (r.entered) return { taskId, status: 'entered', ticket };
        const now = deps.clock.now();
        if (!r.post) throw notFound('岗位不存在');
        const p = r.post;
        if (p.allocation !== 'draw') throw new AppError('CONFLICT', '该岗位不是抽签岗位');
        if (p.status === 'cancelled') throw new AppError('TASK_CANCELLED');
        if (p.drawnAt || !p.drawAt || p.drawAt <= now || p.status !== 'open') throw new AppError('DRAW_CLOSED');
        if (p.claimOpensAt > now) throw new AppError('CLAIM_NOT_OPEN');
        if (r.suspendedUntil) throw suspended(r.suspendedUntil);
        if (r.mine) throw new AppError('CONFLICT', '您已报名该抽签');
        throw new AppError('CONFLICT', '该签号已被使用，请重试');
      }
    },

    withdraw(memberId: string, taskId: string): Promise<DrawEntry> {
      return onPost(taskId, withdrawStep(memberId, taskId), { movesSlots: false });
    },

    /**
     * 注销's part of the slots, inside the caller's transaction, which already holds the
     * member's row (so no new claim, place or entry of the member can commit meanwhile): the
     * upcoming claims are cancelled (kept, by nobody in particular, inside the cancellation
     * cutoff), waitlist places left (an offer moves on) and draw entries not yet drawn withdrawn.
     * Each post is locked first, as everywhere. The caller tells `slotsChanged` after commit.
     */
    async releaseMember(tx: Tx, memberId: string): Promise<{ cancelled: number; kept: number; taskIds: string[] }> {
      const now = deps.clock.now();
      const held = await wl.heldBy(tx, memberId, now);
      const inPost = async <T>(taskId: string, step: Step<T>): Promise<Outcome<T>> => {
        const post = await wl.lockPost(tx, taskId);
        return post ? step(tx, post, now) : { error: notFound('岗位不存在') };
      };
      let cancelled = 0;
      let kept = 0;
      for (const taskId of held.claims) {
        const out = await inPost(taskId, cancelStep(memberId, taskId));
        if (!('error' in out)) cancelled++;
        // Inside the cancellation cutoff the slot stays taken, now by nobody in particular.
        else if (out.error.code === 'CANCEL_TOO_LATE' || out.error.code === 'NOT_CLAIMED') kept++;
        else throw out.error;
      }
      for (const taskId of held.waitlist) await inPost(taskId, leaveStep(memberId, taskId));
      for (const taskId of held.draws) await inPost(taskId, withdrawStep(memberId, taskId));
      return { cancelled, kept, taskIds: [...new Set([...held.claims, ...held.waitlist])] };
    },

    /** Tells the claim gate that these posts' slots changed (after a commit `releaseMember` was part of). */
    slotsChanged(taskIds: string[]): void {
      for (const taskId of taskIds) deps.onChange?.(taskId);
    },

    /** The post's 候补 queue for its staff (the route's guard), names and phones masked. */
    queue: (task: TaskRow) => waitlistQueue(deps.db, task),

    /** The public draw of a post: tickets while open; seed, root and ranks once drawn; with `memberIds`, who holds each ticket. */
    async draw(task: TaskRow, view: { memberIds: boolean }): Promise<Draw> {
      const taskId = task.id;
      const drawn = task.drawnAt !== null;
      const rows = await wl.drawEntries(deps.db, taskId, drawn);
      return {
        taskId,
        allocation: task.allocation,
        capacity: task.capacity,
        drawAt: task.drawAt?.toISOString() ?? null,
        drawCommitment: task.drawCommitment,
        entered: task.drawEntered,
        status: drawn ? 'drawn' : 'open',
        tickets: rows.map((r) => ({
          ticket: r.ticket,
          // Won and lost entries always carry their rank (settleDraw writes both together).
          ...(drawn ? { rank: r.rank!, won: r.status === 'won' } : {}),
          ...(view.memberIds ? { memberId: r.memberId } : {}),
        })),
        ...(drawn && task.drawSeed && task.entriesRoot ? { seed: task.drawSeed, entriesRoot: task.entriesRoot } : {}),
      };
    },

    /** The member's waitlist entry and draw entry on a post, for `GET /tasks/:id`. */
    async mine(taskId: string, memberId: string): Promise<{ myWaitlist: MyWaitlist | null; myEntry: MyEntry | null }> {
      const [e, d] = await Promise.all([wl.latestEntry(deps.db, taskId, memberId), wl.latestDrawEntry(deps.db, taskId, memberId)]);
      return {
        myWaitlist: e
          ? {
              position: e.status === 'waiting' ? await wl.position(deps.db, e.id) : null,
              status: e.status,
              offerExpiresAt: e.status === 'offered' && e.offerExpiresAt ? e.offerExpiresAt.toISOString() : null,
            }
          : null,
        myEntry: d ? { ticket: d.ticket, status: d.status, rank: d.rank } : null,
      };
    },

    /** The member's standing under the no-show policy, now. */
    standing(memberId: string): Promise<Standing> {
      return restand(deps.db, memberId, deps.clock.now());
    },

    /** Writes down no-shows of ended posts and the standing of their members. */
    async settleNoShows(): Promise<number> {
      const now = deps.clock.now();
      const members = await deps.claimsRepository.settleNoShows(now);
      for (const m of members) await restand(deps.db, m, now);
      return members.length;
    },

    /**
     * Expires offers past their deadline and passes their slots on. A post being changed by
     * another process right now is skipped (SKIP LOCKED) and found again on the next run;
     * under the post's lock an offer is expired exactly once.
     */
    async expireDue(limit = 100): Promise<number> {
      const now = deps.clock.now();
      let n = 0;
      for (const taskId of await wl.postsWithExpiredOffers(deps.db, now, limit)) {
        n += await transaction(deps.db, async (c) =>
          (await wl.lockPost(c, taskId, { skipLocked: true })) ? expireOn(c, taskId, now) : 0,
        ).finally(() => deps.onChange?.(taskId));
      }
      return n;
    },

    /** Runs every draw whose time has come, each exactly once (under the post's lock, `drawn_at` still null). */
    async drawDue(limit = 20): Promise<number> {
      const now = deps.clock.now();
      let n = 0;
      for (const id of await wl.drawsDue(deps.db, now, limit)) {
        const ran = await transaction(deps.db, async (c) => {
          const post = await wl.lockPost(c, id, { skipLocked: true });
          if (!post || post.drawnAt || post.status !== 'open' || !post.drawAt || post.drawAt > now || !post.drawSeed) return false;
          const byTicket = await wl.enteredTickets(c, id);
          const root = entriesRootOf([...byTicket.keys()]);
          const order = rankTickets(post.drawSeed, root, [...byTicket.keys()]);
          const slots = post.capacity - post.claimed;
          const losers = order.slice(slots);
          const memberOf = (t: string) => byTicket.get(t)!;
          const wonClaims = await wl.settleDraw(c, {
            taskId: id,
            order,
            slots,
            winners: order.slice(0, slots).map(memberOf),
            losers: losers.map(memberOf),
            root,
            now,
          });
          // Every entrant hears the result with the draw: winners "中签" (refining their claims' own events), losers "未中签".
          await deps.notifier.enqueueMany(c, [
            ...wonClaims.map((claimId) => ({ kind: 'claim_result' as const, claimId, outcome: 'won' as const })),
            ...losers.map((t) => ({ kind: 'claim_result' as const, taskId: id, memberId: memberOf(t), outcome: 'lost' as const })),
          ]);
          await wl.notify(c, id);
          return true;
        });
        deps.onChange?.(id);
        if (ran) n++;
      }
      return n;
    },
  };
}

export type WaitlistService = ReturnType<typeof waitlistServiceFactory>;
