import { and, asc, eq, ilike, isNull, sql, type SQL } from 'drizzle-orm';
import type { PartyOrgKind } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { districts, estates, partyOrgs } from '../../db/schema';

export type PartyOrgRow = typeof partyOrgs.$inferSelect;

/** `%`, `_` and the escape character itself match literally in the user's search text. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function directoryRepositoryFactory(db: Db) {
  return {
    async listDistricts(tx: DbOrTx = db) {
      return tx.select({ id: districts.id, name: districts.name }).from(districts).orderBy(asc(districts.sortOrder), asc(districts.name));
    },

    async findDistrict(id: string, tx: DbOrTx = db) {
      const [row] = await tx.select({ id: districts.id, name: districts.name }).from(districts).where(eq(districts.id, id));
      return row ?? null;
    },

    /** Keyset page ordered by (name, id); `after` is the last row of the previous page. */
    async listPartyOrgs(
      filter: { kind?: PartyOrgKind; districtId?: string; q?: string; limit: number; after?: { name: string; id: string } },
      tx: DbOrTx = db,
    ) {
      const where: SQL[] = [];
      if (filter.kind) where.push(eq(partyOrgs.kind, filter.kind));
      if (filter.districtId) where.push(eq(partyOrgs.districtId, filter.districtId));
      if (filter.q) where.push(ilike(partyOrgs.name, `%${likeEscape(filter.q)}%`));
      if (filter.after) where.push(sql`(${partyOrgs.name}, ${partyOrgs.id}) > (${filter.after.name}, ${filter.after.id}::uuid)`);
      return tx
        .select({ id: partyOrgs.id, name: partyOrgs.name, kind: partyOrgs.kind, districtId: partyOrgs.districtId })
        .from(partyOrgs)
        .where(and(...where))
        .orderBy(asc(partyOrgs.name), asc(partyOrgs.id))
        .limit(filter.limit);
    },

    async findPartyOrg(id: string, tx: DbOrTx = db): Promise<PartyOrgRow | null> {
      const [row] = await tx.select().from(partyOrgs).where(eq(partyOrgs.id, id));
      return row ?? null;
    },

    async insertPartyOrg(values: { kind: PartyOrgKind; name: string; districtId: string; registerCode: string | null }, tx: DbOrTx = db) {
      const [row] = await tx.insert(partyOrgs).values(values).returning();
      return row;
    },

    async listEstates(communityOrgId: string, tx: DbOrTx = db) {
      return tx
        .select({ id: estates.id, name: estates.name })
        .from(estates)
        .where(eq(estates.communityOrgId, communityOrgId))
        .orderBy(asc(estates.name), asc(estates.id));
    },

    async insertEstate(values: { communityOrgId: string; name: string }, tx: DbOrTx = db) {
      const [row] = await tx.insert(estates).values(values).returning({ id: estates.id, name: estates.name });
      return row;
    },

    /** Many estates in a few statements (a directory import may bring thousands). */
    async insertEstates(values: Array<{ communityOrgId: string; name: string }>, tx: DbOrTx = db): Promise<void> {
      for (let i = 0; i < values.length; i += 1000) await tx.insert(estates).values(values.slice(i, i + 1000));
    },

    /** Serialises directory imports: two at once would both see a name as new. */
    async lockForImport(tx: DbOrTx) {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('pioneer:directory-import'))`);
    },

    /** The whole directory by name, as an import matches its rows against it. */
    async snapshot(tx: DbOrTx = db) {
      // One after another: a transaction is one connection.
      const d = await tx.select({ id: districts.id, name: districts.name }).from(districts);
      const o = await tx
        .select({ id: partyOrgs.id, name: partyOrgs.name, kind: partyOrgs.kind, districtId: partyOrgs.districtId })
        .from(partyOrgs);
      const e = await tx.select({ communityOrgId: estates.communityOrgId, name: estates.name }).from(estates);
      return { districts: d, orgs: o, estates: e };
    },

    /** A new district, sorted after the others. */
    async insertDistrict(name: string, tx: DbOrTx = db): Promise<string> {
      const [row] = await tx
        .insert(districts)
        .values({ name, sortOrder: sql`(select coalesce(max(${districts.sortOrder}), 0) + 1 from ${districts})` })
        .returning({ id: districts.id });
      return row.id;
    },

    async moveOrg(id: string, districtId: string, tx: DbOrTx = db) {
      await tx.update(partyOrgs).set({ districtId }).where(eq(partyOrgs.id, id));
    },

    async findCommunityByRegisterCode(code: string, tx: DbOrTx = db) {
      const [row] = await tx
        .select({
          id: partyOrgs.id,
          kind: partyOrgs.kind,
          name: partyOrgs.name,
          districtId: partyOrgs.districtId,
          registerCode: partyOrgs.registerCode,
        })
        .from(partyOrgs)
        .where(and(eq(partyOrgs.registerCode, code), eq(partyOrgs.kind, 'community')));
      return row ?? null;
    },

    /** Sets a community's register code only if none is set yet; null when another request got there first. */
    async setRegisterCodeIfUnset(id: string, code: string, tx: DbOrTx = db): Promise<string | null> {
      const [row] = await tx
        .update(partyOrgs)
        .set({ registerCode: code })
        .where(and(eq(partyOrgs.id, id), eq(partyOrgs.kind, 'community'), isNull(partyOrgs.registerCode)))
        .returning({ registerCode: partyOrgs.registerCode });
      return row?.registerCode ?? null;
    },
  };
}

export type DirectoryRepository = ReturnType<typeof directoryRepositoryFactory>;
