import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { users } from './identity';
import { members } from './members';

/**
 * The outbox: one row per event that should notify someone, written in the transaction of the
 * event itself (by `notifications.enqueue(tx, …)` or by the claims triggers of migration 0012).
 * A relay moves unrelayed rows into the pg-boss queue, marking them in the same transaction.
 */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** What makes the event itself unique (`claim_result:<claimId>`): enqueueing it twice is a no-op. */
    key: text().notNull().unique(),
    kind: text().notNull(),
    payload: jsonb().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    relayedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index('notification_outbox_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.relayedAt} is null`),
  ],
);

/** The message center: every notification lands here, once per event and user. */
export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    eventKey: text().notNull(),
    kind: text().notNull(),
    title: text().notNull(),
    body: text().notNull(),
    taskId: uuid(),
    whistleId: uuid(),
    meetingId: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    readAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique('messages_user_event_unique').on(t.userId, t.eventKey),
    index('messages_user_created_idx').on(t.userId, t.createdAt.desc(), t.id.desc()),
    index('messages_unread_idx')
      .on(t.userId)
      .where(sql`${t.readAt} is null`),
  ],
);

export const WECHAT_DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'refused', 'failed'] as const;

/**
 * A message that also goes out as a WeChat subscribe message: a send credit was spent on it when
 * it was written. `refused`: WeChat answered 43101 (no subscription left); `failed`: gave up.
 */
export const wechatDeliveries = pgTable(
  'wechat_deliveries',
  {
    messageId: uuid()
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    templateKey: text().notNull(),
    templateId: text().notNull(),
    page: text().notNull(),
    data: jsonb().notNull(),
    status: text({ enum: WECHAT_DELIVERY_STATUSES }).notNull().default('queued'),
    attempts: integer().notNull().default(0),
    lastError: text(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('wechat_deliveries_status_check', sql`${t.status} in ('queued', 'sending', 'sent', 'refused', 'failed')`)],
);

/** One-time subscribe message credits a user granted per template (`POST /me/subscriptions`). */
export const subscriptionCredits = pgTable(
  'subscription_credits',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    templateKey: text().notNull(),
    credits: integer().notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.templateKey] }), check('subscription_credits_credits_check', sql`${t.credits} >= 0`)],
);

/** A member without a row has the defaults: no followed categories, reminders 1440 and 120 minutes before. */
export const memberPreferences = pgTable(
  'member_preferences',
  {
    memberId: uuid()
      .primaryKey()
      .references(() => members.id, { onDelete: 'cascade' }),
    followCategories: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    remindBeforeMinutes: integer()
      .array()
      .notNull()
      .default(sql`'{1440,120}'::int[]`),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('member_preferences_follow_idx').using('gin', t.followCategories)],
);

/**
 * The secret calendar URL of a member: the token is an HMAC of the member id and `generation`
 * (so it can be shown again without being stored); only its SHA-256 is kept, for look-ups.
 * Resetting bumps the generation.
 */
export const calendarFeeds = pgTable('calendar_feeds', {
  memberId: uuid()
    .primaryKey()
    .references(() => members.id, { onDelete: 'cascade' }),
  generation: integer().notNull().default(1),
  tokenHash: text().notNull().unique(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** WeChat's access token, shared by every server process (stable_token, refreshed before expiry). */
export const wechatTokens = pgTable('wechat_tokens', {
  appId: text().primaryKey(),
  accessToken: text().notNull(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  refreshedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
