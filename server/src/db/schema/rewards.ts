import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { partyOrgs } from './directory';
import { users } from './identity';

/** 爱心超市: a community's rewards; `stock` never below 0 (check), so nothing oversells. */
export const rewards = pgTable(
  'rewards',
  {
    id: uuid().primaryKey().defaultRandom(),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    name: text().notNull(),
    description: text().notNull().default(''),
    pointsCost: integer().notNull(),
    stock: integer().notNull(),
    active: boolean().notNull().default(true),
    createdBy: uuid().references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    index('rewards_community_idx').on(t.communityOrgId, t.createdAt),
    check('rewards_points_cost_check', sql`${t.pointsCost} > 0`),
    check('rewards_stock_check', sql`${t.stock} >= 0`),
  ],
);

/** A redemption: the reward's name and cost as they were. No foreign key to members (注销 re-labels). */
export const rewardRedemptions = pgTable(
  'reward_redemptions',
  {
    id: uuid().primaryKey().defaultRandom(),
    rewardId: uuid()
      .notNull()
      .references(() => rewards.id),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    rewardName: text().notNull(),
    memberId: uuid().notNull(),
    points: integer().notNull(),
    redeemedBy: uuid()
      .notNull()
      .references(() => users.id),
    at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    index('reward_redemptions_member_idx').on(t.memberId, t.at),
    index('reward_redemptions_community_idx').on(t.communityOrgId, t.at),
    check('reward_redemptions_points_check', sql`${t.points} > 0`),
  ],
);

/** A redemption's Idempotency-Key, per secretary, with the first answer (a redemption or a refusal). */
export const rewardRedemptionKeys = pgTable(
  'reward_redemption_keys',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id),
    key: text().notNull(),
    requestHash: text().notNull(),
    /** Null while the first request is still running (in its transaction). */
    answer: jsonb(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'reward_redemption_keys_pk', columns: [t.userId, t.key] }),
    index('reward_redemption_keys_created_idx').on(t.createdAt),
  ],
);
