import { sql } from 'drizzle-orm';
import { bigint, check, date, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const ROLLUP_SCOPES = ['community', 'district', 'city', 'unit'] as const;
export const ROLLUP_GRAINS = ['month', 'week', 'all'] as const;

/**
 * What changed since the roll-up job last ran: appended by statement-level triggers on claims,
 * members and post inserts (migration 0005), never read on a request's path. No key and no index:
 * appending never waits for another transaction. The job drains it in the transaction that
 * rewrites the roll-ups, so a crash loses nothing.
 */
export const rollupQueue = pgTable('rollup_queue', {
  taskId: uuid(),
  memberId: uuid(),
  communityOrgId: uuid(),
  unitOrgId: uuid(),
  /** Local (Asia/Shanghai) day the entry concerns: a post's start, a member's registration. */
  day: date({ mode: 'string' }),
  queuedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * Figures per scope and period, kept by the roll-up job (modules/rollups). Work is counted where
 * it happened (the post's community, by the post's local start date); people where they live, by
 * registration date; a unit org's row counts its own members' service. `period` is the first
 * local day of the month or ISO week; grain `all` uses 1970-01-01. City rows use the nil uuid.
 */
export const statsRollups = pgTable(
  'stats_rollups',
  {
    scope: text({ enum: ROLLUP_SCOPES }).notNull(),
    scopeId: uuid().notNull(),
    grain: text({ enum: ROLLUP_GRAINS }).notNull(),
    period: date({ mode: 'string' }).notNull(),
    /** The district of a community or unit row (for district filters); null for districts and the city. */
    districtId: uuid(),
    tasksPublished: integer().notNull().default(0),
    tasksCancelled: integer().notNull().default(0),
    tasksFilled: integer().notNull().default(0),
    participations: integer().notNull().default(0),
    serviceMinutes: bigint({ mode: 'number' }).notNull().default(0),
    completed: integer().notNull().default(0),
    noShows: integer().notNull().default(0),
    /** Members registered in the period (grain `all`: every member). */
    members: integer().notNull().default(0),
    /** Per category, in CATEGORY_KEYS order. */
    categoryTasks: bigint({ mode: 'number' })
      .array()
      .notNull()
      .default(sql`'{}'`),
    categoryParticipations: bigint({ mode: 'number' })
      .array()
      .notNull()
      .default(sql`'{}'`),
    categoryMinutes: bigint({ mode: 'number' })
      .array()
      .notNull()
      .default(sql`'{}'`),
    /** Whole seconds from claim opening to full, one per filled post (community and unit months only). */
    fillSeconds: integer().array(),
    /** Median of the seconds to full (percentile_cont): from fill_seconds in month rows, from stats_fill_times in `all` rows. */
    fillMedian: doublePrecision(),
    /** `all` rows: posts filled within 1, 5, 15, 60, 360, 1440 minutes and later (the distribution chart). */
    fillBuckets: integer().array(),
    /**
     * Homeowner registry (community months and the sums above them): homes registered in the
     * period, and homes whose coverage began in it (the later of the home's registration and its
     * first member's). Summed up to a period: the registry as it stood at that period's end.
     */
    households: integer().notNull().default(0),
    householdsWithMember: integer().notNull().default(0),
    refreshedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.scopeId, t.grain, t.period] }),
    index('stats_rollups_period_idx').on(t.scope, t.grain, t.period, t.districtId),
    check('stats_rollups_scope_check', sql`${t.scope} in ('community', 'district', 'city', 'unit')`),
    check('stats_rollups_grain_check', sql`${t.grain} in ('month', 'week', 'all')`),
  ],
);

/** All-time distribution of whole seconds to full, per scope: exact medians and the distribution chart without the posts. */
export const statsFillTimes = pgTable(
  'stats_fill_times',
  {
    scope: text({ enum: ROLLUP_SCOPES }).notNull(),
    scopeId: uuid().notNull(),
    seconds: integer().notNull(),
    tasks: integer().notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.scopeId, t.seconds] })],
);

/**
 * One row: bumped by every roll-up run that rewrote something, inside its transaction and under
 * the job's lock, so it grows in commit order. Readers that keep figures derived from the
 * roll-ups (the 先锋指数+ ranking) compare it to know whether theirs are still current.
 */
export const rollupState = pgTable(
  'rollup_state',
  {
    id: integer().primaryKey().default(1),
    version: bigint({ mode: 'number' }).notNull().default(0),
    /** rollup_changes holds every version above this one; older versions' entries are pruned. */
    changesKeptAfter: bigint({ mode: 'number' }).notNull().default(0),
  },
  (t) => [check('rollup_state_one_row', sql`${t.id} = 1`)],
);

/**
 * Which communities' roll-up rows each version rewrote (null: all of them, a rebuild), written
 * with the version by the roll-up job. A reader that holds figures of version V re-reads only
 * the communities changed since V instead of the whole city (the 先锋指数+ ranking at province
 * scale). Only recent versions are kept (rollup_state.changes_kept_after).
 */
export const rollupChanges = pgTable(
  'rollup_changes',
  {
    version: bigint({ mode: 'number' }).notNull(),
    communityOrgId: uuid(),
  },
  (t) => [index('rollup_changes_version_idx').on(t.version)],
);
