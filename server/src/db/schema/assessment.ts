import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { partyOrgs } from './directory';
import { users } from './identity';

/** The 先锋指数+ catalogue (one row per indicator), replaced as a whole by the city admin. */
export const indexIndicators = pgTable(
  'index_indicators',
  {
    key: text().primaryKey(),
    name: text().notNull(),
    guidance: text().notNull().default(''),
    method: text({ enum: ['auto', 'manual'] }).notNull(),
    metric: text(),
    weight: doublePrecision().notNull(),
    maxScore: doublePrecision().notNull(),
    /** Auto indicators: the value earning the full score and the value earning none (linear between). */
    fullAt: doublePrecision(),
    zeroAt: doublePrecision(),
    admitted: boolean().notNull().default(true),
    sortOrder: integer().notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('index_indicators_method_check', sql`${t.method} in ('auto', 'manual')`),
    check('index_indicators_metric_check', sql`(${t.method} = 'auto') = (${t.metric} is not null)`),
    check('index_indicators_numbers_check', sql`${t.weight} >= 0 and ${t.maxScore} > 0`),
  ],
);

/** Manual scores given by district admins, with evidence, per month. */
export const indexScores = pgTable(
  'index_scores',
  {
    period: text().notNull(),
    orgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    key: text().notNull(),
    score: doublePrecision().notNull(),
    evidence: text().notNull(),
    scoredBy: uuid().references(() => users.id),
    scoredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.period, t.orgId, t.key] }), check('index_scores_score_check', sql`${t.score} >= 0`)],
);
