import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
// The wire contract's lists: a status added there is one the column accepts (after a migration).
import { CLAIM_STATUSES, RECORD_SOURCES, TASK_STATUSES } from '@pioneer/shared';
import { partyOrgs } from './directory';
import { users } from './identity';
import { members } from './members';
import { projects } from './units';
import { whistles } from './whistles';

export const ALLOCATIONS = ['first_come', 'draw'] as const;
export const WAITLIST_STATUSES = ['waiting', 'offered', 'promoted', 'accepted', 'declined', 'expired', 'left'] as const;
export const ENTRY_STATUSES = ['entered', 'won', 'lost', 'withdrawn'] as const;

export const tasks = pgTable(
  'tasks',
  {
    id: uuid().primaryKey().defaultRandom(),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    title: text().notNull(),
    category: text().notNull(),
    description: text().notNull().default(''),
    location: text().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    capacity: integer().notNull(),
    /** Live claims plus held waitlist offers; the check below makes overselling impossible whatever the code does. */
    claimed: integer().notNull().default(0),
    /** Waitlist offers holding a slot (part of `claimed`). */
    held: integer().notNull().default(0),
    /** Waitlist entries still `waiting`. */
    waitlisted: integer().notNull().default(0),
    /** Minutes a waitlist offer is held (never past the cancellation cutoff). */
    offerMinutes: integer().notNull().default(30),
    allocation: text({ enum: ALLOCATIONS }).notNull().default('first_come'),
    drawAt: timestamp({ withTimezone: true }),
    /** The draw's secret until it ran: 64 lowercase hex characters; never answered before `drawnAt`. */
    drawSeed: text(),
    drawCommitment: text(),
    drawEntered: integer().notNull().default(0),
    drawnAt: timestamp({ withTimezone: true }),
    entriesRoot: text(),
    /** Minutes of service checked out on this post, kept with each check-out: statistics sum posts, not claims. */
    serviceMinutes: integer().notNull().default(0),
    /**
     * Bumped by a trigger on every update of the row (migration 0003). Updates of one post are
     * serialized by its row lock, so a higher version is newer news: count notifications carry
     * it, and a process's claim gate ignores counts older than what it already knows.
     */
    version: bigint({ mode: 'number' }).notNull().default(0),
    status: text({ enum: TASK_STATUSES }).notNull().default('open'),
    claimOpensAt: timestamp({ withTimezone: true }).notNull(),
    cancelCutoffMinutes: integer().notNull().default(60),
    filledAt: timestamp({ withTimezone: true }),
    createdBy: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp({ withTimezone: true }),
    /** The whistle (吹哨) this post answers. */
    whistleId: uuid().references(() => whistles.id),
    /** The unit project (项目清单) this post serves. */
    projectId: uuid().references(() => projects.id),
    /**
     * Set on a directed post (定向岗位, `audience: "unit"`): only members whose unit_org_id is this
     * may claim it. Kept on the post so the claim statement decides it under the post's row lock.
     */
    audienceUnitOrgId: uuid(),
    /** The post's contact person and phone (migration 0050), shown to members on its detail page. */
    contactName: text(),
    contactPhone: text(),
  },
  (t) => [
    check('tasks_capacity_check', sql`${t.capacity} between 1 and 1000`),
    check('tasks_claimed_check', sql`${t.claimed} >= 0 and ${t.claimed} <= ${t.capacity}`),
    check('tasks_held_check', sql`${t.held} >= 0 and ${t.held} <= ${t.claimed}`),
    check('tasks_waitlisted_check', sql`${t.waitlisted} >= 0`),
    check('tasks_offer_minutes_check', sql`${t.offerMinutes} between 1 and 1440`),
    check(
      'tasks_allocation_check',
      sql`${t.allocation} in ('first_come', 'draw') and (${t.allocation} = 'first_come') = (${t.drawAt} is null)`,
    ),
    check('tasks_service_minutes_check', sql`${t.serviceMinutes} >= 0`),
    check('tasks_time_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('tasks_status_check', sql`${t.status} in ('open', 'cancelled', 'ended')`),
    check(
      'tasks_category_check',
      sql`${t.category} in ('convenience', 'order', 'environment', 'care', 'waste_sorting', 'medical', 'gardening', 'lei_feng_tutor')`,
    ),
    index('tasks_community_starts_idx').on(t.communityOrgId, t.startsAt),
    index('tasks_status_starts_idx').on(t.status, t.startsAt),
    check('tasks_audience_check', sql`${t.audienceUnitOrgId} is null or ${t.projectId} is not null`),
    index('tasks_project_idx')
      .on(t.projectId)
      .where(sql`${t.projectId} is not null`),
    index('tasks_whistle_idx')
      .on(t.whistleId)
      .where(sql`${t.whistleId} is not null`),
  ],
);

export const claims = pgTable(
  'claims',
  {
    id: uuid().primaryKey().defaultRandom(),
    taskId: uuid()
      .notNull()
      .references(() => tasks.id),
    /**
     * No foreign key: 注销 replaces the member id of past claims by an id that names nobody, so
     * participations stay counted. A trigger (migration `registry_functions`) checks new claims.
     */
    memberId: uuid().notNull(),
    status: text({ enum: CLAIM_STATUSES }).notNull().default('claimed'),
    claimedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp({ withTimezone: true }),
    checkedInAt: timestamp({ withTimezone: true }),
    checkedOutAt: timestamp({ withTimezone: true }),
    minutes: integer(),
    /** Given to the first waiting member inside the cancellation cutoff: its no-show never counts. */
    promoted: boolean().notNull().default(false),
    releasedAt: timestamp({ withTimezone: true }),
    releaseReason: text(),
    /** A no-show the secretary excused: it does not count toward suspension. */
    excused: boolean().notNull().default(false),
    excuseReason: text(),
    /** Who recorded the service: a scan, the secretary (补记), an approved correction or 补录. */
    source: text({ enum: RECORD_SOURCES }).notNull().default('scan'),
    /** The record's version: an approved correction adds one (points earn once per version). */
    recordVersion: integer().notNull().default(1),
  },
  (t) => [
    // At most one live claim per member and task; cancelled and released ones stay as history.
    uniqueIndex('claims_live_unique')
      .on(t.taskId, t.memberId)
      .where(sql`${t.status} not in ('cancelled', 'released')`),
    index('claims_member_idx').on(t.memberId, t.claimedAt),
    index('claims_task_status_idx').on(t.taskId, t.status),
    check('claims_status_check', sql`${t.status} in ('claimed', 'cancelled', 'released', 'checked_in', 'completed', 'no_show')`),
    check('claims_minutes_check', sql`${t.minutes} is null or ${t.minutes} >= 0`),
    check('claims_source_check', sql`${t.source} in ('scan', 'secretary', 'correction', 'supplement')`),
    check('claims_record_version_check', sql`${t.recordVersion} >= 1`),
  ],
);

/**
 * The queue of a full post (候补). Order: `ord` (one sequence value per join; a draw's losers
 * share one and are ordered by `drawRank`). An `offered` entry holds a slot (tasks.held).
 */
export const waitlistEntries = pgTable(
  'waitlist_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    taskId: uuid()
      .notNull()
      .references(() => tasks.id),
    /** No foreign key, as on claims: 注销 re-labels a member's entries; a trigger checks new ones (migration registry_functions). */
    memberId: uuid().notNull(),
    status: text({ enum: WAITLIST_STATUSES }).notNull().default('waiting'),
    ord: bigint({ mode: 'number' }).notNull().generatedByDefaultAsIdentity(),
    drawRank: integer(),
    offeredAt: timestamp({ withTimezone: true }),
    offerExpiresAt: timestamp({ withTimezone: true }),
    claimId: uuid().references(() => claims.id),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('waitlist_active_unique')
      .on(t.taskId, t.memberId)
      .where(sql`${t.status} in ('waiting', 'offered')`),
    index('waitlist_queue_idx')
      .on(t.taskId, t.ord, t.drawRank)
      .where(sql`${t.status} = 'waiting'`),
    index('waitlist_offers_idx')
      .on(t.offerExpiresAt)
      .where(sql`${t.status} = 'offered'`),
    index('waitlist_member_idx').on(t.memberId, t.createdAt),
    check('waitlist_status_check', sql`${t.status} in ('waiting', 'offered', 'promoted', 'accepted', 'declined', 'expired', 'left')`),
    check('waitlist_offer_check', sql`${t.status} <> 'offered' or ${t.offerExpiresAt} is not null`),
  ],
);

/** Entries of a draw post (抽签): the ticket is SHA-256 of `<taskId>:<memberId>:<nonce>`, first 16 hex. */
export const drawEntries = pgTable(
  'draw_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    taskId: uuid()
      .notNull()
      .references(() => tasks.id),
    /** No foreign key, as on claims: 注销 re-labels a member's entries; a trigger checks new ones (migration registry_functions). */
    memberId: uuid().notNull(),
    nonce: text().notNull(),
    ticket: text().notNull(),
    status: text({ enum: ENTRY_STATUSES }).notNull().default('entered'),
    rank: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('draw_entries_active_unique')
      .on(t.taskId, t.memberId)
      .where(sql`${t.status} <> 'withdrawn'`),
    uniqueIndex('draw_entries_ticket_unique')
      .on(t.taskId, t.ticket)
      .where(sql`${t.status} <> 'withdrawn'`),
    index('draw_entries_member_idx').on(t.memberId),
    check('draw_entries_status_check', sql`${t.status} in ('entered', 'won', 'lost', 'withdrawn')`),
  ],
);

/** The no-show policy's verdict per member, written when no-shows are settled or excused; claims read it. */
export const memberStanding = pgTable('member_standing', {
  memberId: uuid()
    .primaryKey()
    .references(() => members.id),
  noShows: integer().notNull().default(0),
  suspendedUntil: timestamp({ withTimezone: true }),
  updatedAt: timestamp({ withTimezone: true }).notNull(),
});
