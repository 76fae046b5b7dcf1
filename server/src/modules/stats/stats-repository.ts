import { sql, type SQL } from 'drizzle-orm';
import { CATEGORY_KEYS, type StatsDashboard, type StatsOverview } from '@pioneer/shared';
import type { Db } from '../../db/client';
import { ALL_PERIOD, CITY_ID } from '../rollups/rollups-sql';

export type StatsScopeFilter = { scope: 'city' } | { scope: 'district'; id: string } | { scope: 'community'; id: string };
type RollupScope = 'city' | 'district' | 'community' | 'unit';

const round2 = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);

/** The `all` row of a scope, or zeros. */
const allRow = (scope: RollupScope, id: string) => sql`(
  select coalesce(sum(tasks_published), 0)::int as published, coalesce(sum(tasks_filled), 0)::int as filled,
         coalesce(sum(participations), 0)::int as participations, coalesce(sum(service_minutes), 0)::bigint as minutes,
         coalesce(sum(members), 0)::int as members,
         coalesce(sum(households), 0)::int as households, coalesce(sum(households_with_member), 0)::int as with_member,
         max(fill_median) / 60 as median
    from stats_rollups where scope = ${scope} and scope_id = ${id}::uuid and grain = 'all' and period = ${ALL_PERIOD}::date)`;

/** Everything but the whistles (their own repository). A unit's registry figures are the households repository's. */
type Figures = Omit<StatsOverview, 'whistles'>;
type UnitFigures = Omit<Figures, 'households' | 'householdsWithMember'>;
type Row = Omit<Figures, 'medianMinutesToFull'> & { medianMinutesToFull: number | string | null };

/** Local (UTC+8, no DST) Monday of the week containing `t`, as YYYY-MM-DD. */
function localWeekStart(t: number): string {
  const local = new Date(t + 8 * 3600_000);
  const dow = (local.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - dow)).toISOString().slice(0, 10);
}

const FILL_BUCKETS: { label: string; from: number; to: number | null }[] = [
  { label: '1分钟内', from: 0, to: 1 },
  { label: '1–5分钟', from: 1, to: 5 },
  { label: '5–15分钟', from: 5, to: 15 },
  { label: '15–60分钟', from: 15, to: 60 },
  { label: '1–6小时', from: 60, to: 360 },
  { label: '6–24小时', from: 360, to: 1440 },
  { label: '1天以上', from: 1440, to: null },
];

/** Every figure here reads the roll-ups (modules/rollups), never the posts or claims. */
/** The figures every overview reads from its scope's all-time roll-up row `a`. */
const ALL_ROW_FIGURES = sql`a.members as "members",
          a.published as "tasksPublished",
          a.filled as "tasksFilled",
          a.participations as "participations",
          a.minutes::int as "serviceMinutes",
          a.median as "medianMinutesToFull"`;

export function statsRepositoryFactory(db: Db) {
  async function one<T>(q: SQL): Promise<T> {
    const { rows } = await db.execute<T & Record<string, unknown>>(q);
    return rows[0] as T;
  }

  return {
    /**
     * A unit org's view: its members (组织关系 there) wherever they live, and the posts they
     * took part in. `tasksPublished` counts those posts; communities and districts are where
     * its members live.
     */
    async unitOverview(id: string): Promise<UnitFigures> {
      const r = await one<Omit<Row, 'households' | 'householdsWithMember'>>(sql`
        with mem as (
          select m.community_org_id, po.district_id
            from members m join party_orgs po on po.id = m.community_org_id
           where m.unit_org_id = ${id}::uuid
        ), a as ${allRow('unit', id)}
        select
          (select count(distinct district_id)::int from mem) as "districts",
          (select count(distinct community_org_id)::int from mem) as "communityOrgs",
          1 as "unitOrgs",
          (select count(distinct community_org_id)::int from mem) as "communityOrgsOnboarded",
          (case when a.members > 0 then 1 else 0 end) as "unitOrgsOnboarded",
          ${ALL_ROW_FIGURES}
        from a`);
      return { ...r, medianMinutesToFull: round2(r.medianMinutesToFull) };
    },

    /**
     * Work is counted where it happened (the post's community), people where they live (the
     * member's community), a unit org where it is registered. Orgs onboarded are those whose
     * all-time row counts members.
     */
    async overview(f: StatsScopeFilter): Promise<Figures> {
      const scopeId = f.scope === 'city' ? CITY_ID : f.id;
      const inDistrict = f.scope === 'district' ? sql`and district_id = ${f.id}::uuid` : sql``;
      const r = await one<Row>(sql`
        with a as ${allRow(f.scope, scopeId)}
        select
          ${f.scope === 'city' ? sql`(select count(*)::int from districts)` : sql`1`} as "districts",
          ${
            f.scope === 'community'
              ? sql`1 as "communityOrgs", (case when a.members > 0 then 1 else 0 end) as "communityOrgsOnboarded",
                    (select count(distinct unit_org_id)::int from members where community_org_id = ${f.id}::uuid) as "unitOrgs",
                    (select count(distinct unit_org_id)::int from members where community_org_id = ${f.id}::uuid) as "unitOrgsOnboarded",`
              : sql`(select count(*)::int from party_orgs where kind = 'community' ${inDistrict}) as "communityOrgs",
                    (select count(*)::int from stats_rollups where scope = 'community' and grain = 'all' and members > 0 ${inDistrict}) as "communityOrgsOnboarded",
                    (select count(*)::int from party_orgs where kind = 'unit' ${inDistrict}) as "unitOrgs",
                    (select count(*)::int from stats_rollups where scope = 'unit' and grain = 'all' and members > 0 ${inDistrict}) as "unitOrgsOnboarded",`
          }
          ${ALL_ROW_FIGURES},
          a.households as "households",
          a.with_member as "householdsWithMember"
        from a`);
      return { ...r, medianMinutesToFull: round2(r.medianMinutesToFull) };
    },

    /**
     * A unit's members live in many communities: its registry figures are those communities', from
     * their all-time roll-up rows.
     */
    async unitRegistry(unitOrgId: string): Promise<{ households: number; householdsWithMember: number }> {
      const r = await one<{ households: number; householdsWithMember: number }>(sql`
        select coalesce(sum(households), 0)::int as "households", coalesce(sum(households_with_member), 0)::int as "householdsWithMember"
          from stats_rollups
         where scope = 'community' and grain = 'all' and period = ${ALL_PERIOD}::date
           and scope_id in (select distinct community_org_id from members where unit_org_id = ${unitOrgId}::uuid)`);
      return r;
    },

    /** Weekly trend, categories, time-to-full distribution and the breakdown one level down. */
    async dashboard(scope: RollupScope, id: string | null, weeks: number, now: Date): Promise<Omit<StatsDashboard, 'overview'>> {
      const scopeId = id ?? CITY_ID;
      const lastWeek = localWeekStart(now.getTime());
      const weekList = Array.from({ length: weeks }, (_, i) => localWeekStart(now.getTime() - (weeks - 1 - i) * 7 * 86_400_000));
      const [trend, all, breakdown] = await Promise.all([
        db.execute<{ period: string; participations: number; minutes: number }>(sql`
          select period::text as period, participations, service_minutes as minutes from stats_rollups
           where scope = ${scope} and scope_id = ${scopeId}::uuid and grain = 'week'
             and period >= ${weekList[0]}::date and period <= ${lastWeek}::date`),
        db.execute<{ tasks: string[]; participations: string[]; minutes: string[]; buckets: number[] | null }>(sql`
          select category_tasks as tasks, category_participations as participations, category_minutes as minutes,
                 fill_buckets as buckets from stats_rollups
           where scope = ${scope} and scope_id = ${scopeId}::uuid and grain = 'all'`),
        scope === 'city' || scope === 'district'
          ? db.execute<{ id: string; name: string; members: number; published: number; participations: number; minutes: number }>(
              scope === 'city'
                ? sql`select d.id, d.name, coalesce(r.members, 0)::int as members, coalesce(r.tasks_published, 0)::int as published,
                             coalesce(r.participations, 0)::int as participations, coalesce(r.service_minutes, 0)::bigint as minutes
                        from districts d
                        left join stats_rollups r on r.scope = 'district' and r.scope_id = d.id and r.grain = 'all'
                       order by d.sort_order, d.name`
                : sql`select po.id, po.name, r.members, r.tasks_published as published, r.participations, r.service_minutes as minutes
                        from stats_rollups r join party_orgs po on po.id = r.scope_id
                       where r.scope = 'community' and r.grain = 'all' and r.district_id = ${id}::uuid
                       order by r.participations desc, po.name limit 30`,
            )
          : Promise.resolve({ rows: [] }),
      ]);
      const byWeek = new Map(trend.rows.map((r) => [r.period, r]));
      const a = all.rows[0];
      return {
        trends: weekList.map((week) => ({
          week,
          participations: Number(byWeek.get(week)?.participations ?? 0),
          serviceMinutes: Number(byWeek.get(week)?.minutes ?? 0),
        })),
        categories: CATEGORY_KEYS.map((category, i) => ({
          category,
          tasks: Number(a?.tasks[i] ?? 0),
          participations: Number(a?.participations[i] ?? 0),
          serviceMinutes: Number(a?.minutes[i] ?? 0),
        })),
        timeToFull: FILL_BUCKETS.map((b, i) => ({
          label: b.label,
          fromMinutes: b.from,
          toMinutes: b.to,
          tasks: Number(a?.buckets?.[i] ?? 0),
        })),
        breakdown: {
          kind: scope === 'city' ? 'district' : scope === 'district' ? 'community' : 'none',
          items: breakdown.rows.map((r) => ({
            id: r.id,
            name: r.name,
            members: Number(r.members),
            tasksPublished: Number(r.published),
            participations: Number(r.participations),
            serviceMinutes: Number(r.minutes),
          })),
        },
      };
    },
  };
}

export type StatsRepository = ReturnType<typeof statsRepositoryFactory>;
