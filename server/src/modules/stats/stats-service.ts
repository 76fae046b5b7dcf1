import type { MeetingStats, StatsDashboard, StatsOverview } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { notFound } from '../../lib/errors';
import type { DirectoryPort } from '../directory/directory-port';
import type { UnitsStatsPort } from '../units/units-stats-port';
import type { WhistleScope, WhistleStatsPort } from '../whistles/whistle-stats-port';
import type { StatsRepository, StatsScopeFilter } from './stats-repository';

type Scoped = StatsScopeFilter | { scope: 'unit'; id: string };
/** A statistics scope the caller may see, as stats-scope.ts decided (exports are scoped by it too). */
export type AuthorizedScope = Scoped;

export function statsServiceFactory(deps: {
  statsRepository: StatsRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg' | 'findDistrict'>;
  whistleStats: Pick<WhistleStatsPort, 'figures'>;
  /** 共商共办 figures (modules/meetings). */
  meetingStats?: { figures(s: Scoped): Promise<MeetingStats> };
  /** 组织报到 figures (modules/units): agreements, needs and projects. */
  unitsStats?: Pick<UnitsStatsPort, 'figures'>;
  clock: Clock;
}) {
  const directory = deps.directoryRepository;
  const repo = deps.statsRepository;

  /** The district or party org a scope names, with its district; NOT_FOUND when it names none. */
  async function locate(scope: 'district' | 'community' | 'unit', id: string): Promise<{ districtId: string }> {
    if (scope === 'district') {
      if (!(await directory.findDistrict(id))) throw notFound('板块不存在');
      return { districtId: id };
    }
    const org = await directory.findPartyOrg(id);
    if (!org || org.kind !== scope) throw notFound(scope === 'unit' ? '单位党组织不存在' : '社区不存在');
    return { districtId: org.districtId };
  }

  /** A unit's members live in many communities: the registry figures are those communities'. */
  async function unitFigures(id: string) {
    const [overview, registry] = await Promise.all([repo.unitOverview(id), repo.unitRegistry(id)]);
    return { ...overview, ...registry };
  }

  async function overviewOf(s: Scoped): Promise<StatsOverview> {
    const now = deps.clock.now();
    const [overview, whistles, meetings, units] = await Promise.all([
      s.scope === 'unit' ? unitFigures(s.id) : repo.overview(s),
      deps.whistleStats.figures(s as WhistleScope, now),
      deps.meetingStats?.figures(s),
      // Agreements in force on the day in Changshu (UTC+8).
      deps.unitsStats?.figures(s, new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)),
    ]);
    return { ...overview, whistles, ...(meetings ? { meetings } : {}), ...units };
  }

  return {
    locate,

    /** The figures of a scope the caller was allowed to see (see stats-scope.ts). */
    overview: overviewOf,

    /** The dashboards' charts: weekly trend, categories, time to full, and the level below. */
    async dashboard(s: AuthorizedScope, weeks: number): Promise<StatsDashboard> {
      const [overview, rest] = await Promise.all([
        overviewOf(s),
        repo.dashboard(s.scope, s.scope === 'city' ? null : s.id, weeks, deps.clock.now()),
      ]);
      return { overview, ...rest };
    },

    community: (id: string): Promise<StatsOverview> => repo.overview({ scope: 'community', id }),

    unit: unitFigures,
  };
}

export type StatsService = ReturnType<typeof statsServiceFactory>;
