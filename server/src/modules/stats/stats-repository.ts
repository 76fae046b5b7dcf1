import { sql } from 'drizzle-orm';
import type { StatsOverview } from '@pioneer/shared';
import type { Db } from '../../db/client';

export type StatsScopeFilter = { scope: 'city' } | { scope: 'district'; id: string } | { scope: 'community'; id: string };

/** percentile_cont answers a double (a string through pg's numeric parsing): two decimals suffice. */
function withRoundedMedian(r: StatsOverview & { medianMinutesToFull: number | string | null }): StatsOverview {
  const median = r.medianMinutesToFull === null ? null : Math.round(Number(r.medianMinutesToFull) * 100) / 100;
  return { ...r, medianMinutesToFull: median };
}

export function statsRepositoryFactory(db: Db) {
  return {


    /**
     * A unit org's view: its members (组织关系 there) wherever they live, and the posts they
     * took part in. `tasksPublished` counts those posts; communities and districts are where
     * its members live.
     */
    async unitOverview(id: string): Promise<StatsOverview> {
      const { rows } = await db.execute<StatsOverview & { medianMinutesToFull: number | string | null }>(sql`
        with mem as (
          select m.id, m.community_org_id, po.district_id
          from members m join party_orgs po on po.id = m.community_org_id
          where m.unit_org_id = ${id}::uuid
        ), work as (
          select c.task_id, c.minutes from claims c
          where c.member_id in (select id from mem) and c.status not in ('cancelled', 'released')
        ), tk as (
          select count(*)::int as published,
                 count(t.filled_at)::int as filled,
                 percentile_cont(0.5) within group (order by extract(epoch from t.filled_at - t.claim_opens_at) / 60)
                   filter (where t.filled_at is not null) as median
          from tasks t where t.id in (select task_id from work)
        )
        select
          (select count(distinct district_id)::int from mem) as "districts",
          (select count(distinct community_org_id)::int from mem) as "communityOrgs",
          1 as "unitOrgs",
          (select count(distinct community_org_id)::int from mem) as "communityOrgsOnboarded",
          (select case when exists (select 1 from mem) then 1 else 0 end) as "unitOrgsOnboarded",
          (select count(*)::int from mem) as "members",
          tk.published as "tasksPublished",
          tk.filled as "tasksFilled",
          (select count(*)::int from work) as "participations",
          (select coalesce(sum(minutes), 0)::int from work) as "serviceMinutes",
          tk.median as "medianMinutesToFull"
        from tk`);
      return withRoundedMedian(rows[0]);
    },

    /**
     * Every figure in one statement. Work is counted where it happened (the post's
     * community), people where they live (the member's community), a unit org where it is
     * registered. Participations and minutes come from the posts' own counters (`claimed - held`,
     * `service_minutes`, kept by every claim, cancel and check-out), so no part reads the
     * claims; onboarded communities and units are index probes per org, not a distinct
     * count over members.
     */
    async overview(f: StatsScopeFilter): Promise<StatsOverview> {
      const city = f.scope === 'city';
      const community = f.scope === 'community';
      const inScope = city ? sql`true` : f.scope === 'district' ? sql`po.district_id = ${f.id}::uuid` : sql`po.id = ${f.id}::uuid`;
      const comm = sql`(select po.id from party_orgs po where po.kind = 'community' and ${inScope})`;
      const { rows } = await db.execute<StatsOverview & { medianMinutesToFull: number | string | null }>(sql`
        with tk as (
          select count(*)::int as published,
                 count(filled_at)::int as filled,
                 coalesce(sum(claimed - held), 0)::int as participations,
                 coalesce(sum(service_minutes), 0)::int as minutes,
                 percentile_cont(0.5) within group (order by extract(epoch from filled_at - claim_opens_at) / 60)
                   filter (where filled_at is not null) as median
          from tasks t ${city ? sql`` : sql`where t.community_org_id in ${comm}`}
        ), communities as (
          select count(*)::int as total,
                 count(*) filter (where exists (select 1 from members m where m.community_org_id = c.id))::int as onboarded
          from ${comm} c
        ), units as (
          ${
            community
              ? sql`select count(distinct m.unit_org_id)::int as total, count(distinct m.unit_org_id)::int as onboarded
                    from members m where m.community_org_id = ${f.id}::uuid`
              : sql`select count(*)::int as total,
                           count(*) filter (where exists (select 1 from members m where m.unit_org_id = po.id))::int as onboarded
                    from party_orgs po where po.kind = 'unit' and ${inScope}`
          }
        )
        select
          ${city ? sql`(select count(*)::int from districts)` : sql`1`} as "districts",
          communities.total as "communityOrgs",
          units.total as "unitOrgs",
          communities.onboarded as "communityOrgsOnboarded",
          units.onboarded as "unitOrgsOnboarded",
          (select count(*)::int from members m ${city ? sql`` : sql`where m.community_org_id in ${comm}`}) as "members",
          tk.published as "tasksPublished",
          tk.filled as "tasksFilled",
          tk.participations as "participations",
          tk.minutes as "serviceMinutes",
          tk.median as "medianMinutesToFull"
        from tk, communities, units`);
      return withRoundedMedian(rows[0]);
    },
  };
}

export type StatsRepository = ReturnType<typeof statsRepositoryFactory>;
