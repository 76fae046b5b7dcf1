import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { ROLE_KEYS } from '@pioneer/shared';

export const ROLES = ROLE_KEYS;

export const users = pgTable('users', {
  id: uuid().primaryKey().defaultRandom(),
  openid: text().notNull().unique(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastLoginAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** Session tokens carry the version they were signed at; bumping it ends every older session (logout, revocation). */
  tokenVersion: integer().notNull().default(0),
});

/** `orgId` is the grant's scope: party org (secretary, unit_admin, unit_liaison), district (district_admin), null (city_admin). */
export const roleGrants = pgTable(
  'role_grants',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text({ enum: ROLES }).notNull(),
    orgId: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('role_grants_user_role_org_unique').on(t.userId, t.role, t.orgId).nullsNotDistinct(),
    check(
      'role_grants_role_check',
      sql`${t.role} in ('member', 'secretary', 'district_admin', 'unit_admin', 'unit_liaison', 'city_admin')`,
    ),
    check('role_grants_scope_check', sql`(${t.role} = 'city_admin') = (${t.orgId} is null)`),
  ],
);

export const invites = pgTable(
  'invites',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** SHA-256 of the code: a leaked table cannot be used to accept invites. */
    codeHash: text().notNull().unique(),
    role: text({ enum: ROLES }).notNull(),
    orgId: uuid(),
    createdBy: uuid()
      .notNull()
      .references(() => users.id),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    acceptedBy: uuid().references(() => users.id),
    acceptedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('invites_created_by_idx').on(t.createdBy)],
);
