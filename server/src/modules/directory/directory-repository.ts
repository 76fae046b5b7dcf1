import { and, asc, eq, ilike, sql, type SQL } from 'drizzle-orm';
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
  };
}

export type DirectoryRepository = ReturnType<typeof directoryRepositoryFactory>;
