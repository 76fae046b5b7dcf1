import { and, asc, desc, eq, getTableColumns, ne, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Db } from '../../db/client';
import { claims, idempotencyKeys, partyOrgs, tasks } from '../../db/schema';
import type { ClaimRow, TaskRow } from '../tasks/task-mappers';
import type { FullSnapshot } from './claim-gate';
import { CANCEL_CLAIM_SQL, CHECK_IN_SQL, CHECK_OUT_SQL, CLAIM_BATCH_SQL, CLAIM_SQL, FULL_POST_SQL, LIVE_CLAIM_SQL } from './claims-sql';

/** The pool, or a client holding an open transaction. */
export type Queryable = pg.Pool | pg.PoolClient;

/** What the post looked like to the statement that could not change it. */
export interface PostSnapshot {
  sStatus: 'open' | 'cancelled' | 'ended' | null;
  sClaimed: number | null;
  sCapacity: number | null;
  sOpened: boolean | null;
  sBeforeEnd: boolean | null;
  sMine: boolean;
}

export type ClaimAttempt =
  | { ok: true; claimId: string; claimedAt: Date; remaining: number }
  | ({ ok: false } & PostSnapshot);

/** What one batch statement did; `status` null: no such post. */
export interface BatchAttempt {
  status: 'open' | 'cancelled' | 'ended' | null;
  claimedBefore: number;
  capacity: number;
  opensAt: Date;
  endsAt: Date;
  fresh: boolean;
  /** The post's row version after the batch (tasks.version); null: no such post. */
  version: number | null;
  /** Granted, in arrival order, with their claim ids. */
  members: string[];
  claimIds: string[];
  /** The post's live claimants, when it takes no more claims. */
  holders: string[] | null;
}

export type CancelAttempt =
  | { ok: true; claim: ClaimRow }
  | { ok: false; sStatus: 'open' | 'cancelled' | 'ended' | null; sBeforeCutoff: boolean | null; sMine: ClaimRow['status'] | null };

export interface StoredAnswer {
  statusCode: number;
  body: unknown;
}

/** pg rows come back snake_case; claims rows are mapped to the drizzle shape by hand. */
function claimFromRow(r: Record<string, unknown>): ClaimRow {
  return {
    id: r.id as string,
    taskId: r.task_id as string,
    memberId: r.member_id as string,
    status: r.status as ClaimRow['status'],
    claimedAt: r.claimed_at as Date,
    cancelledAt: (r.cancelled_at as Date | null) ?? null,
    checkedInAt: (r.checked_in_at as Date | null) ?? null,
    checkedOutAt: (r.checked_out_at as Date | null) ?? null,
    minutes: (r.minutes as number | null) ?? null,
  };
}

const taskColumns = { ...getTableColumns(tasks), communityName: partyOrgs.name };

export function claimsRepositoryFactory(deps: { db: Db; pool: pg.Pool }) {
  const { db, pool } = deps;

  return {
    async claim(taskId: string, memberId: string, now: Date, q: Queryable = pool): Promise<ClaimAttempt> {
      const { rows } = await q.query({ name: 'claim_task', text: CLAIM_SQL, values: [taskId, memberId, now] });
      const r = rows[0];
      if (r.claim_id) return { ok: true, claimId: r.claim_id, claimedAt: r.claimed_at, remaining: r.remaining };
      return {
        ok: false,
        sStatus: r.s_status,
        sClaimed: r.s_claimed,
        sCapacity: r.s_capacity,
        sOpened: r.s_opened,
        sBeforeEnd: r.s_before_end,
        sMine: r.s_mine,
      };
    },

    /** Distinct member ids, in arrival order. */
    async claimBatch(taskId: string, memberIds: string[], now: Date): Promise<BatchAttempt> {
      const { rows } = await pool.query({ name: 'claim_batch', text: CLAIM_BATCH_SQL, values: [taskId, memberIds, now] });
      const r = rows[0];
      return {
        status: r.status,
        claimedBefore: r.claimed_before,
        capacity: r.capacity,
        opensAt: r.claim_opens_at,
        endsAt: r.ends_at,
        fresh: r.fresh,
        // int8 arrives as a string from pg.
        version: r.version === null ? null : Number(r.version),
        members: r.members,
        claimIds: r.ids,
        holders: r.holders,
      };
    },

    async fullPost(taskId: string): Promise<FullSnapshot | null> {
      const { rows } = await pool.query({ name: 'full_post', text: FULL_POST_SQL, values: [taskId] });
      const r = rows[0];
      if (!r) return null;
      return {
        status: r.status,
        claimed: r.claimed,
        capacity: r.capacity,
        opensAt: r.claim_opens_at,
        endsAt: r.ends_at,
        holders: r.holders,
        version: Number(r.version),
      };
    },

    async cancelMine(taskId: string, memberId: string, now: Date): Promise<CancelAttempt> {
      const { rows } = await pool.query({ name: 'cancel_claim', text: CANCEL_CLAIM_SQL, values: [taskId, memberId, now] });
      const r = rows[0];
      if (r.id) return { ok: true, claim: claimFromRow(r) };
      return { ok: false, sStatus: r.s_status, sBeforeCutoff: r.s_before_cutoff, sMine: r.s_mine };
    },

    async checkIn(taskId: string, memberId: string, now: Date): Promise<ClaimRow | null> {
      const { rows } = await pool.query({ name: 'check_in', text: CHECK_IN_SQL, values: [taskId, memberId, now] });
      return rows[0] ? claimFromRow(rows[0]) : null;
    },

    async checkOut(taskId: string, memberId: string, now: Date): Promise<ClaimRow | null> {
      const { rows } = await pool.query({ name: 'check_out', text: CHECK_OUT_SQL, values: [taskId, memberId, now] });
      return rows[0] ? claimFromRow(rows[0]) : null;
    },

    async liveClaim(taskId: string, memberId: string): Promise<ClaimRow | null> {
      const { rows } = await pool.query({ name: 'live_claim', text: LIVE_CLAIM_SQL, values: [taskId, memberId] });
      return rows[0] ? claimFromRow(rows[0]) : null;
    },

    async liveClaimsOf(taskId: string): Promise<ClaimRow[]> {
      return db
        .select()
        .from(claims)
        .where(and(eq(claims.taskId, taskId), ne(claims.status, 'cancelled')))
        .orderBy(asc(claims.claimedAt), asc(claims.id));
    },

    /** A member's service record: every claim it did not cancel, newest first. */
    async recordsOf(memberId: string): Promise<Array<{ task: TaskRow; claim: ClaimRow }>> {
      return db
        .select({ task: taskColumns, claim: getTableColumns(claims) })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(and(eq(claims.memberId, memberId), ne(claims.status, 'cancelled')))
        .orderBy(desc(tasks.startsAt), desc(claims.claimedAt));
    },

    async withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await fn(client);
        await client.query('commit');
        return result;
      } catch (e) {
        // A client whose rollback fails (its connection died) is destroyed, not pooled again.
        await client.query('rollback').catch((err: Error) => {
          broken = err;
        });
        throw e;
      } finally {
        client.release(broken);
      }
    },

    /**
     * Takes the key for this request inside the caller's transaction. A concurrent request
     * with the same key waits here until the first commits, then finds its answer. A key
     * older than `staleBefore` is taken over as new.
     */
    async reserveKey(client: pg.PoolClient, userId: string, key: string, requestHash: string, now: Date, staleBefore: Date): Promise<boolean> {
      const { rowCount } = await client.query({
        name: 'idempotency_reserve',
        text: `insert into idempotency_keys (user_id, key, request_hash, status_code, response, created_at)
               values ($1::uuid, $2, $3, 0, 'null'::jsonb, $4::timestamptz)
               on conflict (user_id, key) do update
                 set request_hash = excluded.request_hash, status_code = 0, response = 'null'::jsonb, created_at = excluded.created_at
                 where idempotency_keys.created_at < $5::timestamptz`,
        values: [userId, key, requestHash, now, staleBefore],
      });
      return rowCount === 1;
    },

    async findKey(client: pg.PoolClient, userId: string, key: string): Promise<{ requestHash: string; answer: StoredAnswer } | null> {
      const { rows } = await client.query({
        name: 'idempotency_find',
        text: 'select request_hash, status_code, response from idempotency_keys where user_id = $1::uuid and key = $2',
        values: [userId, key],
      });
      const r = rows[0];
      return r ? { requestHash: r.request_hash, answer: { statusCode: r.status_code, body: r.response } } : null;
    },

    async storeKey(client: pg.PoolClient, userId: string, key: string, answer: StoredAnswer): Promise<void> {
      await client.query({
        name: 'idempotency_store',
        text: 'update idempotency_keys set status_code = $3, response = $4::jsonb where user_id = $1::uuid and key = $2',
        values: [userId, key, answer.statusCode, JSON.stringify(answer.body)],
      });
    },

    async purgeKeys(before: Date): Promise<number> {
      const res = await db.delete(idempotencyKeys).where(sql`${idempotencyKeys.createdAt} < ${before.toISOString()}::timestamptz`);
      return res.rowCount ?? 0;
    },
  };
}

export type ClaimsRepository = ReturnType<typeof claimsRepositoryFactory>;
