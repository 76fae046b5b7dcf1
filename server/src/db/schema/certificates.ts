import { sql } from 'drizzle-orm';
import { check, customType, date, index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { partyOrgs } from './directory';
import { users } from './identity';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

export const CERTIFICATE_STATUSES = ['valid', 'revoked'] as const;

/** What a community's certificates carry: its 负责人, 经办人 and seal (PNG, ≤ 200 KB). */
export const certificateSettings = pgTable(
  'certificate_settings',
  {
    orgId: uuid()
      .primaryKey()
      .references(() => partyOrgs.id),
    leader: text().notNull(),
    handler: text().notNull(),
    sealPng: bytea(),
    updatedBy: uuid().references(() => users.id),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [check('certificate_settings_seal_check', sql`${t.sealPng} is null or octet_length(${t.sealPng}) <= 204800`)],
);

/** Every public key that ever signed: a rotated key stays listed. */
export const certificateKeys = pgTable('certificate_keys', {
  keyId: text().primaryKey(),
  publicKey: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const certificates = pgTable(
  'certificates',
  {
    id: uuid().primaryKey().defaultRandom(),
    no: text().notNull(),
    /** No foreign key, as on claims: 注销 re-labels a member's rows. */
    memberId: uuid().notNull(),
    communityOrgId: uuid()
      .notNull()
      .references(() => partyOrgs.id),
    fromDay: date({ mode: 'string' }).notNull(),
    toDay: date({ mode: 'string' }).notNull(),
    totalMinutes: integer().notNull(),
    /** The records certified: amending one revokes the certificate. */
    claimIds: uuid().array().notNull(),
    /** The canonical JSON that was signed, byte for byte. */
    payload: text().notNull(),
    signature: text().notNull(),
    keyId: text()
      .notNull()
      .references(() => certificateKeys.keyId),
    status: text({ enum: CERTIFICATE_STATUSES }).notNull().default('valid'),
    revokedAt: timestamp({ withTimezone: true }),
    revokeReason: text(),
    issuedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    unique('certificates_no_unique').on(t.no),
    index('certificates_member_idx').on(t.memberId, t.issuedAt),
    index('certificates_claims_idx')
      .using('gin', t.claimIds)
      .where(sql`${t.status} = 'valid'`),
    check('certificates_status_check', sql`${t.status} in ('valid', 'revoked')`),
    check('certificates_revoked_check', sql`(${t.status} = 'revoked') = (${t.revokedAt} is not null)`),
  ],
);
