import type pg from 'pg';
import { claimFromRow, type ClaimRow } from './claim-mappers';
import { noShowSql } from './no-show-rule';

/**
 * The claims' rows as the waitlist and the draw change them: on the client holding their
 * transaction, after the post's row was locked (the lock order of claims-sql.ts). Every write
 * of `claims` lives in this module.
 */
export const claimStatements = {
  /** An accepted offer becomes a claim. */
  async insert(c: pg.PoolClient, taskId: string, memberId: string, now: Date): Promise<ClaimRow> {
    const { rows } = await c.query(
      `insert into claims (task_id, member_id, status, claimed_at) values ($1::uuid, $2::uuid, 'claimed', $3::timestamptz) returning *`,
      [taskId, memberId, now],
    );
    return claimFromRow(rows[0]);
  },

  /** A draw's winners get their claims; their ids in the winners' order. */
  async insertWinners(c: pg.PoolClient, taskId: string, memberIds: string[], now: Date): Promise<string[]> {
    const won = await c.query(
      `insert into claims (task_id, member_id, status, claimed_at)
       select $1::uuid, m, 'claimed', $3::timestamptz from unnest($2::uuid[]) m returning id`,
      [taskId, memberIds, now],
    );
    return won.rows.map((r) => r.id);
  },

  /** A live claim ends: `cancelled` by its member or `released` by the secretary (with the reason). */
  async end(
    c: pg.PoolClient,
    claimId: string,
    how: { status: 'cancelled' } | { status: 'released'; reason: string },
    now: Date,
  ): Promise<ClaimRow> {
    const { rows } =
      how.status === 'cancelled'
        ? await c.query(`update claims set status = 'cancelled', cancelled_at = $2::timestamptz where id = $1::uuid returning *`, [
            claimId,
            now,
          ])
        : await c.query(
            `update claims set status = 'released', released_at = $2::timestamptz, release_reason = $3 where id = $1::uuid returning *`,
            [claimId, now, how.reason],
          );
    return claimFromRow(rows[0]);
  },

  /** Marks a no-show (written down or pending, by the one rule) as excused; null when the claim is no no-show. */
  async excuseNoShow(c: pg.PoolClient, taskId: string, claimId: string, reason: string, now: Date): Promise<ClaimRow | null> {
    const { rows } = await c.query(
      `update claims c set status = 'no_show', excused = true, excuse_reason = $3
         from tasks t
        where c.id = $1::uuid and c.task_id = $2::uuid and t.id = c.task_id and ${noShowSql('c', 't', '$4::timestamptz')}
       returning c.*`,
      [claimId, taskId, reason, now],
    );
    return rows[0] ? claimFromRow(rows[0]) : null;
  },
};
