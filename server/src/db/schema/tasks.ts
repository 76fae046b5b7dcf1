import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
// The wire contract's lists: a status added there is one the column accepts (after a migration).
import { CLAIM_STATUSES, TASK_STATUSES } from '@pioneer/shared';
import { partyOrgs } from './directory';
import { users } from './identity';
import { members } from './members';
import { whistles } from './whistles';


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
    /** Live claims; the check below makes overselling impossible whatever the code does. */
    claimed: integer().notNull().default(0),
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
  },
  (t) => [
    check('tasks_capacity_check', sql`${t.capacity} between 1 and 1000`),
    check('tasks_claimed_check', sql`${t.claimed} >= 0 and ${t.claimed} <= ${t.capacity}`),
    check('tasks_service_minutes_check', sql`${t.serviceMinutes} >= 0`),
    check('tasks_time_check', sql`${t.endsAt} > ${t.startsAt}`),
    check('tasks_status_check', sql`${t.status} in ('open', 'cancelled', 'ended')`),
    check(
      'tasks_category_check',
      sql`${t.category} in ('convenience', 'order', 'environment', 'care', 'waste_sorting', 'medical', 'gardening', 'lei_feng_tutor')`,
    ),
    index('tasks_community_starts_idx').on(t.communityOrgId, t.startsAt),
    index('tasks_status_starts_idx').on(t.status, t.startsAt),
    index('tasks_whistle_idx').on(t.whistleId).where(sql`${t.whistleId} is not null`),
  ],
);

export const claims = pgTable(
  'claims',
  {
    id: uuid().primaryKey().defaultRandom(),
    taskId: uuid()
      .notNull()
      .references(() => tasks.id),
    memberId: uuid()
      .notNull()
      .references(() => members.id),
    status: text({ enum: CLAIM_STATUSES }).notNull().default('claimed'),
    claimedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    cancelledAt: timestamp({ withTimezone: true }),
    checkedInAt: timestamp({ withTimezone: true }),
    checkedOutAt: timestamp({ withTimezone: true }),
    minutes: integer(),
  },
  (t) => [
    // At most one live claim per member and task; cancelled ones stay as history.
    uniqueIndex('claims_live_unique').on(t.taskId, t.memberId).where(sql`${t.status} <> 'cancelled'`),
    index('claims_member_idx').on(t.memberId, t.claimedAt),
    index('claims_task_status_idx').on(t.taskId, t.status),
    check('claims_status_check', sql`${t.status} in ('claimed', 'cancelled', 'checked_in', 'completed', 'no_show')`),
    check('claims_minutes_check', sql`${t.minutes} is null or ${t.minutes} >= 0`),
  ],
);
