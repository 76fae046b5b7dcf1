import { sql, type SQL } from 'drizzle-orm';
import type { HouseholdMatch } from '@pioneer/shared';

/**
 * A member's match against its community's registry, as one SQL expression over `m` (a members
 * row): the same home (estate, and building/unit/room normalised by home_part()) with the same
 * phone hash is `matched`; the home with another phone, or the phone at another home, is
 * `conflict`; neither is `unmatched`. Computed when read, so it never goes stale after an import
 * or a member's edit.
 */
export const householdMatchSql = (m: SQL) => sql<HouseholdMatch>`(case
  when exists (select 1 from households h
                where h.community_org_id = ${m}.community_org_id and h.estate_id = ${m}.estate_id
                  and h.building = home_part(${m}.building) and h.unit_no = home_part(${m}.unit_no) and h.room = home_part(${m}.room)
                  and h.phone_hash = ${m}.phone_hash) then 'matched'
  when exists (select 1 from households h
                where h.community_org_id = ${m}.community_org_id and h.estate_id = ${m}.estate_id
                  and h.building = home_part(${m}.building) and h.unit_no = home_part(${m}.unit_no) and h.room = home_part(${m}.room))
    or exists (select 1 from households h where h.community_org_id = ${m}.community_org_id and h.phone_hash = ${m}.phone_hash)
    then 'conflict'
  else 'unmatched' end)`;
