import type { Task, TaskListItem, TaskStatus } from '@pioneer/shared';
import type { tasks } from '../../db/schema';

export type TaskRow = typeof tasks.$inferSelect & { communityName: string; audienceUnitName?: string | null };

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
    offerMinutes: row.offerMinutes,
    waitlisted: row.waitlisted,
    allocation: row.allocation,
    drawAt: row.drawAt ? row.drawAt.toISOString() : null,
    drawCommitment: row.drawCommitment,
    entered: row.drawEntered,
    drawnAt: row.drawnAt ? row.drawnAt.toISOString() : null,
    projectId: row.projectId ?? null,
    audience: row.audienceUnitOrgId ? 'unit' : 'community',
    audienceUnit: row.audienceUnitOrgId ? { id: row.audienceUnitOrgId, name: row.audienceUnitName ?? '' } : null,
    contactName: row.contactName ?? null,
    contactPhone: row.contactPhone ?? null,
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
    waitlisted: t.waitlisted,
    allocation: t.allocation,
    drawAt: t.drawAt,
    entered: t.entered,
    drawnAt: t.drawnAt,
    audience: t.audience,
    audienceUnit: t.audienceUnit,
  };
}
