import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { districts, partyOrgs } from './directory';
import { users } from './identity';

export const MEETING_KINDS = ['coordination', 'door_service'] as const;
export const MEETING_STATUSES = ['scheduled', 'held', 'cancelled'] as const;
export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'confirmed'] as const;

const at = () => timestamp({ withTimezone: true });

/**
 * 共商共办: a coordination meeting (协调会) or a 上门服务 day, convened by a 板块 (communityOrgId
 * null) or by a community of it. Written only by modules/meetings.
 */
export const meetings = pgTable(
  'meetings',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text({ enum: MEETING_KINDS }).notNull(),
    title: text().notNull(),
    startsAt: at().notNull(),
    location: text().notNull(),
    agenda: jsonb().$type<Array<{ title: string }>>().notNull().default([]),
    status: text({ enum: MEETING_STATUSES }).notNull().default('scheduled'),
    districtId: uuid()
      .notNull()
      .references(() => districts.id),
    communityOrgId: uuid().references(() => partyOrgs.id),
    convenedBy: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: at().notNull(),
    closedAt: at(),
    cancelledAt: at(),
    minutes: text(),
    decisions: jsonb().$type<string[]>().notNull().default([]),
    handled: jsonb().$type<Array<{ category: string; count: number }>>().notNull().default([]),
    /** Sum of `handled` counts, kept for the figures. */
    handledTotal: integer().notNull().default(0),
  },
  (t) => [
    check('meetings_kind_check', sql`${t.kind} in ('coordination', 'door_service')`),
    check('meetings_status_check', sql`${t.status} in ('scheduled', 'held', 'cancelled')`),
    index('meetings_district_idx').on(t.districtId, t.startsAt),
    // 单位报到成效: the month's held meetings, whoever convened them.
    index('meetings_held_idx')
      .on(t.startsAt)
      .where(sql`${t.status} = 'held'`),
    index('meetings_community_idx')
      .on(t.communityOrgId, t.startsAt)
      .where(sql`${t.communityOrgId} is not null`),
  ],
);

export const meetingInvites = pgTable(
  'meeting_invites',
  {
    meetingId: uuid()
      .notNull()
      .references(() => meetings.id),
    orgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
  },
  (t) => [primaryKey({ name: 'meeting_invites_pk', columns: [t.meetingId, t.orgId] }), index('meeting_invites_org_idx').on(t.orgId)],
);

/**
 * What a meeting was convened about: whistles, and needs (需求清单) of the units issue. No
 * foreign key to `needs`, which another module owns and may not exist yet; the service checks
 * the ids when the table is there.
 */
export const meetingLinks = pgTable(
  'meeting_links',
  {
    meetingId: uuid()
      .notNull()
      .references(() => meetings.id),
    kind: text({ enum: ['whistle', 'need'] }).notNull(),
    refId: uuid().notNull(),
  },
  (t) => [
    primaryKey({ name: 'meeting_links_pk', columns: [t.meetingId, t.kind, t.refId] }),
    index('meeting_links_ref_idx').on(t.kind, t.refId),
    check('meeting_links_kind_check', sql`${t.kind} in ('whistle', 'need')`),
  ],
);

/** One row per person who scanned the meeting's QR, with the invited org they came for. */
export const meetingAttendance = pgTable(
  'meeting_attendance',
  {
    meetingId: uuid()
      .notNull()
      .references(() => meetings.id),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    orgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    role: text().notNull(),
    at: at().notNull(),
  },
  (t) => [primaryKey({ name: 'meeting_attendance_pk', columns: [t.meetingId, t.userId] })],
);

/** 责任分工: an action item of a held meeting, owned by a unit. */
export const meetingActions = pgTable(
  'meeting_actions',
  {
    id: uuid().primaryKey().defaultRandom(),
    meetingId: uuid()
      .notNull()
      .references(() => meetings.id),
    title: text().notNull(),
    ownerOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    assistOrgIds: uuid()
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    dueAt: at().notNull(),
    status: text({ enum: ACTION_STATUSES }).notNull().default('open'),
    progress: integer().notNull().default(0),
    createdAt: at().notNull(),
    doneAt: at(),
    confirmedAt: at(),
    /** Set once, by the escalation job's conditional update: an action is escalated at most once. */
    escalatedAt: at(),
  },
  (t) => [
    check('meeting_actions_status_check', sql`${t.status} in ('open', 'in_progress', 'done', 'confirmed')`),
    check('meeting_actions_progress_check', sql`${t.progress} between 0 and 100`),
    index('meeting_actions_meeting_idx').on(t.meetingId),
    index('meeting_actions_owner_idx').on(t.ownerOrgId, t.dueAt),
    // 单位报到成效: the actions of every unit due in the month.
    index('meeting_actions_due_idx').on(t.dueAt),
    index('meeting_actions_unescalated_idx')
      .on(t.dueAt)
      .where(sql`${t.status} in ('open', 'in_progress') and ${t.escalatedAt} is null`),
  ],
);

/** 时序进度: an action's dated steps. */
export const meetingMilestones = pgTable(
  'meeting_milestones',
  {
    id: uuid().primaryKey().defaultRandom(),
    actionId: uuid()
      .notNull()
      .references(() => meetingActions.id),
    position: integer().notNull(),
    title: text().notNull(),
    dueAt: at().notNull(),
    doneAt: at(),
  },
  (t) => [
    unique('meeting_milestones_action_position_unique').on(t.actionId, t.position),
    index('meeting_milestones_action_idx').on(t.actionId),
  ],
);

/** An action's timeline: every report and decision, by role and org (never a person's name). */
export const meetingActionEvents = pgTable(
  'meeting_action_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    actionId: uuid()
      .notNull()
      .references(() => meetingActions.id),
    at: at().notNull(),
    kind: text().notNull(),
    progress: integer(),
    note: text(),
    milestoneId: uuid(),
    actorUserId: uuid().references(() => users.id, { onDelete: 'set null' }),
    actorRole: text(),
    actorOrgId: uuid(),
  },
  (t) => [index('meeting_action_events_action_idx').on(t.actionId, t.id)],
);
