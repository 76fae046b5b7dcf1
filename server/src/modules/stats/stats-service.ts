import type { StatsDashboard, StatsDashboardQuery, StatsOverview, StatsOverviewQuery } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { forbidden, notFound } from '../../lib/errors';
import { administersDistrict, isCityAdmin, oversees } from '../../lib/scope';
import type { Principal } from '../../plugins/auth';
import type { DirectoryRepository } from '../directory/directory-repository';
import type { WhistleScope, WhistleStatsRepository } from '../whistles/whistle-stats';
import type { StatsRepository, StatsScopeFilter } from './stats-repository';

type Scoped = StatsScopeFilter | { scope: 'unit'; id: string };

export function statsServiceFactory(deps: {
  statsRepository: StatsRepository;
  directoryRepository: Pick<DirectoryRepository, 'findPartyOrg' | 'findDistrict'>;
  whistleStats: Pick<WhistleStatsRepository, 'figures'>;
  clock: Clock;
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
    const [overview, whistles] = await Promise.all([
      s.scope === 'unit' ? repo.unitOverview(s.id) : repo.overview(s),
      deps.whistleStats.figures(s as WhistleScope, deps.clock.now()),
    ]);
    return { ...overview, whistles };
  }

  return {
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

    community: (id: string): Promise<StatsOverview> => repo.overview({ scope: 'community', id }),

    unit: (id: string): Promise<StatsOverview> => repo.unitOverview(id),
  };
}

export type StatsService = ReturnType<typeof statsServiceFactory>;
