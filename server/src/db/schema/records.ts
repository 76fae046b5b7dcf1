import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { partyOrgs } from './directory';
import { users } from './identity';
import { claims, tasks } from './tasks';

export const CORRECTION_KINDS = ['correct', 'supplement'] as const;
export const CORRECTION_STATUSES = ['pending', 'approved', 'rejected'] as const;
export const AMENDMENT_SOURCES = ['secretary', 'correction', 'supplement'] as const;

/** A record's state as an amendment saw it (before) or left it (after). */
export interface RecordState {
  status: string;
  checkedInAt: string | null;
  checkedOutAt: string | null;
  minutes: number | null;
}

/** A member's request to correct a record (`correct`) or to record service without a claim (补录). */
export const recordCorrections = pgTable(
  'record_corrections',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text({ enum: CORRECTION_KINDS }).notNull(),
    /** No foreign key, as on claims: 注销 re-labels a member's rows. */
    memberId: uuid().notNull(),
    taskId: uuid()
      .notNull()
      .references(() => tasks.id),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    claimId: uuid().references(() => claims.id),
    checkedInAt: timestamp({ withTimezone: true }).notNull(),
    checkedOutAt: timestamp({ withTimezone: true }).notNull(),
    /** The minutes the asked times give under the minute rule. */
    minutes: integer().notNull(),
    reason: text().notNull(),
    status: text({ enum: CORRECTION_STATUSES }).notNull().default('pending'),
    decidedBy: uuid().references(() => users.id),
    decidedAt: timestamp({ withTimezone: true }),
    note: text(),
    approvedMinutes: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('record_corrections_pending_unique')
      .on(t.memberId, t.taskId)
      .where(sql`${t.status} = 'pending'`),
    index('record_corrections_community_idx').on(t.communityOrgId, t.status, t.createdAt),
    index('record_corrections_member_idx').on(t.memberId, t.createdAt),
    check('record_corrections_kind_check', sql`${t.kind} in ('correct', 'supplement')`),
    check('record_corrections_status_check', sql`${t.status} in ('pending', 'approved', 'rejected')`),
    check('record_corrections_time_check', sql`${t.checkedOutAt} > ${t.checkedInAt}`),
    check('record_corrections_minutes_check', sql`${t.minutes} >= 0 and (${t.approvedMinutes} is null or ${t.approvedMinutes} >= 0)`),
    check('record_corrections_decided_check', sql`(${t.status} = 'pending') = (${t.decidedAt} is null)`),
  ],
);

/** Append-only (a trigger refuses updates and deletes): every change of a record, who, when, why, before and after. */
export const recordAmendments = pgTable(
  'record_amendments',
  {
    id: uuid().primaryKey().defaultRandom(),
    claimId: uuid()
      .notNull()
      .references(() => claims.id),
    version: integer().notNull(),
    source: text({ enum: AMENDMENT_SOURCES }).notNull(),
    before: jsonb().$type<RecordState>(),
    after: jsonb().$type<RecordState>().notNull(),
    actorUserId: uuid().references(() => users.id),
    reason: text().notNull(),
    correctionId: uuid().references(() => recordCorrections.id),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    unique('record_amendments_version_unique').on(t.claimId, t.version),
    check('record_amendments_source_check', sql`${t.source} in ('secretary', 'correction', 'supplement')`),
  ],
);
