import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { districts, estates, partyOrgs } from './directory';
import { users } from './identity';

export const WHISTLE_STATUSES = ['open', 'answered', 'verified', 'closed', 'rated'] as const;
export const ASSIGNMENT_STATUSES = ['pending', 'signed', 'answered', 'returned'] as const;
export const ASSIGNMENT_PARTS = ['lead', 'assist', 'inform'] as const;
export const EXTENSION_STATUSES = ['pending', 'approved', 'denied'] as const;
export const DEMAND_STATUSES = ['new', 'posted', 'whistled', 'rejected'] as const;

const at = () => timestamp({ withTimezone: true });

/** 吹哨: raised by a community (raisedByOrgId set) or by a 板块 (raisedByOrgId null); both name the district. */
export const whistles = pgTable(
  'whistles',
  {
    id: uuid().primaryKey().defaultRandom(),
    title: text().notNull(),
    description: text().notNull(),
    category: text().notNull(),
    location: text().notNull(),
    dueAt: at().notNull(),
    status: text({ enum: WHISTLE_STATUSES }).notNull().default('open'),
    raisedByOrgId: uuid().references(() => partyOrgs.id),
    raisedByDistrictId: uuid()
      .notNull()
      .references(() => districts.id),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: at().notNull().defaultNow(),
    answeredAt: at(),
    verifiedAt: at(),
    closedAt: at(),
    ratedAt: at(),
    satisfaction: integer(),
    ratingNote: text(),
  },
  (t) => [
    check('whistles_status_check', sql`${t.status} in ('open', 'answered', 'verified', 'closed', 'rated')`),
    check('whistles_satisfaction_check', sql`${t.satisfaction} is null or ${t.satisfaction} between 1 and 5`),
    index('whistles_raised_by_org_idx').on(t.raisedByOrgId, t.createdAt),
    index('whistles_district_idx').on(t.raisedByDistrictId, t.createdAt),
  ],
);

/** One per addressed unit party org, with its own state and due time (an approved extension moves it). */
export const whistleAssignments = pgTable(
  'whistle_assignments',
  {
    id: uuid().primaryKey().defaultRandom(),
    whistleId: uuid()
      .notNull()
      .references(() => whistles.id),
    orgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    part: text({ enum: ASSIGNMENT_PARTS }).notNull(),
    status: text({ enum: ASSIGNMENT_STATUSES }).notNull().default('pending'),
    dueAt: at().notNull(),
    assignedAt: at().notNull(),
    signedAt: at(),
    answeredAt: at(),
    returnedAt: at(),
    answerText: text(),
    /** Posts the answer names; they are also linked through tasks.whistle_id. */
    answerTaskIds: uuid()
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    returnReason: text(),
  },
  (t) => [
    unique('whistle_assignments_whistle_org_unique').on(t.whistleId, t.orgId),
    // Exactly one lead is enforced by the service; at most one live lead by the database.
    uniqueIndex('whistle_assignments_one_lead')
      .on(t.whistleId)
      .where(sql`${t.part} = 'lead' and ${t.status} <> 'returned'`),
    index('whistle_assignments_org_idx').on(t.orgId, t.assignedAt),
    // 单位报到成效: the month's lead and assist assignments of every unit.
    index('whistle_assignments_assigned_idx')
      .on(t.assignedAt)
      .where(sql`${t.part} in ('lead', 'assist')`),
    // The overdue sweep (every minute) reads the open assignments that just passed their due time.
    index('whistle_assignments_open_due_idx')
      .on(t.dueAt)
      .where(sql`${t.status} in ('pending', 'signed')`),
    check('whistle_assignments_part_check', sql`${t.part} in ('lead', 'assist', 'inform')`),
    check('whistle_assignments_status_check', sql`${t.status} in ('pending', 'signed', 'answered', 'returned')`),
  ],
);

export const whistleExtensions = pgTable(
  'whistle_extensions',
  {
    id: uuid().primaryKey().defaultRandom(),
    whistleId: uuid()
      .notNull()
      .references(() => whistles.id),
    assignmentId: uuid()
      .notNull()
      .references(() => whistleAssignments.id),
    until: at().notNull(),
    reason: text().notNull(),
    status: text({ enum: EXTENSION_STATUSES }).notNull().default('pending'),
    requestedBy: uuid()
      .notNull()
      .references(() => users.id),
    createdAt: at().notNull(),
    decidedAt: at(),
    decidedBy: uuid().references(() => users.id),
  },
  (t) => [
    uniqueIndex('whistle_extensions_one_pending')
      .on(t.assignmentId)
      .where(sql`${t.status} = 'pending'`),
    index('whistle_extensions_whistle_idx').on(t.whistleId),
    check('whistle_extensions_status_check', sql`${t.status} in ('pending', 'approved', 'denied')`),
  ],
);

/** The timeline: every step, who (role and org acted for) and when. Never a person's name. */
export const whistleEvents = pgTable(
  'whistle_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    whistleId: uuid()
      .notNull()
      .references(() => whistles.id),
    at: at().notNull(),
    action: text().notNull(),
    /** The addressed unit the step is about. */
    orgId: uuid().references(() => partyOrgs.id),
    actorUserId: uuid().references(() => users.id),
    actorRole: text({ enum: ['member', 'secretary', 'district_admin', 'unit_admin', 'unit_liaison', 'city_admin'] }),
    /** Party org or district the actor acted for. */
    actorOrgId: uuid(),
    actorOrgName: text(),
    data: jsonb().notNull().default({}),
  },
  (t) => [index('whistle_events_whistle_idx').on(t.whistleId, t.id)],
);

/**
 * 居民点单. Personal data: the signed-in user that sent it and, with its consent, a contact name and
 * phone (stored as members' phones are) and an address.
 */
export const demands = pgTable(
  'demands',
  {
    id: uuid().primaryKey().defaultRandom(),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    /** Who asked; null once that person deregistered (注销): the demand stays the community's, detached from anyone. */
    userId: uuid().references(() => users.id),
    text: text().notNull(),
    category: text(),
    status: text({ enum: DEMAND_STATUSES }).notNull().default('new'),
    note: text(),
    taskId: uuid(),
    whistleId: uuid().references(() => whistles.id),
    createdAt: at().notNull(),
    triagedAt: at(),
    triagedBy: uuid().references(() => users.id),
    contactName: text(),
    contactPhoneCipher: text(),
    contactPhoneHash: text(),
    contactPhoneMasked: text(),
    contactConsentedAt: at(),
    estateId: uuid().references(() => estates.id),
    address: text(),
  },
  (t) => [
    check(
      'demands_contact_consent_check',
      sql`(${t.contactName} is null and ${t.contactPhoneCipher} is null) or ${t.contactConsentedAt} is not null`,
    ),
    index('demands_community_idx').on(t.communityOrgId, t.createdAt),
    index('demands_user_idx').on(t.userId, t.createdAt),
    check('demands_status_check', sql`${t.status} in ('new', 'posted', 'whistled', 'rejected')`),
  ],
);
