import { sql, type SQL } from 'drizzle-orm';
import { DEFAULT_STAR_THRESHOLDS } from '@pioneer/shared';
import type { Db } from '../../db/client';
import { householdMatchSql } from '../households/household-match-sql';
import type { AuthorizedScope } from '../stats/stats-service';

/** The rules' default thresholds, for a database whose one rules row was removed (see the points repository). */
const DEFAULT_STARS = sql.raw(`'{${DEFAULT_STAR_THRESHOLDS.join(',')}}'::int[]`);

const TZ = 'Asia/Shanghai';
/** A claim that is a participation: not cancelled, not released by its secretary (as the roll-ups count). */
const LIVE = sql.raw(`status not in ('cancelled', 'released')`);
const at = (col: SQL) => sql`to_char(${col} at time zone ${TZ}, 'YYYY-MM-DD HH24:MI')`;

export type MemberExportRow = {
  id: string;
  name: string;
  phone_masked: string;
  unit_org: string;
  work_unit: string;
  community: string;
  /** Null unless the export carries homes (a community's own staff). */
  estate: string | null;
  building: string | null;
  unit_no: string | null;
  room: string | null;
  intentions: string[];
  registered_at: string;
  household_match: 'matched' | 'unmatched' | 'conflict';
  participations: number;
  minutes: number;
  /** All-time completed minutes (the record; hours and star level come from it). */
  service_minutes: number;
  star: number;
  points_balance: number;
};

type RecordExportRow = {
  claim_id: string;
  title: string;
  category: string;
  community: string;
  starts_at: string;
  ends_at: string;
  member_name: string | null;
  unit_org: string | null;
  status: string;
  checked_in_at: string | null;
  checked_out_at: string | null;
  minutes: number | null;
  source: 'scan' | 'secretary' | 'correction' | 'supplement';
  amended: boolean;
  sort_key: string;
};

type UnitReportRow = {
  id: string;
  name: string;
  work_unit: string;
  community: string;
  served_in: string[];
  services: number;
  minutes: number;
};

/** Members by where they live (a unit: by 组织关系). */
function memberScope(s: AuthorizedScope): SQL {
  if (s.scope === 'city') return sql`true`;
  if (s.scope === 'district') return sql`c.district_id = ${s.id}::uuid`;
  if (s.scope === 'community') return sql`m.community_org_id = ${s.id}::uuid`;
  return sql`m.unit_org_id = ${s.id}::uuid`;
}

/** Work by where it happened (a unit: the work of its members). */
function recordScope(s: AuthorizedScope): SQL {
  if (s.scope === 'city') return sql`true`;
  if (s.scope === 'district') return sql`tc.district_id = ${s.id}::uuid`;
  if (s.scope === 'community') return sql`t.community_org_id = ${s.id}::uuid`;
  return sql`m.unit_org_id = ${s.id}::uuid`;
}

export function exportsRepositoryFactory(db: Db) {
  return {
    /**
     * A page of members in scope after `afterId`, by id, with their participations (claims that
     * count: not cancelled, not released); their homes only when `withHome`.
     */
    async members(s: AuthorizedScope, afterId: string | null, limit: number, withHome: boolean): Promise<MemberExportRow[]> {
      const home = withHome
        ? sql`e.name as estate, m.building, m.unit_no, m.room`
        : sql`null as estate, null as building, null as unit_no, null as room`;
      const { rows } = await db.execute<MemberExportRow>(sql`
        select m.id, m.name, m.phone_masked, u.name as unit_org, m.work_unit, c.name as community,
               ${home}, m.intentions, ${at(sql`m.registered_at`)} as registered_at,
               ${householdMatchSql(sql`m`)} as household_match,
               coalesce(w.n, 0)::int as participations, coalesce(w.minutes, 0)::int as minutes,
               coalesce(w.done, 0)::int as service_minutes,
               (select count(*) from unnest(coalesce(r.star_thresholds_hours, ${DEFAULT_STARS})) h
                 where coalesce(w.done, 0) >= h * 60)::int as star,
               coalesce(pa.balance, 0)::int as points_balance
          from members m
          join party_orgs u on u.id = m.unit_org_id
          join party_orgs c on c.id = m.community_org_id
          join estates e on e.id = m.estate_id
          left join points_rules r on r.id = 1
          left join points_accounts pa on pa.member_id = m.id
          left join lateral (select count(*) as n, sum(cl.minutes) as minutes,
                                    sum(cl.minutes) filter (where cl.status = 'completed') as done from claims cl
                              where cl.member_id = m.id and cl.${LIVE}) w on true
         where ${memberScope(s)} ${afterId ? sql`and m.id > ${afterId}::uuid` : sql``}
         order by m.id
         limit ${limit}`);
      return rows;
    },

    /** Live claims (participations) on posts starting in [from, to) in scope, a page after `after` (start time, claim id). */
    async records(s: AuthorizedScope, from: Date, to: Date, after: string | null, limit: number): Promise<RecordExportRow[]> {
      const { rows } = await db.execute<RecordExportRow>(sql`
        select cl.id as claim_id, t.title, t.category, tc.name as community,
               ${at(sql`t.starts_at`)} as starts_at, ${at(sql`t.ends_at`)} as ends_at,
               m.name as member_name, u.name as unit_org, cl.status,
               ${at(sql`cl.checked_in_at`)} as checked_in_at, ${at(sql`cl.checked_out_at`)} as checked_out_at, cl.minutes,
               cl.source, cl.record_version > 1 as amended,
               to_char(t.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || cl.id as sort_key
          from claims cl
          join tasks t on t.id = cl.task_id
          join party_orgs tc on tc.id = t.community_org_id
          left join members m on m.id = cl.member_id
          left join party_orgs u on u.id = m.unit_org_id
         where cl.${LIVE}
           and t.starts_at >= ${from}::timestamptz and t.starts_at < ${to}::timestamptz
           and ${recordScope(s)}
           ${after ? sql`and (to_char(t.starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || cl.id) > ${after}` : sql``}
         order by sort_key
         limit ${limit}`);
      return rows;
    },

    /** Each member of the unit with its service in [from, to): where, how often, how long. */
    async unitReport(unitOrgId: string, from: Date, to: Date): Promise<UnitReportRow[]> {
      const { rows } = await db.execute<UnitReportRow>(sql`
        select m.id, m.name, m.work_unit, c.name as community,
               coalesce(array_agg(distinct tc.name) filter (where tc.name is not null), '{}') as served_in,
               count(cl.id)::int as services, coalesce(sum(cl.minutes), 0)::int as minutes
          from members m
          join party_orgs c on c.id = m.community_org_id
          left join claims cl on cl.member_id = m.id and cl.${LIVE}
                             and exists (select 1 from tasks t where t.id = cl.task_id and t.starts_at >= ${from}::timestamptz and t.starts_at < ${to}::timestamptz)
          left join tasks t on t.id = cl.task_id
          left join party_orgs tc on tc.id = t.community_org_id
         where m.unit_org_id = ${unitOrgId}::uuid
         group by m.id, m.name, m.work_unit, c.name
         order by m.name, m.id`);
      return rows;
    },

    async unitName(unitOrgId: string): Promise<string | null> {
      const { rows } = await db.execute<{ name: string }>(sql`select name from party_orgs where id = ${unitOrgId}::uuid and kind = 'unit'`);
      return rows[0]?.name ?? null;
    },
  };
}

export type ExportsRepository = ReturnType<typeof exportsRepositoryFactory>;
