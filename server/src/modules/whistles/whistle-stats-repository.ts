import { sql, type SQL } from 'drizzle-orm';
import type { WhistleStats } from '@pioneer/shared';
import type { Db } from '../../db/client';

/**
 * Whose whistles: those a unit received (its own assignments only), or those raised by a
 * community, in a 板块 (by it or its communities), or anywhere.
 */
export type WhistleScope =
  { scope: 'unit'; id: string } | { scope: 'community'; id: string } | { scope: 'district'; id: string } | { scope: 'city' };

/** Whistles raised in [from, to). */
export interface Period {
  from: Date;
  to: Date;
}

interface Raw {
  whistles: number;
  assignments: number;
  responded: number;
  decided: number;
  closed: number;
  median: number | string | null;
  satisfaction: number | string | null;
  overdue: number;
}

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;

function toStats(r: Raw): WhistleStats {
  return {
    whistles: r.whistles,
    assignments: r.assignments,
    responseRate: r.decided > 0 ? round(r.responded / r.decided, 4) : null,
    closeRate: r.whistles > 0 ? round(r.closed / r.whistles, 4) : null,
    medianHoursToAnswer: r.median === null ? null : round(Number(r.median), 2),
    satisfaction: r.satisfaction === null ? null : round(Number(r.satisfaction), 2),
    overdue: r.overdue,
  };
}

/**
 * The figures of 吹哨报到, for statistics and as inputs of the 先锋指数:
 * - responseRate: assignments signed within 24 h of being addressed ÷ assignments that were
 *   signed or whose 24 h have passed (a whistle addressed an hour ago does not count against it);
 * - closeRate: whistles closed (or rated after closing) ÷ whistles;
 * - medianHoursToAnswer: addressed → answered, over answered assignments;
 * - satisfaction: mean rating of rated whistles;
 * - overdue: assignments past their due time, pending or signed, at `now`.
 */
export function whistleStatsFactory(db: Db) {
  const figuresSql = (w: SQL, unit: SQL, now: Date) => {
    const t = sql`${now.toISOString()}::timestamptz`;
    return sql`
      with w as (${w}),
      a as (select wa.* from whistle_assignments wa where wa.whistle_id in (select id from w) ${unit})
      select
        (select count(*)::int from w) as "whistles",
        (select count(*)::int from a) as "assignments",
        (select count(*)::int from a where a.signed_at is not null and a.signed_at <= a.assigned_at + interval '24 hours') as "responded",
        (select count(*)::int from a where a.signed_at is not null or a.assigned_at + interval '24 hours' <= ${t}) as "decided",
        (select count(*)::int from w where w.status in ('closed', 'rated')) as "closed",
        (select percentile_cont(0.5) within group (order by extract(epoch from a.answered_at - a.assigned_at) / 3600)
           from a where a.answered_at is not null) as "median",
        (select avg(w.satisfaction) from w where w.satisfaction is not null) as "satisfaction",
        (select count(*)::int from a where a.status in ('pending', 'signed') and a.due_at <= ${t}) as "overdue"`;
  };

  const periodSql = (p?: Period) =>
    p ? sql`and wh.created_at >= ${p.from.toISOString()}::timestamptz and wh.created_at < ${p.to.toISOString()}::timestamptz` : sql``;

  return {
    async figures(s: WhistleScope, now: Date, period?: Period): Promise<WhistleStats> {
      let whistleSet: SQL;
      let unit = sql``;
      if (s.scope === 'unit') {
        whistleSet = sql`select wh.id, wh.status, wh.satisfaction from whistles wh
          where exists (select 1 from whistle_assignments x where x.whistle_id = wh.id and x.org_id = ${s.id}::uuid) ${periodSql(period)}`;
        unit = sql`and wa.org_id = ${s.id}::uuid`;
      } else {
        const where =
          s.scope === 'city'
            ? sql`true`
            : s.scope === 'district'
              ? sql`wh.raised_by_district_id = ${s.id}::uuid`
              : sql`wh.raised_by_org_id = ${s.id}::uuid`;
        whistleSet = sql`select wh.id, wh.status, wh.satisfaction from whistles wh where ${where} ${periodSql(period)}`;
      }
      const { rows } = await db.execute<Raw & Record<string, unknown>>(figuresSql(whistleSet, unit, now));
      return toStats(rows[0]);
    },

    /**
     * The same figures for many community party orgs at once (the 先锋指数 ranks every community of a
     * period): whistles each raised in the period. Communities that raised none are absent.
     */
    async figuresByCommunity(period: Period, now: Date, communityIds?: string[]): Promise<Map<string, WhistleStats>> {
      const t = sql`${now.toISOString()}::timestamptz`;
      const only = communityIds ? sql`and wh.raised_by_org_id = any(${sql.param(communityIds)}::uuid[])` : sql``;
      const { rows } = await db.execute<Raw & { orgId: string } & Record<string, unknown>>(sql`
        with w as (
          select wh.id, wh.raised_by_org_id as raiser_id, wh.status, wh.satisfaction from whistles wh
          where wh.raised_by_org_id is not null ${only} ${periodSql(period)}
        ), a as (
          select w.raiser_id, wa.* from whistle_assignments wa join w on w.id = wa.whistle_id
        ), wf as (
          select raiser_id, count(*)::int as whistles,
                 count(*) filter (where status in ('closed', 'rated'))::int as closed,
                 avg(satisfaction) as satisfaction
          from w group by raiser_id
        ), af as (
          select raiser_id, count(*)::int as assignments,
                 count(*) filter (where signed_at is not null and signed_at <= assigned_at + interval '24 hours')::int as responded,
                 count(*) filter (where signed_at is not null or assigned_at + interval '24 hours' <= ${t})::int as decided,
                 percentile_cont(0.5) within group (order by extract(epoch from answered_at - assigned_at) / 3600)
                   filter (where answered_at is not null) as median,
                 count(*) filter (where status in ('pending', 'signed') and due_at <= ${t})::int as overdue
          from a group by raiser_id
        )
        select wf.raiser_id as "orgId", wf.whistles as "whistles", coalesce(af.assignments, 0) as "assignments",
               coalesce(af.responded, 0) as "responded", coalesce(af.decided, 0) as "decided", wf.closed as "closed",
               af.median as "median", wf.satisfaction as "satisfaction", coalesce(af.overdue, 0) as "overdue"
        from wf left join af on af.raiser_id = wf.raiser_id`);
      return new Map(rows.map((r) => [r.orgId, toStats(r)]));
    },
  };
}

export type WhistleStatsRepository = ReturnType<typeof whistleStatsFactory>;
