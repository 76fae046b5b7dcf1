import { postSlots } from '../tasks/post-slots';
import { and, eq, notInArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { claims, tasks } from '../../db/schema';
import type { ClaimRow } from './claim-mappers';
import { notifyCount } from './claims-sql';

/** What a record says: the claim's times and minutes after the minute rule. */
export interface RecordTimes {
  checkedInAt: Date;
  checkedOutAt: Date;
  minutes: number;
}

const NOT_LIVE = ['cancelled', 'released'] as const;

/**
 * The claims module's writes for service records (补记, approved corrections and 补录): the
 * records module asks here, in its own transaction, and never writes claims itself. Lock order
 * as everywhere (claims-sql.ts): the post's row first, then its claims. Every change keeps
 * `tasks.service_minutes` equal to the sum of its claims' minutes.
 */
export function claimRecordsRepository() {
  return {
    async lockPost(tx: DbOrTx, taskId: string): Promise<void> {
      await tx.execute(sql`select 1 from ${tasks} where ${tasks.id} = ${taskId} for no key update`);
    },

    /** The member's live claim on the post, locked (call lockPost first). */
    async lockLiveClaim(tx: DbOrTx, taskId: string, memberId: string): Promise<ClaimRow | null> {
      const [row] = await tx
        .select()
        .from(claims)
        .where(and(eq(claims.taskId, taskId), eq(claims.memberId, memberId), notInArray(claims.status, [...NOT_LIVE])))
        .for('update');
      return row ?? null;
    },

    async lockClaim(tx: DbOrTx, claimId: string): Promise<ClaimRow | null> {
      const [row] = await tx.select().from(claims).where(eq(claims.id, claimId)).for('update');
      return row ?? null;
    },

    /**
     * Makes a live claim a completed record with these times (`bump`: a new version of a record
     * that existed, as a correction makes). Returns the claim as it now is.
     */
    async complete(tx: DbOrTx, claim: ClaimRow, times: RecordTimes, source: ClaimRow['source'], bump: boolean): Promise<ClaimRow> {
      const [row] = await tx
        .update(claims)
        .set({
          status: 'completed',
          checkedInAt: times.checkedInAt,
          checkedOutAt: times.checkedOutAt,
          minutes: times.minutes,
          source,
          recordVersion: bump ? sql`${claims.recordVersion} + 1` : claims.recordVersion,
        })
        .where(eq(claims.id, claim.id))
        .returning();
      const delta = times.minutes - (claim.minutes ?? 0);
      if (delta !== 0) {
        await postSlots.addServiceMinutes(tx, claim.taskId, delta);
      }
      return row;
    },

    /**
     * New completed claims for members who served without one (补记 of an unclaimed member, 补录).
     * The record is what happened: a post that had more people than places grows its capacity to
     * them rather than refuse the truth. One count notification, as every claim statement sends.
     */
    async insertCompleted(
      tx: DbOrTx,
      taskId: string,
      rows: Array<{ memberId: string } & RecordTimes>,
      source: ClaimRow['source'],
      now: Date,
    ): Promise<ClaimRow[]> {
      if (rows.length === 0) return [];
      const inserted = await tx
        .insert(claims)
        .values(
          rows.map((r) => ({
            taskId,
            memberId: r.memberId,
            status: 'completed' as const,
            claimedAt: now,
            checkedInAt: r.checkedInAt,
            checkedOutAt: r.checkedOutAt,
            minutes: r.minutes,
            source,
          })),
        )
        .returning();
      const minutes = rows.reduce((s, r) => s + r.minutes, 0);
      await tx.execute(sql`
        with t as (${postSlots.recordedCte(taskId, rows.length, minutes, now)}
        )
        select ${sql.raw(notifyCount('t'))} from t`);
      return inserted;
    },
  };
}

export type ClaimRecordsRepository = ReturnType<typeof claimRecordsRepository>;
