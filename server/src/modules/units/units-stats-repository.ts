import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';

/** A statistics scope (stats-scope.ts decided the caller may see it). */
export type UnitsStatsScope =
  { scope: 'city' } | { scope: 'district'; id: string } | { scope: 'community'; id: string } | { scope: 'unit'; id: string };

/** 组织报到 figures of a unit (contract v3, `scope=unit`). */
export interface UnitSideFigures {
  agreements: number;
  needsClaimed: number;
  projectsDelivered: number;
  projectsAccepted: number;
  projectRating: number | null;
}

/** 组织报到 figures of a community, a district or the city. */
export interface CommunitySideFigures {
  needsOpen: number;
  needsClaimed: number;
  projectsAccepted: number;
}

/** One community's needs and projects in a month (先锋指数+ auto metrics `needs_claimed_rate`, `project_rating`). */
export interface CommunityNeedsMonth {
  /** Needs published in the month. */
  needsPublished: number;
  /** Of those, taken on by a unit now (claimed or closed: not open again after a return). */
  needsClaimed: number;
  /** Projects of the community accepted (验收) in the month, and their mean rating (1–5). */
  projectsAccepted: number;
  projectRating: number | null;
}

const round2 = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);

/** The community orgs of a scope, as a condition on `column`. */
function communityIn(s: Exclude<UnitsStatsScope, { scope: 'unit' }>, column: SQL): SQL {
  if (s.scope === 'city') return sql`true`;
  if (s.scope === 'community') return sql`${column} = ${s.id}::uuid`;
  return sql`${column} in (select id from party_orgs where kind = 'community' and district_id = ${s.id}::uuid)`;
}

/**
 * The units module's figures for statistics and the 先锋指数+: reads of its own tables
 * (agreements, needs, projects), straight from the rows. Other modules reach it through
 * units-stats-port.ts.
 */
export function unitsStatsRepositoryFactory(db: Db) {
  return {
    /** The scope's figures on `today` (YYYY-MM-DD, Changshu). */
    async figures(s: UnitsStatsScope, today: string): Promise<UnitSideFigures | CommunitySideFigures> {
      if (s.scope === 'unit') {
        const { rows } = await db.execute<{
          agreements: number;
          claimed: number;
          delivered: number;
          accepted: number;
          rating: number | string | null;
        }>(sql`
          select
            (select count(*)::int from agreements
              where unit_org_id = ${s.id}::uuid and status = 'active' and starts_on <= ${today}::date and ends_on >= ${today}::date) as agreements,
            count(*) filter (where status <> 'returned')::int as claimed,
            count(*) filter (where status in ('delivered', 'accepted', 'closed'))::int as delivered,
            count(*) filter (where status in ('accepted', 'closed'))::int as accepted,
            avg(rating) filter (where status in ('accepted', 'closed')) as rating
          from projects where unit_org_id = ${s.id}::uuid`);
        const r = rows[0];
        return {
          agreements: r.agreements,
          needsClaimed: r.claimed,
          projectsDelivered: r.delivered,
          projectsAccepted: r.accepted,
          projectRating: round2(r.rating),
        };
      }
      const { rows } = await db.execute<{ open: number; claimed: number; accepted: number }>(sql`
        select
          (select count(*)::int from needs n where n.status = 'open' and ${communityIn(s, sql`n.community_org_id`)}) as open,
          (select count(*)::int from needs n where n.status in ('claimed', 'closed') and ${communityIn(s, sql`n.community_org_id`)}) as claimed,
          (select count(*)::int from projects p
            where p.status in ('accepted', 'closed') and ${communityIn(s, sql`p.community_org_id`)}) as accepted`);
      const r = rows[0];
      return { needsOpen: r.open, needsClaimed: r.claimed, projectsAccepted: r.accepted };
    },

    /** Each community's needs and projects in [from, to) (communities with none are absent). */
    async monthByCommunity(bounds: { from: Date; to: Date }): Promise<Map<string, CommunityNeedsMonth>> {
      const from = sql`${bounds.from.toISOString()}::timestamptz`;
      const to = sql`${bounds.to.toISOString()}::timestamptz`;
      const { rows } = await db.execute<{
        id: string;
        published: number;
        claimed: number;
        accepted: number;
        rating: number | string | null;
      }>(sql`
        with n as (
          select community_org_id as id, count(*)::int as published, count(*) filter (where status in ('claimed', 'closed'))::int as claimed
            from needs where created_at >= ${from} and created_at < ${to}
           group by community_org_id
        ), p as (
          select community_org_id as id, count(*)::int as accepted, avg(rating) as rating
            from projects where accepted_at >= ${from} and accepted_at < ${to}
           group by community_org_id
        )
        select coalesce(n.id, p.id) as id, coalesce(n.published, 0) as published, coalesce(n.claimed, 0) as claimed,
               coalesce(p.accepted, 0) as accepted, p.rating
          from n full join p on p.id = n.id`);
      return new Map(
        rows.map((r) => [
          r.id,
          {
            needsPublished: Number(r.published),
            needsClaimed: Number(r.claimed),
            projectsAccepted: Number(r.accepted),
            projectRating: r.rating === null ? null : Number(r.rating),
          },
        ]),
      );
    },
  };
}

export type UnitsStatsRepository = ReturnType<typeof unitsStatsRepositoryFactory>;
