import { and, asc, desc, eq, getTableColumns, notInArray, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { transaction, type Tx } from '../../db/transaction';
import { dateOf, datesOf, executeNamed, sqlText } from '../../db/sql-text';
import { claims, idempotencyKeys, partyOrgs, tasks } from '../../db/schema';
import type { TaskRow } from '../tasks/task-mappers';
import type { FullSnapshot } from '../claim-gate/claim-types';
import { claimFromRow, type ClaimRow } from './claim-mappers';
import { pendingNoShowSql } from './no-show-rule';
import { EMPTY_CANCELLED_POST_CTE, LEAVE_QUEUES_STATEMENT, postSlots } from '../tasks/post-slots';
import { EXPIRE_POST_QUEUE_CTE, EXPIRE_STARTED_WAITING_CTE } from '../waitlist/waitlist-sql';
import { CHECK_IN_SQL, CHECK_OUT_SQL, CLAIM_BATCH_SQL, CLAIM_SQL, FULL_POST_SQL, LIVE_CLAIM_SQL, notifyCount } from './claims-sql';

/** What the post looked like to the statement that could not change it. */
interface PostSnapshot {
  sStatus: 'open' | 'cancelled' | 'ended' | null;
  sClaimed: number | null;
  sCapacity: number | null;
  sOpened: boolean | null;
  sBeforeEnd: boolean | null;
  sMine: boolean;
  /** Not a directed post, or the member is of its unit. */
  sInAudience: boolean;
  sSuspendedUntil: Date | null;
  /** The session token's version is not the user's any more (logged out, revoked, 注销). */
  sRevoked: boolean;
}

export type ClaimAttempt = { ok: true; claimId: string; claimedAt: Date; remaining: number } | ({ ok: false } & PostSnapshot);

/** What one batch statement did; `status` null: no such post. */
export interface BatchAttempt {
  status: 'open' | 'cancelled' | 'ended' | null;
  claimedBefore: number;
  capacity: number;
  opensAt: Date | null;
  endsAt: Date | null;
  /** A draw post whose draw has not run: claims are not open yet. */
  drawPending: boolean;
  fresh: boolean;
  /** The post's row version after the batch (tasks.version); null: no such post. */
  version: number | null;
  /** Granted, in arrival order, with their claim ids. */
  members: string[];
  claimIds: string[];
  /** The post's live claimants, when it takes no more claims. */
  holders: string[] | null;
  /** Members of the batch suspended by the no-show policy, with the end of their suspension. */
  suspended: Map<string, Date>;
  /** Members of the batch whose session token was revoked: granted nothing. */
  stale: string[];
  /** Members of the batch outside a directed post's unit (NOT_IN_AUDIENCE). */
  outsiders: Set<string>;
  /** Every member suspended now, when the batch left the post full. */
  suspendedNow: Map<string, Date> | null;
}

export interface StoredAnswer {
  statusCode: number;
  body: unknown;
}

/** json_object_agg's `{ memberId: suspendedUntil }` (see suspendedAt in claims-sql.ts). */
const suspendedMap = (o: Record<string, string>) => new Map(Object.entries(o).map(([m, until]) => [m, new Date(until)]));

const taskColumns = { ...getTableColumns(tasks), communityName: partyOrgs.name };
const NOT_LIVE = ['cancelled', 'released'] as const;

export function claimsRepositoryFactory(deps: { db: Db }) {
  const { db } = deps;

  const myClaimQuery = db
    .select()
    .from(claims)
    .where(and(eq(claims.taskId, sql.placeholder('taskId')), eq(claims.memberId, sql.placeholder('memberId'))))
    .orderBy(sql`(${claims.status} not in ('cancelled', 'released')) desc`, desc(claims.claimedAt))
    .limit(1)
    .prepare('my_claim_on_task');

  return {
    /** Every claim of the member, cancelled ones too, with the post it was on and the reasons given on it: the member's export. */
    async personalData(memberId: string, tx: DbOrTx = db) {
      return tx
        .select({
          claim: claims,
          title: tasks.title,
          community: partyOrgs.name,
          startsAt: tasks.startsAt,
          endsAt: tasks.endsAt,
        })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(eq(claims.memberId, memberId))
        .orderBy(asc(claims.claimedAt));
    },

    /**
     * 注销's part here: past claims move to `anonymous`, an id that names nobody (they stay
     * counted, together, but detached), and lose the reasons staff wrote on them (a release or
     * an excuse may name the person); the user's idempotency keys go.
     */
    async eraseMember(memberId: string, userId: string, anonymous: string, tx: DbOrTx): Promise<void> {
      await tx.update(claims).set({ memberId: anonymous, releaseReason: null, excuseReason: null }).where(eq(claims.memberId, memberId));
      await tx.delete(idempotencyKeys).where(eq(idempotencyKeys.userId, userId));
    },

    /** `tokenVersion`: the claiming session token's version, checked against the user's. */
    async claim(taskId: string, memberId: string, tokenVersion: number, now: Date, tx: DbOrTx = db): Promise<ClaimAttempt> {
      const { rows } = await executeNamed(tx, 'claim_task', CLAIM_SQL, [taskId, memberId, now, tokenVersion]);
      const r = rows[0];
      if (r.claim_id) return { ok: true, claimId: r.claim_id, claimedAt: dateOf(r.claimed_at)!, remaining: r.remaining };
      return {
        ok: false,
        sStatus: r.s_status,
        sClaimed: r.s_claimed,
        sCapacity: r.s_capacity,
        sOpened: r.s_opened,
        sBeforeEnd: r.s_before_end,
        sMine: r.s_mine,
        sInAudience: r.s_in_audience !== false,
        sSuspendedUntil: dateOf(r.s_suspended_until),
        sRevoked: r.s_revoked === true,
      };
    },

    /** Distinct member ids, in arrival order, with their session tokens' versions. */
    async claimBatch(taskId: string, memberIds: string[], tokenVersions: number[], now: Date): Promise<BatchAttempt> {
      // The member and version lists go as one array parameter each (sqlText/executeNamed never expand them).
      const { rows } = await executeNamed(db, 'claim_batch', CLAIM_BATCH_SQL, [taskId, memberIds, now, tokenVersions]);
      const r = rows[0];
      const suspended = new Map<string, Date>();
      const until = datesOf(r.suspended_until);
      (r.suspended as string[]).forEach((m, i) => suspended.set(m, until[i]));
      return {
        status: r.status,
        claimedBefore: r.claimed_before,
        capacity: r.capacity,
        opensAt: dateOf(r.claim_opens_at),
        endsAt: dateOf(r.ends_at),
        drawPending: r.draw_pending === true,
        fresh: r.fresh,
        // int8 arrives as a string from pg.
        version: r.version === null ? null : Number(r.version),
        members: r.members,
        claimIds: r.ids,
        holders: r.holders,
        suspended,
        stale: r.stale,
        outsiders: new Set(r.outsiders as string[]),
        suspendedNow: r.suspended_now ? suspendedMap(r.suspended_now) : null,
      };
    },

    /** The user's session token of `tokenVersion` is still valid (not logged out or revoked since). */
    async sessionValid(tx: DbOrTx, userId: string, tokenVersion: number): Promise<boolean> {
      const { rows } = await executeNamed(tx, 'session_valid', 'select 1 from users where id = $1::uuid and token_version = $2::int', [
        userId,
        tokenVersion,
      ]);
      return rows.length > 0;
    },

    async fullPost(taskId: string, now: Date): Promise<FullSnapshot | null> {
      const { rows } = await executeNamed(db, 'full_post', FULL_POST_SQL, [taskId, now]);
      const r = rows[0];
      if (!r) return null;
      return {
        status: r.status,
        claimed: r.claimed,
        capacity: r.capacity,
        opensAt: dateOf(r.claim_opens_at)!,
        endsAt: dateOf(r.ends_at)!,
        holders: r.holders,
        suspended: suspendedMap(r.suspended_now),
        version: Number(r.version),
      };
    },

    /** Check-in (`claimed` → `checked_in`) or check-out (`checked_in` → `completed`, minutes counted). */
    async check(kind: 'in' | 'out', taskId: string, memberId: string, now: Date): Promise<ClaimRow | null> {
      const { rows } =
        kind === 'in'
          ? await executeNamed(db, 'check_in', CHECK_IN_SQL, [taskId, memberId, now])
          : await executeNamed(db, 'check_out', CHECK_OUT_SQL, [taskId, memberId, now]);
      return rows[0] ? claimFromRow(rows[0]) : null;
    },

    async liveClaim(taskId: string, memberId: string): Promise<ClaimRow | null> {
      const { rows } = await executeNamed(db, 'live_claim', LIVE_CLAIM_SQL, [taskId, memberId]);
      return rows[0] ? claimFromRow(rows[0]) : null;
    },

    /** The member's live claim on the task, else its latest ended one. */
    async findMyClaim(taskId: string, memberId: string): Promise<ClaimRow | null> {
      const [row] = await myClaimQuery.execute({ taskId, memberId });
      return row ?? null;
    },

    async findClaim(claimId: string): Promise<ClaimRow | null> {
      const [row] = await db.select().from(claims).where(eq(claims.id, claimId));
      return row ?? null;
    },

    async liveClaimsOf(taskId: string): Promise<ClaimRow[]> {
      return db
        .select()
        .from(claims)
        .where(and(eq(claims.taskId, taskId), notInArray(claims.status, [...NOT_LIVE])))
        .orderBy(asc(claims.claimedAt), asc(claims.id));
    },

    /** A member's service record: every live claim, newest first. */
    async recordsOf(memberId: string): Promise<Array<{ task: TaskRow; claim: ClaimRow }>> {
      return db
        .select({ task: taskColumns, claim: getTableColumns(claims) })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(and(eq(claims.memberId, memberId), notInArray(claims.status, [...NOT_LIVE])))
        .orderBy(desc(tasks.startsAt), desc(claims.claimedAt));
    },

    /**
     * Cancels an open post with its live claims, waitlist and offers, in one transaction. The
     * post's row is locked first, as every claim statement locks it first, so they never
     * deadlock; the statements after the lock see every claim committed before it.
     */
    /** `onLocked` runs in the transaction once the post is locked, before its claims end (notifications). */
    async cancelPost(id: string, now: Date, onLocked?: (tx: Tx) => Promise<unknown>): Promise<boolean> {
      return transaction(db, async (tx) => {
        if (!(await postSlots.cancelOpen(tx, id, now))) return false;
        await onLocked?.(tx);
        await tx.execute(
          sqlText(
            `with c as (
               update claims set status = 'cancelled', cancelled_at = $2::timestamptz
                where task_id = $1::uuid and status in ('claimed', 'checked_in')
               returning 1
             ), w as (${EXPIRE_POST_QUEUE_CTE}
             ), t as (${EMPTY_CANCELLED_POST_CTE}
             )
             select ${notifyCount('t')} from t`,
            [id, now],
          ),
        );
        return true;
      });
    },

    /**
     * Writes down what time already decided: claims still `claimed` on ended posts are
     * no-shows, waiting entries of ended posts expire. Returns the members with new no-shows.
     */
    async settleNoShows(now: Date): Promise<string[]> {
      const { rows } = await db.execute<{ member_id: string }>(
        sqlText(
          `update claims c set status = 'no_show'
             from tasks t
            where c.task_id = t.id and ${pendingNoShowSql('c', 't', '$1::timestamptz')}
            returning c.member_id`,
          [now],
        ),
      );
      await db.execute(
        sqlText(
          `with w as (${EXPIRE_STARTED_WAITING_CTE}
           )${LEAVE_QUEUES_STATEMENT}`,
          [now],
        ),
      );
      return [...new Set(rows.map((r) => r.member_id))];
    },

    withTransaction,

    /**
     * Takes the key for this request inside the caller's transaction. A concurrent request
     * with the same key waits here until the first commits, then finds its answer. A key
     * older than `staleBefore` is taken over as new.
     */
    async reserveKey(tx: DbOrTx, userId: string, key: string, requestHash: string, now: Date, staleBefore: Date): Promise<boolean> {
      const { rowCount } = await executeNamed(
        tx,
        'idempotency_reserve',
        `insert into idempotency_keys (user_id, key, request_hash, status_code, response, created_at)
               values ($1::uuid, $2, $3, 0, 'null'::jsonb, $4::timestamptz)
               on conflict (user_id, key) do update
                 set request_hash = excluded.request_hash, status_code = 0, response = 'null'::jsonb, created_at = excluded.created_at
                 where idempotency_keys.created_at < $5::timestamptz`,
        [userId, key, requestHash, now, staleBefore],
      );
      return rowCount === 1;
    },

    async findKey(tx: DbOrTx, userId: string, key: string): Promise<{ requestHash: string; answer: StoredAnswer } | null> {
      const { rows } = await executeNamed(
        tx,
        'idempotency_find',
        'select request_hash, status_code, response from idempotency_keys where user_id = $1::uuid and key = $2',
        [userId, key],
      );
      const r = rows[0];
      return r ? { requestHash: r.request_hash, answer: { statusCode: r.status_code, body: r.response } } : null;
    },

    async storeKey(tx: DbOrTx, userId: string, key: string, answer: StoredAnswer): Promise<void> {
      await executeNamed(
        tx,
        'idempotency_store',
        'update idempotency_keys set status_code = $3, response = $4::jsonb where user_id = $1::uuid and key = $2',
        [userId, key, answer.statusCode, JSON.stringify(answer.body)],
      );
    },

    async purgeKeys(before: Date): Promise<number> {
      const res = await db.delete(idempotencyKeys).where(sql`${idempotencyKeys.createdAt} < ${before.toISOString()}::timestamptz`);
      return res.rowCount ?? 0;
    },
  };

  /** The claim's transaction, on this module's one helper: the statements take the `tx` it hands in. */
  function withTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return transaction(db, fn);
  }
}

export type ClaimsRepository = ReturnType<typeof claimsRepositoryFactory>;
