import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';

/** The directory as the import sees it: every district, party org and estate by name. */
export function importsRepositoryFactory(db: Db) {
  return {
    async snapshot(tx: DbOrTx = db) {
      // One after another: a transaction is one connection.
      const d = await tx.execute<{ id: string; name: string }>(sql`select id, name from districts`);
      const o = await tx.execute<{ id: string; name: string; kind: 'community' | 'unit'; district_id: string }>(
        sql`select id, name, kind, district_id from party_orgs`,
      );
      const e = await tx.execute<{ community_org_id: string; name: string }>(sql`select community_org_id, name from estates`);
      return { districts: d.rows, orgs: o.rows, estates: e.rows };
    },

    /** Serialises directory imports: two at once would both see a name as new. */
    async lock(tx: DbOrTx) {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('pioneer:directory-import'))`);
    },

    async insertDistrict(name: string, tx: DbOrTx): Promise<string> {
      const { rows } = await tx.execute<{ id: string }>(sql`
        insert into districts (name, sort_order) values (${name}, (select coalesce(max(sort_order), 0) + 1 from districts))
        returning id`);
      return rows[0].id;
    },

    async insertOrg(
      kind: 'community' | 'unit',
      name: string,
      districtId: string,
      registerCode: string | null,
      tx: DbOrTx,
    ): Promise<string> {
      const { rows } = await tx.execute<{ id: string }>(sql`
        insert into party_orgs (kind, name, district_id, register_code) values (${kind}, ${name}, ${districtId}::uuid, ${registerCode})
        returning id`);
      return rows[0].id;
    },

    async moveOrg(id: string, districtId: string, tx: DbOrTx) {
      await tx.execute(sql`update party_orgs set district_id = ${districtId}::uuid where id = ${id}::uuid`);
    },

    async insertEstate(communityOrgId: string, name: string, tx: DbOrTx) {
      await tx.execute(sql`insert into estates (community_org_id, name) values (${communityOrgId}::uuid, ${name})`);
    },
  };
}

export type ImportsRepository = ReturnType<typeof importsRepositoryFactory>;
