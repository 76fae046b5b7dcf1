import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { PARTY_ORG_KINDS } from '@pioneer/shared';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const districts = pgTable('districts', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull().unique(),
  sortOrder: integer().notNull().default(0),
  createdAt: createdAt(),
});

export const partyOrgs = pgTable(
  'party_orgs',
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text({ enum: PARTY_ORG_KINDS }).notNull(),
    name: text().notNull(),
    districtId: uuid()
      .notNull()
      .references(() => districts.id),
    /** Short public code printed in the community's registration QR (communities only). */
    registerCode: text().unique(),
    createdAt: createdAt(),
  },
  (t) => [
    unique('party_orgs_kind_name_unique').on(t.kind, t.name),
    index('party_orgs_district_kind_idx').on(t.districtId, t.kind),
    check('party_orgs_kind_check', sql`${t.kind} in ('community', 'unit')`),
    check(
      'party_orgs_register_code_check',
      sql`${t.registerCode} is null or (${t.kind} = 'community' and length(${t.registerCode}) <= 32)`,
    ),
  ],
);

export const estates = pgTable(
  'estates',
  {
    id: uuid().primaryKey().defaultRandom(),
    communityOrgId: uuid().notNull(),
    name: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({ columns: [t.communityOrgId], foreignColumns: [partyOrgs.id] }),
    unique('estates_community_name_unique').on(t.communityOrgId, t.name),
    // Target of the members (estate, community) foreign key: an estate must belong to the member's community.
    unique('estates_id_community_unique').on(t.id, t.communityOrgId),
  ],
);

/**
 * One row: bumped by statement triggers on party_orgs and districts (migration 0020), so a reader
 * that keeps something derived from the org list (the 先锋指数+ ranking) learns it moved from one
 * row instead of hashing 33,600 communities on every request. The triggers fire always, also in
 * seed:city's replica-mode load.
 */
export const directoryState = pgTable(
  'directory_state',
  {
    id: integer().primaryKey().default(1),
    version: bigint({ mode: 'number' }).notNull().default(0),
  },
  (t) => [check('directory_state_one_row', sql`${t.id} = 1`)],
);
