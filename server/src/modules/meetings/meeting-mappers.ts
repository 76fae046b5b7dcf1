import type { Action, ActionEvent, Meeting, Milestone, Role } from '@pioneer/shared';
import type { ActionEventRow, ActionRow, MeetingWithConvener, MilestoneRow } from './meetings-repository';

export function isOverdue(a: Pick<ActionRow, 'status' | 'dueAt'>, milestones: MilestoneRow[], now: Date): boolean {
  if (a.status !== 'open' && a.status !== 'in_progress') return false;
  if (a.dueAt.getTime() <= now.getTime()) return true;
  return milestones.some((m) => m.doneAt === null && m.dueAt.getTime() <= now.getTime());
}

/** Mean progress, one decimal; null without actions. */
export function meanProgress(actions: Array<Pick<ActionRow, 'progress'>>): number | null {
  if (actions.length === 0) return null;
  return Math.round((actions.reduce((s, a) => s + a.progress, 0) / actions.length) * 10) / 10;
}

function toMilestone(m: MilestoneRow, action: Pick<ActionRow, 'status'>, now: Date): Milestone {
  const live = action.status === 'open' || action.status === 'in_progress';
  return {
    id: m.id,
    title: m.title,
    dueAt: m.dueAt.toISOString(),
    doneAt: m.doneAt?.toISOString() ?? null,
    overdue: live && m.doneAt === null && m.dueAt.getTime() <= now.getTime(),
  };
}

function toActionEvent(e: ActionEventRow): ActionEvent {
  return {
    at: e.at.toISOString(),
    kind: e.kind as ActionEvent['kind'],
    progress: e.progress,
    note: e.note,
    milestone: e.milestoneTitle,
    role: (e.actorRole as Role | null) ?? null,
    orgName: e.orgName,
  };
}

export function toAction(
  a: ActionRow,
  ctx: {
    meetingTitle: string;
    orgNames: Map<string, string>;
    milestones: MilestoneRow[];
    events: ActionEventRow[];
    now: Date;
  },
): Action {
  const name = (id: string) => ({ id, name: ctx.orgNames.get(id) ?? '' });
  return {
    id: a.id,
    meetingId: a.meetingId,
    meetingTitle: ctx.meetingTitle,
    title: a.title,
    owner: name(a.ownerOrgId),
    assists: a.assistOrgIds.map(name),
    dueAt: a.dueAt.toISOString(),
    status: a.status,
    progress: a.progress,
    overdue: isOverdue(a, ctx.milestones, ctx.now),
    escalatedAt: a.escalatedAt?.toISOString() ?? null,
    milestones: ctx.milestones.map((m) => toMilestone(m, a, ctx.now)),
    timeline: ctx.events.map(toActionEvent),
    createdAt: a.createdAt.toISOString(),
    doneAt: a.doneAt?.toISOString() ?? null,
    confirmedAt: a.confirmedAt?.toISOString() ?? null,
  };
}

export function toMeeting(
  m: MeetingWithConvener,
  ctx: {
    invited: Array<{ id: string; name: string }>;
    whistles: Array<{ id: string; title: string }>;
    needIds: string[];
    actions: Array<Pick<ActionRow, 'progress'>>;
    attendanceCount: number;
  },
): Meeting {
  return {
    id: m.id,
    kind: m.kind,
    title: m.title,
    startsAt: m.startsAt.toISOString(),
    location: m.location,
    agenda: m.agenda,
    status: m.status,
    convener: m.communityOrgId
      ? { id: m.communityOrgId, name: m.convenerName, kind: 'community' }
      : { id: m.districtId, name: m.convenerName, kind: 'district' },
    districtId: m.districtId,
    invited: ctx.invited,
    whistles: ctx.whistles,
    needIds: ctx.needIds,
    minutes: m.minutes,
    decisions: m.decisions,
    handled: m.handled as Meeting['handled'],
    progress: meanProgress(ctx.actions),
    actionCount: ctx.actions.length,
    attendanceCount: ctx.attendanceCount,
    createdAt: m.createdAt.toISOString(),
    closedAt: m.closedAt?.toISOString() ?? null,
    cancelledAt: m.cancelledAt?.toISOString() ?? null,
  };
}
