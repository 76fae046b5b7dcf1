import type { Claim, ClaimStatus, Task, TaskListItem, TaskStatus } from '@pioneer/shared';
import type { claims, tasks } from '../../db/schema';

export type TaskRow = typeof tasks.$inferSelect & { communityName: string };
export type ClaimRow = typeof claims.$inferSelect;

/** `ended` is a matter of time: computed on every read, whether or not the sweep has run yet. */
export function taskStatus(row: Pick<TaskRow, 'status' | 'endsAt'>, now: Date): TaskStatus {
  return row.status === 'open' && row.endsAt.getTime() <= now.getTime() ? 'ended' : row.status;
}

export function toTask(row: TaskRow, now: Date): Task {
  return {
    id: row.id,
    communityOrgId: row.communityOrgId,
    communityName: row.communityName,
    title: row.title,
    category: row.category as Task['category'],
    description: row.description,
    location: row.location,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt.toISOString(),
    capacity: row.capacity,
    claimed: row.claimed,
    remaining: row.capacity - row.claimed,
    status: taskStatus(row, now),
    claimOpensAt: row.claimOpensAt.toISOString(),
    cancelCutoffMinutes: row.cancelCutoffMinutes,
    filledAt: row.filledAt ? row.filledAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    whistleId: row.whistleId ?? null,
  };
}

export function toTaskListItem(row: TaskRow, now: Date): TaskListItem {
  const t = toTask(row, now);
  return {
    id: t.id,
    communityOrgId: t.communityOrgId,
    communityName: t.communityName,
    title: t.title,
    category: t.category,
    location: t.location,
    startsAt: t.startsAt,
    endsAt: t.endsAt,
    capacity: t.capacity,
    claimed: t.claimed,
    remaining: t.remaining,
    status: t.status,
    claimOpensAt: t.claimOpensAt,
  };
}

/** A claim still `claimed` when its task has ended is a no-show, before the sweep writes it down. */
export function claimStatus(status: ClaimStatus, taskEndsAt: Date | null, now: Date): ClaimStatus {
  return status === 'claimed' && taskEndsAt && taskEndsAt.getTime() <= now.getTime() ? 'no_show' : status;
}

export function toClaim(row: ClaimRow, now: Date, taskEndsAt: Date | null = null): Claim {
  return {
    id: row.id,
    taskId: row.taskId,
    memberId: row.memberId,
    status: claimStatus(row.status, taskEndsAt, now),
    claimedAt: row.claimedAt.toISOString(),
    cancelledAt: row.cancelledAt ? row.cancelledAt.toISOString() : null,
    checkedInAt: row.checkedInAt ? row.checkedInAt.toISOString() : null,
    checkedOutAt: row.checkedOutAt ? row.checkedOutAt.toISOString() : null,
    minutes: row.minutes,
  };
}
