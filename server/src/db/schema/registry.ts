import { foreignKey, index, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { estates } from './directory';
import { members } from './members';

/**
 * The homeowner registry (业主信息库) of a community: one row per home. Building, unit and room
 * are stored normalised by `home_part()` (migration `registry_functions`), the same function the
 * member matching applies to members' own answers. Owner names and phones are stored like
 * members' phones: AES-256-GCM cipher, keyed hash, and (phones) a masked form.
 */
export const households = pgTable(
  'households',
  {
    id: uuid().primaryKey().defaultRandom(),
    communityOrgId: uuid().notNull(),
    estateId: uuid().notNull(),
    building: text().notNull(),
    unitNo: text().notNull(),
    room: text().notNull(),
    ownerNameCipher: text().notNull(),
    ownerNameHash: text().notNull(),
    phoneCipher: text().notNull(),
    phoneHash: text().notNull(),
    phoneMasked: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The estate's key names the community too, and estates' own foreign key names the party org:
    // a second check of community_org_id per row would only slow a 100,000-row import.
    foreignKey({ columns: [t.estateId, t.communityOrgId], foreignColumns: [estates.id, estates.communityOrgId] }),
    unique('households_home_unique').on(t.communityOrgId, t.estateId, t.building, t.unitNo, t.room),
    index('households_community_phone_idx').on(t.communityOrgId, t.phoneHash),
  ],
);

/** Every consent a member gave or withdrew, per version of the privacy notice. Deleted with the member on 注销. */
export const memberConsents = pgTable(
  'member_consents',
  {
    id: uuid().primaryKey().defaultRandom(),
    memberId: uuid()
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    version: text().notNull(),
    action: text({ enum: ['given', 'withdrawn'] }).notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('member_consents_member_idx').on(t.memberId, t.at)],
);
