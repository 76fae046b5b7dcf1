import { sql } from 'drizzle-orm';
import { bigserial, check, date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { partyOrgs } from './directory';
import { users } from './identity';

export const AGREEMENT_STORED_STATUSES = ['proposed', 'active', 'rejected', 'ended'] as const;
export const NEED_STATUSES = ['open', 'claimed', 'closed'] as const;
export const PROJECT_STATUSES = ['claimed', 'in_progress', 'delivered', 'accepted', 'closed', 'returned'] as const;
export const NEED_SOURCE_KINDS = ['demand', 'whistle'] as const;

const at = () => timestamp({ withTimezone: true });
const day = () => date({ mode: 'string' });

/**
 * 共建协议 between a unit party org and a community. `expired` is never stored: an `active`
 * agreement past `endsOn` reads so (computed with the clock on every read).
 */
export const agreements = pgTable(
  'agreements',
  {
    id: uuid().primaryKey().defaultRandom(),
    unitOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    startsOn: day().notNull(),
    endsOn: day().notNull(),
    commitments: text().notNull(),
    contactName: text().notNull(),
    /** AES-256-GCM as members' phones; only the masked form is ever answered. */
    contactPhoneCipher: text().notNull(),
    contactPhoneMasked: text().notNull(),
    status: text({ enum: AGREEMENT_STORED_STATUSES }).notNull().default('proposed'),
    reason: text(),
    proposedBy: uuid()
      .notNull()
      .references(() => users.id),
    proposedAt: at().notNull(),
    decidedBy: uuid(),
    decidedAt: at(),
    endedBy: uuid(),
    endedAt: at(),
  },
  (t) => [
    check('agreements_status_check', sql`${t.status} in ('proposed', 'active', 'rejected', 'ended')`),
    check('agreements_dates_check', sql`${t.endsOn} >= ${t.startsOn}`),
    uniqueIndex('agreements_one_proposed')
      .on(t.unitOrgId, t.communityOrgId)
      .where(sql`${t.status} = 'proposed'`),
    index('agreements_community_idx').on(t.communityOrgId, t.status),
    index('agreements_unit_idx').on(t.unitOrgId, t.status),
  ],
);

/** 需求清单: what a community asks its reported units for; `source` keeps the demand or whistle it came from. */
export const needs = pgTable(
  'needs',
  {
    id: uuid().primaryKey().defaultRandom(),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    title: text().notNull(),
    category: text().notNull(),
    description: text().notNull(),
    peopleNeeded: integer(),
    dueAt: at(),
    sourceKind: text({ enum: NEED_SOURCE_KINDS }),
    sourceId: uuid(),
    status: text({ enum: NEED_STATUSES }).notNull().default('open'),
    createdBy: uuid().notNull(),
    createdAt: at().notNull(),
    claimedAt: at(),
  },
  (t) => [
    check('needs_status_check', sql`${t.status} in ('open', 'claimed', 'closed')`),
    check(
      'needs_source_check',
      sql`(${t.sourceKind} is null) = (${t.sourceId} is null) and (${t.sourceKind} is null or ${t.sourceKind} in ('demand', 'whistle'))`,
    ),
    check('needs_people_check', sql`${t.peopleNeeded} is null or ${t.peopleNeeded} between 1 and 1000`),
    index('needs_community_idx').on(t.communityOrgId, t.createdAt),
    index('needs_created_idx').on(t.createdAt),
  ],
);

/** 资源清单: what a unit offers (venues, skills, funds, vehicles). */
export const resources = pgTable(
  'resources',
  {
    id: uuid().primaryKey().defaultRandom(),
    unitOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    title: text().notNull(),
    category: text().notNull(),
    description: text().notNull(),
    capacity: integer(),
    createdBy: uuid().notNull(),
    createdAt: at().notNull(),
  },
  (t) => [
    check('resources_capacity_check', sql`${t.capacity} is null or ${t.capacity} between 1 and 100000`),
    index('resources_unit_idx').on(t.unitOrgId, t.createdAt),
  ],
);

/** 项目清单: a need claimed by a unit. At most one project per need that was not returned. */
export const projects = pgTable(
  'projects',
  {
    id: uuid().primaryKey().defaultRandom(),
    needId: uuid()
      .notNull()
      .references(() => needs.id),
    unitOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    resourceId: uuid().references(() => resources.id),
    plan: text().notNull(),
    startsOn: day().notNull(),
    endsOn: day().notNull(),
    status: text({ enum: PROJECT_STATUSES }).notNull().default('claimed'),
    summary: text(),
    rating: integer(),
    ratingNote: text(),
    returnReason: text(),
    claimedBy: uuid().notNull(),
    claimedAt: at().notNull(),
    startedAt: at(),
    deliveredAt: at(),
    acceptedAt: at(),
    closedAt: at(),
    returnedAt: at(),
  },
  (t) => [
    check('projects_status_check', sql`${t.status} in ('claimed', 'in_progress', 'delivered', 'accepted', 'closed', 'returned')`),
    check('projects_dates_check', sql`${t.endsOn} >= ${t.startsOn}`),
    check('projects_rating_check', sql`${t.rating} is null or ${t.rating} between 1 and 5`),
    uniqueIndex('projects_one_live_per_need')
      .on(t.needId)
      .where(sql`${t.status} <> 'returned'`),
    index('projects_unit_idx').on(t.unitOrgId, t.claimedAt),
    index('projects_community_idx').on(t.communityOrgId, t.claimedAt),
    // 单位报到成效: the month's claims of every unit.
    index('projects_claimed_idx').on(t.claimedAt),
    index('projects_accepted_idx')
      .on(t.acceptedAt)
      .where(sql`${t.acceptedAt} is not null`),
  ],
);

/** A project's timeline: every step, who and for which org. Never a person's name. */
export const projectEvents = pgTable(
  'project_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    projectId: uuid()
      .notNull()
      .references(() => projects.id),
    at: at().notNull(),
    action: text().notNull(),
    actorUserId: uuid(),
    actorOrgId: uuid(),
    data: jsonb().notNull().default({}),
  },
  (t) => [index('project_events_project_idx').on(t.projectId, t.id)],
);
