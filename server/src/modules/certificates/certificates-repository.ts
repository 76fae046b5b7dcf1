import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { certificateKeys, certificates, certificateSettings } from '../../db/schema';

export type CertificateRow = typeof certificates.$inferSelect;
type SettingsRow = typeof certificateSettings.$inferSelect;

/** The certificates module's tables: settings, keys and certificates. Only this file writes them. */
export function certificatesRepositoryFactory(db: Db) {
  return {
    async registerKey(keyId: string, publicKey: string): Promise<void> {
      await db.insert(certificateKeys).values({ keyId, publicKey }).onConflictDoNothing();
    },

    async keys() {
      return db.select().from(certificateKeys).orderBy(certificateKeys.createdAt);
    },

    async settings(orgId: string): Promise<SettingsRow | null> {
      const [row] = await db.select().from(certificateSettings).where(eq(certificateSettings.orgId, orgId));
      return row ?? null;
    },

    /** `sealPng` undefined keeps the seal there is. */
    async putSettings(values: { orgId: string; leader: string; handler: string; sealPng?: Buffer; updatedBy: string; updatedAt: Date }) {
      const set = { leader: values.leader, handler: values.handler, updatedBy: values.updatedBy, updatedAt: values.updatedAt };
      const [row] = await db
        .insert(certificateSettings)
        .values(values)
        .onConflictDoUpdate({ target: certificateSettings.orgId, set: values.sealPng ? { ...set, sealPng: values.sealPng } : set })
        .returning();
      return row;
    },

    /** `XF-<year>-<6 digits>` from one sequence: unique across years too. */
    async nextNo(year: number): Promise<string> {
      const res = await db.execute<{ n: string }>(sql`select nextval('certificate_no_seq')::text as n`);
      return `XF-${year}-${res.rows[0].n.padStart(6, '0')}`;
    },

    async insert(values: typeof certificates.$inferInsert): Promise<CertificateRow> {
      const [row] = await db.insert(certificates).values(values).returning();
      return row;
    },

    async findByNo(no: string): Promise<CertificateRow | null> {
      const [row] = await db.select().from(certificates).where(eq(certificates.no, no));
      return row ?? null;
    },

    async ofMember(memberId: string): Promise<CertificateRow[]> {
      return db.select().from(certificates).where(eq(certificates.memberId, memberId)).orderBy(desc(certificates.issuedAt)).limit(100);
    },

    /** 注销: the certificates stay verifiable (their payload names the holder masked) but name no member. */
    async relabel(tx: DbOrTx, memberId: string, anonymous: string): Promise<void> {
      await tx.update(certificates).set({ memberId: anonymous }).where(eq(certificates.memberId, memberId));
    },

    /** Revokes, in the amending transaction, every valid certificate holding one of these records. */
    async revokeHolding(tx: DbOrTx, claimIds: string[], at: Date, reason: string): Promise<string[]> {
      if (claimIds.length === 0) return [];
      const rows = await tx
        .update(certificates)
        .set({ status: 'revoked', revokedAt: at, revokeReason: reason })
        .where(and(eq(certificates.status, 'valid'), sql`${certificates.claimIds} && ${sql.param(claimIds)}::uuid[]`))
        .returning({ no: certificates.no });
      return rows.map((r) => r.no);
    },
  };
}

export type CertificatesRepository = ReturnType<typeof certificatesRepositoryFactory>;
