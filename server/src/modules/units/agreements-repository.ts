import { aliasedTable, and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { agreements, partyOrgs } from '../../db/schema';

export type AgreementRecord = typeof agreements.$inferSelect & {
  unitName: string;
  communityName: string;
  communityDistrictId: string;
};

const unit = aliasedTable(partyOrgs, 'unit_org');
const community = aliasedTable(partyOrgs, 'community_org');

/** What a list shows: those the caller may see (`visible`, null: all), narrowed by the other fields. */
export interface AgreementFilter {
  visible: { unitOrgIds: string[]; communityOrgIds: string[]; districtIds: string[] } | null;
  unitOrgId?: string;
  communityOrgId?: string;
  /** Stored status, and for `expired`/`active` the day that splits them. */
  status?: { stored: (typeof agreements.$inferSelect)['status']; endedBefore?: string; notEndedBefore?: string };
}

/** In force on `today`: accepted, started (startsOn) and not past its last day (endsOn). */
const inForce = (today: string) => and(eq(agreements.status, 'active'), lte(agreements.startsOn, today), gte(agreements.endsOn, today));

/** The agreements table's one writer (共建协议). */
export function agreementsRepositoryFactory(db: Db) {
  const select = (tx: DbOrTx) =>
    tx
      .select({ a: agreements, unitName: unit.name, communityName: community.name, communityDistrictId: community.districtId })
      .from(agreements)
      .innerJoin(unit, eq(unit.id, agreements.unitOrgId))
      .innerJoin(community, eq(community.id, agreements.communityOrgId));
  const flat = (r: { a: typeof agreements.$inferSelect; unitName: string; communityName: string; communityDistrictId: string }) => ({
    ...r.a,
    unitName: r.unitName,
    communityName: r.communityName,
    communityDistrictId: r.communityDistrictId,
  });

  return {
    async insert(values: typeof agreements.$inferInsert, tx: DbOrTx = db): Promise<string> {
      const [row] = await tx.insert(agreements).values(values).returning({ id: agreements.id });
      return row.id;
    },

    async find(id: string, tx: DbOrTx = db): Promise<AgreementRecord | null> {
      const [row] = await select(tx).where(eq(agreements.id, id));
      return row ? flat(row) : null;
    },

    async lock(id: string, tx: DbOrTx) {
      const [row] = await tx.select().from(agreements).where(eq(agreements.id, id)).for('update');
      return row ?? null;
    },

    async update(id: string, set: Partial<typeof agreements.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(agreements).set(set).where(eq(agreements.id, id));
    },

    /** Newest first, keyset on (proposed_at, id). */
    async list(f: AgreementFilter, after: { c: string; i: string } | undefined, limit: number): Promise<AgreementRecord[]> {
      const where: SQL[] = [];
      if (f.visible) {
        where.push(
          or(
            inArray(agreements.unitOrgId, f.visible.unitOrgIds),
            inArray(agreements.communityOrgId, f.visible.communityOrgIds),
            inArray(community.districtId, f.visible.districtIds),
          )!,
        );
      }
      if (f.unitOrgId) where.push(eq(agreements.unitOrgId, f.unitOrgId));
      if (f.communityOrgId) where.push(eq(agreements.communityOrgId, f.communityOrgId));
      if (f.status) {
        where.push(eq(agreements.status, f.status.stored));
        if (f.status.endedBefore) where.push(lt(agreements.endsOn, f.status.endedBefore));
        if (f.status.notEndedBefore) where.push(gte(agreements.endsOn, f.status.notEndedBefore));
      }
      if (after) where.push(sql`(${agreements.proposedAt}, ${agreements.id}) < (${after.c}::timestamptz, ${after.i}::uuid)`);
      const rows = await select(db)
        .where(and(...where))
        .orderBy(desc(agreements.proposedAt), desc(agreements.id))
        .limit(limit);
      return rows.map(flat);
    },

    /**
     * Whether the unit is 已报到 to the community on `today`: an agreement in force (accepted and
     * between its startsOn and endsOn; one not yet started does not count). Inside a transaction the agreement
     * row is share-locked: an `end` racing a claim waits for it (or the claim sees it ended).
     */
    async reported(unitOrgId: string, communityOrgId: string, today: string, tx: DbOrTx = db): Promise<boolean> {
      const rows = await tx
        .select({ id: agreements.id })
        .from(agreements)
        .where(and(eq(agreements.unitOrgId, unitOrgId), eq(agreements.communityOrgId, communityOrgId), inForce(today)))
        .limit(1)
        .for('share');
      return rows.length > 0;
    },

    /** The communities any of the units is reported to on `today`. */
    async communitiesOf(unitOrgIds: string[], today: string): Promise<string[]> {
      if (unitOrgIds.length === 0) return [];
      const rows = await db
        .selectDistinct({ id: agreements.communityOrgId })
        .from(agreements)
        .where(and(inArray(agreements.unitOrgId, unitOrgIds), inForce(today)));
      return rows.map((r) => r.id);
    },

    /** The units reported to any of the communities on `today`. */
    async unitsOf(communityOrgIds: string[], today: string): Promise<string[]> {
      if (communityOrgIds.length === 0) return [];
      const rows = await db
        .selectDistinct({ id: agreements.unitOrgId })
        .from(agreements)
        .where(and(inArray(agreements.communityOrgId, communityOrgIds), inForce(today)));
      return rows.map((r) => r.id);
    },

    /** Units reported to a community of the district (or anywhere, without one) on `today`. */
    async unitsInDistrict(districtId: string, today: string): Promise<string[]> {
      const rows = await db
        .selectDistinct({ id: agreements.unitOrgId })
        .from(agreements)
        .innerJoin(community, eq(community.id, agreements.communityOrgId))
        .where(and(eq(community.districtId, districtId), inForce(today)));
      return rows.map((r) => r.id);
    },
  };
}

export type AgreementsRepository = ReturnType<typeof agreementsRepositoryFactory>;
