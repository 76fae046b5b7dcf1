import type { Claim } from '@pioneer/shared';
import type { claims } from '../../db/schema';
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

/** pg rows come back snake_case; claim rows from raw statements are mapped to the drizzle shape here. */
export function claimFromRow(r: Record<string, unknown>): ClaimRow {
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
    promoted: (r.promoted as boolean | undefined) ?? false,
    releasedAt: (r.released_at as Date | null) ?? null,
    releaseReason: (r.release_reason as string | null) ?? null,
    excused: (r.excused as boolean | undefined) ?? false,
    excuseReason: (r.excuse_reason as string | null) ?? null,
    source: (r.source as ClaimRow['source'] | undefined) ?? 'scan',
    recordVersion: (r.record_version as number | undefined) ?? 1,
  };
}
