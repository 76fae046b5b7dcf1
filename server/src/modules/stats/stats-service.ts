import { sql, type SQL } from 'drizzle-orm';
import type { StatsDashboard, StatsDashboardQuery, StatsOverview, StatsOverviewQuery } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { forbidden, notFound } from '../../lib/errors';
import { administersDistrict, isCityAdmin, oversees } from '../../lib/scope';
import type { Principal } from '../../plugins/auth';
import type { DirectoryRepository } from '../directory/directory-repository';
import type { HouseholdsRepository } from '../households/households-repository';
import type { WhistleScope, WhistleStatsRepository } from '../whistles/whistle-stats';
import type { StatsRepository, StatsScopeFilter } from './stats-repository';

type Scoped = StatsScopeFilter | { scope: 'unit'; id: string };
/** A statistics scope the caller may see (exports are scoped by it too). */
export type AuthorizedScope = Scoped;

/** The community party orgs of a scope as an SQL subquery of ids (null: all of them). */
export function communitiesOf(s: Scoped): SQL | null {
  if (s.scope === 'city') return null;
  if (s.scope === 'district') return sql`(select id from party_orgs where kind = 'community' and district_id = ${s.id}::uuid)`;
  if (s.scope === 'community') return sql`(select ${s.id}::uuid)`;
  return sql`(select distinct community_org_id from members where unit_org_id = ${s.id}::uuid)`;
}

export function statsServiceFactory(deps: {
  statsRepository: StatsRepository;
  directoryRepository: Pick<DirectoryRepository, 'findPartyOrg' | 'findDistrict'>;
  whistleStats: Pick<WhistleStatsRepository, 'figures'>;
  clock: Clock;
  householdsRepository: Pick<HouseholdsRepository, 'totals'>;
}) {
  const directory = deps.directoryRepository;
  const repo = deps.statsRepository;

  /** City: city admins. District: its admin or above. Community: its secretary or above. Unit: its unit admin or liaison, or above. */
  async function scopeOf(p: Principal, q: { scope: StatsOverviewQuery['scope']; id?: string }): Promise<Scoped> {
    if (q.scope === 'city') {
      if (!isCityAdmin(p)) throw forbidden('只有市级管理员可以查看全市统计');
      return { scope: 'city' };
    }
    const id = q.id!;
    if (q.scope === 'district') {
      if (!administersDistrict(p, id)) throw forbidden('无权查看该板块的统计');
      if (!(await directory.findDistrict(id))) throw notFound('板块不存在');
      return { scope: 'district', id };
    }
    if (q.scope === 'unit') {
      const unit = await directory.findPartyOrg(id);
      if (!unit || unit.kind !== 'unit') throw notFound('单位党组织不存在');
      const own = p.roles.some((g) => (g.role === 'unit_admin' || g.role === 'unit_liaison') && g.orgId === id);
      if (!own && !administersDistrict(p, unit.districtId)) throw forbidden('无权查看该单位的统计');
      return { scope: 'unit', id };
    }
    const community = await directory.findPartyOrg(id);
    if (!community || community.kind !== 'community') throw notFound('社区不存在');
    if (!oversees(p, community)) throw forbidden('无权查看该社区的统计');
    return { scope: 'community', id };
  }

  async function overviewOf(s: Scoped): Promise<StatsOverview> {
    const [overview, whistles, registry] = await Promise.all([
      s.scope === 'unit' ? repo.unitOverview(s.id) : repo.overview(s),
      deps.whistleStats.figures(s as WhistleScope, deps.clock.now()),
      // A unit's members live in many communities: the registry figures are theirs.
      deps.householdsRepository.totals(communitiesOf(s)),
    ]);
    return { ...overview, whistles, ...registry };
  }

  return {
    authorize: scopeOf,

    async overview(p: Principal, q: StatsOverviewQuery): Promise<StatsOverview> {
      return overviewOf(await scopeOf(p, q));
    },

    /** The dashboards' charts: weekly trend, categories, time to full, and the level below. */
    async dashboard(p: Principal, q: StatsDashboardQuery): Promise<StatsDashboard> {
      const s = await scopeOf(p, q);
      const [overview, rest] = await Promise.all([
        overviewOf(s),
        repo.dashboard(s.scope, s.scope === 'city' ? null : s.id, q.weeks, deps.clock.now()),
      ]);
      return { overview, ...rest };
    },

    community: async (id: string): Promise<StatsOverview> => ({
      ...(await repo.overview({ scope: 'community', id })),
      ...(await deps.householdsRepository.totals(communitiesOf({ scope: 'community', id }))),
    }),

    unit: async (id: string): Promise<StatsOverview> => ({
      ...(await repo.unitOverview(id)),
      ...(await deps.householdsRepository.totals(communitiesOf({ scope: 'unit', id }))),
    }),
  };
}

export type StatsService = ReturnType<typeof statsServiceFactory>;
