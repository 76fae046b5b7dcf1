import { sql } from 'drizzle-orm';
import { check, foreignKey, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { estates, partyOrgs } from './directory';
import { users } from './identity';

export const members = pgTable(
  'members',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .unique()
      .references(() => users.id),
    name: text().notNull(),
    /** AES-256-GCM: base64(iv | tag | ciphertext). Only the owner ever sees the clear number. */
    phoneCipher: text().notNull(),
    /** HMAC-SHA256 of the number, for look-ups without decrypting. */
    phoneHash: text().notNull(),
    phoneMasked: text().notNull(),
    unitOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    workUnit: text().notNull(),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    estateId: uuid().notNull(),
    building: text().notNull(),
    unitNo: text().notNull(),
    room: text().notNull(),
    intentions: text().array().notNull(),
    consentVersion: text().notNull(),
    consentedAt: timestamp({ withTimezone: true }).notNull(),
    registeredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    foreignKey({ columns: [t.estateId, t.communityOrgId], foreignColumns: [estates.id, estates.communityOrgId] }),
    index('members_community_idx').on(t.communityOrgId),
    index('members_unit_idx').on(t.unitOrgId),
    index('members_phone_hash_idx').on(t.phoneHash),
    check('members_intentions_check', sql`cardinality(${t.intentions}) between 1 and 8`),
  ],
);
