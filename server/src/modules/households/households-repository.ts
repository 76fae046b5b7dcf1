import { sql, type SQL } from 'drizzle-orm';
import type { Coverage, HouseholdMatch } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { householdMatchSql } from './household-match-sql';

/** One registry row ready to write: its home normalised by home_part(), owner encrypted and hashed. */
export interface HouseholdInput {
  estateId: string;
  building: string;
  unitNo: string;
  room: string;
  ownerNameCipher: string;
  ownerNameHash: string;
  phoneCipher: string;
  phoneHash: string;
  phoneMasked: string;
}

/** Households of the communities `communities` (a subquery of ids) with a member living there. */
const withMemberSql = sql`exists (select 1 from members m
  where m.community_org_id = h.community_org_id and m.estate_id = h.estate_id
    and home_part(m.building) = h.building and home_part(m.unit_no) = h.unit_no and home_part(m.room) = h.room)`;

export function householdsRepositoryFactory(db: Db) {
  return {
    async estatesByName(communityOrgId: string, tx: DbOrTx = db): Promise<Map<string, string>> {
      const { rows } = await tx.execute<{ id: string; name: string }>(
        sql`select id, name from estates where community_org_id = ${communityOrgId}::uuid`,
      );
      return new Map(rows.map((r) => [r.name.trim(), r.id]));
    },

    /**
     * Serialises the imports of one community: two files naming the same homes in different
     * orders would otherwise lock them in different orders and deadlock.
     */
    async lockCommunity(communityOrgId: string, tx: DbOrTx): Promise<void> {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('pioneer:households-import'), hashtext(${communityOrgId}))`);
    },

    /** Each home of the community (estate, building, unit, room joined by NUL) → `ownerNameHash:phoneHash`. */
    async ownerHashes(communityOrgId: string, tx: DbOrTx): Promise<Map<string, string>> {
      const { rows } = await tx.execute<{ e: string; b: string; u: string; r: string; n: string; p: string }>(sql`
        select estate_id as e, building as b, unit_no as u, room as r, owner_name_hash as n, phone_hash as p
          from households where community_org_id = ${communityOrgId}::uuid`);
      return new Map(rows.map((x) => [`${x.e}\u0000${x.b}\u0000${x.u}\u0000${x.r}`, `${x.n}:${x.p}`]));
    },

    /**
     * home_part() of each text: the one normalisation of building, unit and room, kept in SQL so
     * imports and the member matching cannot disagree. An import asks once for its few hundred
     * distinct values instead of running the regular expressions on every row.
     */
    async homeParts(values: string[], tx: DbOrTx = db): Promise<Map<string, string>> {
      const { rows } = await tx.execute<{ raw: string; norm: string }>(
        sql`select raw, home_part(raw) as norm from unnest(${sql.param(values)}::text[]) as raw`,
      );
      return new Map(rows.map((r) => [r.raw, r.norm]));
    },

    /**
     * Writes rows naming distinct homes (the caller drops a file's repeated homes): new homes
     * are inserted, known ones updated when the owner's name or phone changed, the rest left alone.
     */
    async upsert(communityOrgId: string, rows: HouseholdInput[], now: Date, tx: DbOrTx): Promise<{ inserted: number; updated: number }> {
      const col = <K extends keyof HouseholdInput>(k: K) => sql.param(rows.map((r) => r[k]));
      const { rows: counts } = await tx.execute<{ inserted: number; written: number }>(sql`
        with written as (
          insert into households as h (community_org_id, estate_id, building, unit_no, room,
                                        owner_name_cipher, owner_name_hash, phone_cipher, phone_hash, phone_masked, created_at, updated_at)
          select ${communityOrgId}::uuid, t.*, ${now}::timestamptz, ${now}::timestamptz
            from unnest(${col('estateId')}::uuid[], ${col('building')}::text[], ${col('unitNo')}::text[], ${col('room')}::text[],
                        ${col('ownerNameCipher')}::text[], ${col('ownerNameHash')}::text[],
                        ${col('phoneCipher')}::text[], ${col('phoneHash')}::text[], ${col('phoneMasked')}::text[]) as t
          on conflict on constraint households_home_unique do update
             set owner_name_cipher = excluded.owner_name_cipher, owner_name_hash = excluded.owner_name_hash,
                 phone_cipher = excluded.phone_cipher, phone_hash = excluded.phone_hash, phone_masked = excluded.phone_masked,
                 updated_at = excluded.updated_at
           where h.owner_name_hash <> excluded.owner_name_hash or h.phone_hash <> excluded.phone_hash
          returning (xmax = 0) as inserted
        )
        select count(*) filter (where inserted)::int as inserted, count(*)::int as written from written`);
      return { inserted: counts[0].inserted, updated: counts[0].written - counts[0].inserted };
    },

    /** Registry coverage of the communities selected by `communities` (SQL returning ids). */
    async totals(communities: SQL | null, tx: DbOrTx = db): Promise<{ households: number; householdsWithMember: number }> {
      const { rows } = await tx.execute<{ households: number; with_member: number }>(sql`
        select count(*)::int as households, count(*) filter (where ${withMemberSql})::int as with_member
          from households h ${communities ? sql`where h.community_org_id in ${communities}` : sql``}`);
      return { households: rows[0].households, householdsWithMember: rows[0].with_member };
    },

    async coverageByBuilding(communityOrgId: string, tx: DbOrTx = db): Promise<Coverage['buildings']> {
      const { rows } = await tx.execute<{
        estate_id: string;
        estate_name: string;
        building: string;
        households: number;
        with_member: number;
      }>(sql`
        select h.estate_id, e.name as estate_name, h.building,
               count(*)::int as households, count(*) filter (where ${withMemberSql})::int as with_member
          from households h join estates e on e.id = h.estate_id
         where h.community_org_id = ${communityOrgId}::uuid
         group by h.estate_id, e.name, h.building
         order by e.name, length(h.building), h.building`);
      return rows.map((r) => ({
        estate: { id: r.estate_id, name: r.estate_name },
        building: r.building,
        households: r.households,
        householdsWithMember: r.with_member,
      }));
    },

    /** A page of a community's members with their registry match, newest registration first. */
    async listMembers(
      communityOrgId: string,
      opts: { match?: HouseholdMatch; limit: number; after?: { at: Date; id: string } },
      tx: DbOrTx = db,
    ) {
      const { rows } = await tx.execute<{
        id: string;
        user_id: string;
        name: string;
        phone_masked: string;
        unit_org_id: string;
        unit_org_name: string;
        work_unit: string;
        estate_id: string;
        estate_name: string;
        building: string;
        unit_no: string;
        room: string;
        registered_at: Date;
        household_match: HouseholdMatch;
      }>(sql`
        select * from (
          select m.id, m.user_id, m.name, m.phone_masked, m.unit_org_id, u.name as unit_org_name, m.work_unit,
                 m.estate_id, e.name as estate_name, m.building, m.unit_no, m.room, m.registered_at,
                 ${householdMatchSql(sql`m`)} as household_match
            from members m
            join party_orgs u on u.id = m.unit_org_id
            join estates e on e.id = m.estate_id
           where m.community_org_id = ${communityOrgId}::uuid
             ${opts.after ? sql`and (m.registered_at, m.id) < (${opts.after.at}::timestamptz, ${opts.after.id}::uuid)` : sql``}
        ) x
        ${opts.match ? sql`where x.household_match = ${opts.match}` : sql``}
        order by x.registered_at desc, x.id desc
        limit ${opts.limit}`);
      return rows;
    },

    async matchCounts(communityOrgId: string, tx: DbOrTx = db): Promise<Record<HouseholdMatch, number>> {
      const { rows } = await tx.execute<{ household_match: HouseholdMatch; n: number }>(sql`
        select ${householdMatchSql(sql`m`)} as household_match, count(*)::int as n
          from members m where m.community_org_id = ${communityOrgId}::uuid group by 1`);
      const counts: Record<HouseholdMatch, number> = { matched: 0, unmatched: 0, conflict: 0 };
      for (const r of rows) counts[r.household_match] = r.n;
      return counts;
    },

    async memberMatch(memberId: string, tx: DbOrTx = db): Promise<HouseholdMatch | null> {
      const { rows } = await tx.execute<{ household_match: HouseholdMatch }>(
        sql`select ${householdMatchSql(sql`m`)} as household_match from members m where m.id = ${memberId}::uuid`,
      );
      return rows[0]?.household_match ?? null;
    },
  };
}

export type HouseholdsRepository = ReturnType<typeof householdsRepositoryFactory>;
