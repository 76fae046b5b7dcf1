import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './identity';

export const POINTS_KINDS = ['earn', 'reverse', 'redeem', 'expire'] as const;

/** The one row of points rules (id 1), set by the city admin. */
export const pointsRules = pgTable(
  'points_rules',
  {
    id: integer().primaryKey().default(1),
    pointsPerHour: integer().notNull().default(10),
    categoryMultipliers: jsonb().$type<Record<string, number>>().notNull().default({}),
    expiryMonths: integer().default(36),
    starThresholdsHours: integer()
      .array()
      .notNull()
      .default(sql`'{100,300,600,1000,1500}'::integer[]`),
    updatedBy: uuid().references(() => users.id),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('points_rules_single_check', sql`${t.id} = 1`),
    check(
      'points_rules_values_check',
      sql`${t.pointsPerHour} >= 0 and (${t.expiryMonths} is null or ${t.expiryMonths} >= 1) and cardinality(${t.starThresholdsHours}) = 5`,
    ),
  ],
);

/** A member's balance, moved only with an entry in its transaction; never below zero (check). */
export const pointsAccounts = pgTable(
  'points_accounts',
  {
    memberId: uuid().primaryKey(),
    balance: bigint({ mode: 'number' }).notNull().default(0),
  },
  (t) => [check('points_accounts_balance_check', sql`${t.balance} >= 0`)],
);

/** The append-only, double-entry ledger (see migration 0032 for the accounts). */
export const pointsEntries = pgTable(
  'points_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    seq: bigint({ mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    key: text().notNull(),
    memberId: uuid().notNull(),
    kind: text({ enum: POINTS_KINDS }).notNull(),
    debitAccount: text().notNull(),
    creditAccount: text().notNull(),
    amount: integer().notNull(),
    refType: text().notNull(),
    refId: text().notNull(),
    refVersion: integer(),
    note: text().notNull().default(''),
    at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    unique('points_entries_key_unique').on(t.key),
    index('points_entries_member_idx').on(t.memberId, t.seq),
    index('points_entries_ref_idx').on(t.refType, t.refId),
    check('points_entries_amount_check', sql`${t.amount} > 0`),
    check('points_entries_accounts_check', sql`${t.debitAccount} <> ${t.creditAccount}`),
  ],
);
