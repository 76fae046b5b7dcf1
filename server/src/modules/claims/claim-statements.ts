import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { claims, tasks } from '../../db/schema';
import { arrayParam } from '../../db/sql-text';
import type { ClaimRow } from './claim-mappers';
import { noShowCondition } from './no-show-rule';

/**
 * The claims' rows as the waitlist and the draw change them: in the transaction handed in,
 * after the post's row was locked (the lock order of claims-sql.ts). Every write of `claims`
 * lives in this module. Each is one statement, one round trip.
 */
export const claimStatements = {
  /** An accepted offer becomes a claim. */
  async insert(tx: DbOrTx, taskId: string, memberId: string, now: Date): Promise<ClaimRow> {
    const [row] = await tx.insert(claims).values({ taskId, memberId, status: 'claimed', claimedAt: now }).returning();
    return row;
  },

  /** A draw's winners get their claims; their ids in the winners' order. */
  async insertWinners(tx: DbOrTx, taskId: string, memberIds: string[], now: Date): Promise<string[]> {
    const won = await tx.execute<{ id: string }>(sql`
      insert into ${claims} (task_id, member_id, status, claimed_at)
      select ${taskId}::uuid, m, 'claimed', ${now}::timestamptz from unnest(${arrayParam(memberIds)}::uuid[]) m returning id`);
    return won.rows.map((r) => r.id);
  },

  /** A live claim ends: `cancelled` by its member or `released` by the secretary (with the reason). */
  async end(
    tx: DbOrTx,
    claimId: string,
    how: { status: 'cancelled' } | { status: 'released'; reason: string },
    now: Date,
  ): Promise<ClaimRow> {
    const [row] = await tx
      .update(claims)
      .set(
        how.status === 'cancelled'
          ? { status: 'cancelled', cancelledAt: now }
          : { status: 'released', releasedAt: now, releaseReason: how.reason },
      )
      .where(eq(claims.id, claimId))
      .returning();
    return row;
  },

  /** Marks a no-show (written down or pending, by the one rule) as excused; null when the claim is no no-show. */
  async excuseNoShow(tx: DbOrTx, taskId: string, claimId: string, reason: string, now: Date): Promise<ClaimRow | null> {
    const [row] = await tx
      .update(claims)
      .set({ status: 'no_show', excused: true, excuseReason: reason })
      .from(tasks)
      .where(and(eq(claims.id, claimId), eq(claims.taskId, taskId), eq(tasks.id, claims.taskId), noShowCondition(now)))
      .returning(getTableColumns(claims));
    return row ?? null;
  },
};
