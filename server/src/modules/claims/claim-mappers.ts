import type { Claim } from '@pioneer/shared';
import type { claims } from '../../db/schema';
import { dateOf, type RawRow } from '../../db/sql-text';
import { claimStatus } from './no-show-rule';

export { claimStatus };

export type ClaimRow = typeof claims.$inferSelect;

export function toClaim(row: ClaimRow, now: Date, taskEndsAt: Date | null = null): Claim {
  const status = claimStatus(row.status, taskEndsAt, now);
  return {
    id: row.id,
    taskId: row.taskId,
    memberId: row.memberId,
    status,
    claimedAt: row.claimedAt.toISOString(),
    cancelledAt: row.cancelledAt ? row.cancelledAt.toISOString() : null,
    checkedInAt: row.checkedInAt ? row.checkedInAt.toISOString() : null,
    checkedOutAt: row.checkedOutAt ? row.checkedOutAt.toISOString() : null,
    minutes: row.minutes,
    ...(row.promoted ? { promoted: true } : {}),
    ...(status === 'no_show' && row.excused ? { excused: true } : {}),
  };
}

/**
 * A claims row as the hot path's statements return it (`returning c.*`, sent as written with
 * `executeNamed`, which drizzle cannot type): the drizzle row, timestamps parsed from their text.
 */
export function claimFromRow(r: RawRow): ClaimRow {
  return {
    id: r.id,
    taskId: r.task_id,
    memberId: r.member_id,
    status: r.status,
    claimedAt: dateOf(r.claimed_at)!,
    cancelledAt: dateOf(r.cancelled_at),
    checkedInAt: dateOf(r.checked_in_at),
    checkedOutAt: dateOf(r.checked_out_at),
    minutes: r.minutes,
    promoted: r.promoted,
    releasedAt: dateOf(r.released_at),
    releaseReason: r.release_reason,
    excused: r.excused,
    excuseReason: r.excuse_reason,
    source: r.source,
    recordVersion: r.record_version,
  };
}
