import type { Assignment, AssignmentSummary, Extension, Whistle, WhistleEvent, WhistleCategoryRead, WhistleTask } from '@pioneer/shared';
import { taskStatus } from '../tasks/task-mappers';
import type { AssignmentRow, ExtensionRow, WhistleEventRow, WhistleWithRaiser, WhistlesRepository } from './whistles-repository';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Overdue is a matter of time, computed on every read: past its due time without an answer. */
export const isOverdue = (a: Pick<AssignmentRow, 'status' | 'dueAt'>, now: Date) =>
  (a.status === 'pending' || a.status === 'signed') && a.dueAt.getTime() <= now.getTime();

function toAssignmentSummary(a: AssignmentRow, now: Date): AssignmentSummary {
  return { orgId: a.orgId, orgName: a.orgName, part: a.part, status: a.status, dueAt: a.dueAt.toISOString(), overdue: isOverdue(a, now) };
}

function toExtension(e: ExtensionRow, orgId: string): Extension {
  return {
    id: e.id,
    orgId,
    until: e.until.toISOString(),
    reason: e.reason,
    status: e.status,
    createdAt: e.createdAt.toISOString(),
    decidedAt: iso(e.decidedAt),
  };
}

export function toAssignment(a: AssignmentRow, now: Date, taskIds: string[], extensions: ExtensionRow[]): Assignment {
  return {
    ...toAssignmentSummary(a, now),
    assignedAt: a.assignedAt.toISOString(),
    signedAt: iso(a.signedAt),
    answeredAt: iso(a.answeredAt),
    returnedAt: iso(a.returnedAt),
    answerText: a.answerText,
    returnReason: a.returnReason,
    taskIds,
    extensions: extensions.filter((e) => e.assignmentId === a.id).map((e) => toExtension(e, a.orgId)),
  };
}

export function toWhistle(w: WhistleWithRaiser, assignments: AssignmentRow[], now: Date): Whistle {
  const mine = assignments.filter((a) => a.whistleId === w.id);
  return {
    id: w.id,
    title: w.title,
    description: w.description,
    category: w.category as WhistleCategoryRead,
    location: w.location,
    dueAt: w.dueAt.toISOString(),
    status: w.status,
    raisedBy: { kind: w.raisedByOrgId ? 'community' : 'district', id: w.raisedByOrgId ?? w.raisedByDistrictId, name: w.raisedByName },
    districtId: w.raisedByDistrictId,
    satisfaction: w.satisfaction,
    ratingNote: w.ratingNote,
    createdAt: w.createdAt.toISOString(),
    answeredAt: iso(w.answeredAt),
    verifiedAt: iso(w.verifiedAt),
    closedAt: iso(w.closedAt),
    ratedAt: iso(w.ratedAt),
    overdue: mine.some((a) => isOverdue(a, now)),
    assignments: mine.map((a) => toAssignmentSummary(a, now)),
  };
}

export function toEvent(e: WhistleEventRow): WhistleEvent {
  return {
    id: e.id,
    at: e.at.toISOString(),
    action: e.action,
    org: e.orgId && e.orgName ? { id: e.orgId, name: e.orgName } : null,
    actor: { role: e.actorRole ?? null, org: e.actorOrgId && e.actorOrgName ? { id: e.actorOrgId, name: e.actorOrgName } : null },
    data: (e.data ?? {}) as Record<string, unknown>,
  };
}

export function toWhistleTask(t: Awaited<ReturnType<WhistlesRepository['tasks']>>[number], now: Date): WhistleTask {
  return {
    id: t.id,
    title: t.title,
    communityName: t.communityName,
    startsAt: t.startsAt.toISOString(),
    capacity: t.capacity,
    claimed: t.claimed,
    remaining: t.capacity - t.claimed,
    status: taskStatus(t, now),
    filledAt: iso(t.filledAt),
  };
}
