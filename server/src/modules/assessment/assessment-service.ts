import type { Indicator, IndicatorList, IndicatorsPutBody, OrgIndex, Ranking, RankingQuery, ScorePutBody } from '@pioneer/shared';
import type { Db } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { invalid, notFound } from '../../lib/errors';
import type { DirectoryRepository } from '../directory/directory-repository';
import type { WhistleStatsRepository } from '../whistles/whistle-stats';
import { NO_FIGURES, type AssessmentRepository, type ManualScoreRow, type MonthFigures } from './assessment-repository';
import { evaluate, maxTotal, rank, type Evaluated } from './index-scoring';

/** YYYY-MM of a time in Changshu (UTC+8, no daylight saving). */
export const localMonth = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

export function assessmentServiceFactory(deps: {
  db: Db;
  assessmentRepository: AssessmentRepository;
  directoryRepository: Pick<DirectoryRepository, 'findPartyOrg' | 'findDistrict'>;
  whistleStats: Pick<WhistleStatsRepository, 'figuresByCommunity'>;
  clock: Clock;
}) {
  const repo = deps.assessmentRepository;
  const directory = deps.directoryRepository;

  /**
   * The month figures of every community, per period, as read at a roll-up version: the ranking
   * and every explanation of a period share one read until the roll-up job rewrites something
   * (any process's job: the version is in the database). A few periods are kept, the least
   * recently used dropped first.
   */
  const figuresCache = new Map<string, { version: number; figures: Promise<Map<string, MonthFigures>> }>();
  const CACHED_PERIODS = 24;
  async function figuresOf(period: string): Promise<Map<string, MonthFigures>> {
    // The version is read before the figures: figures newer than their version only cost a re-read.
    const version = await repo.rollupVersion();
    const hit = figuresCache.get(period);
    figuresCache.delete(period);
    if (hit && hit.version === version) {
      figuresCache.set(period, hit);
      return hit.figures;
    }
    const figures = repo.monthFigures(`${period}-01`);
    figuresCache.set(period, { version, figures });
    figures.catch(() => figuresCache.get(period)?.figures === figures && figuresCache.delete(period));
    while (figuresCache.size > CACHED_PERIODS) figuresCache.delete(figuresCache.keys().next().value!);
    return figures;
  }

  /** Every community in scope, scored for the month. */
  async function scoreAll(period: string, districtId?: string): Promise<{ indicators: Indicator[]; list: Evaluated[] }> {
    const [y, m] = period.split('-').map(Number);
    // The month in Changshu (UTC+8): whistles raised from its first local midnight to the next month's.
    const bounds = { from: new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000), to: new Date(Date.UTC(y, m, 1) - 8 * 3600_000) };
    const [indicators, months, scores, whistles] = await Promise.all([
      repo.listIndicators(),
      Promise.all([repo.communities(districtId), figuresOf(period)]).then(([orgs, figures]) =>
        orgs.map((o) => ({ ...o, ...(figures.get(o.id) ?? NO_FIGURES) })),
      ),
      repo.scoresFor(period),
      deps.whistleStats.figuresByCommunity(bounds, deps.clock.now()),
    ]);
    const byOrg = new Map<string, Map<string, ManualScoreRow>>();
    for (const s of scores) {
      let m = byOrg.get(s.orgId);
      if (!m) byOrg.set(s.orgId, (m = new Map()));
      m.set(s.key, s);
    }
    const empty = new Map<string, ManualScoreRow>();
    return { indicators, list: months.map((f) => evaluate(indicators, f, byOrg.get(f.id) ?? empty, whistles.get(f.id) ?? null)) };
  }

  const orgRef = (e: Evaluated) => ({ id: e.org.id, name: e.org.name, districtId: e.org.districtId, districtName: e.org.districtName });

  return {
    /** A community (NOT_FOUND otherwise), for the routes' scope guards. */
    async community(id: string) {
      const org = await directory.findPartyOrg(id);
      if (!org || org.kind !== 'community') throw notFound('社区不存在');
      return org;
    },

    async indicators(): Promise<IndicatorList> {
      return { items: await repo.listIndicators() };
    },

    async replaceIndicators(body: IndicatorsPutBody): Promise<IndicatorList> {
      await deps.db.transaction((tx) => repo.replaceIndicators(body.items, tx));
      return { items: await repo.listIndicators() };
    },

    /** A district admin (the route's guard: of the community's district) scores a manual indicator, with evidence. */
    async putScore(userId: string, body: ScorePutBody) {
      if (body.period > localMonth(deps.clock.now())) throw invalid('period', '不能为未来的月份评分');
      const indicator = (await repo.listIndicators()).find((i) => i.key === body.key);
      if (!indicator || !indicator.admitted) throw invalid('key', '该指标不存在或未准入');
      if (indicator.method !== 'manual') throw invalid('key', '该指标由系统自动计算，不能人工评分');
      if (body.score > indicator.maxScore) throw invalid('score', `不能超过该指标满分 ${indicator.maxScore}`);
      const row = await repo.upsertScore({ ...body, scoredBy: userId });
      return { score: { period: row.period, orgId: row.orgId, key: row.key, score: row.score, evidence: row.evidence, scoredAt: row.scoredAt.toISOString() } };
    },

    /** The city's ranking, or one district's (`districtId`, chosen by the route's guard). */
    async ranking(districtId: string | undefined, q: RankingQuery): Promise<Ranking> {
      if (districtId && !(await directory.findDistrict(districtId))) throw notFound('板块不存在');
      const period = q.period ?? localMonth(deps.clock.now());
      const { indicators, list } = await scoreAll(period, districtId);
      const ranked = rank(list);
      return {
        period,
        total: ranked.length,
        maxScore: maxTotal(indicators),
        items: ranked.slice(q.offset, q.offset + q.limit).map((e) => ({
          org: orgRef(e),
          score: e.hundredths / 100,
          rank: e.rank,
          parts: e.parts.map((x) => ({ key: x.key, value: x.value, score: x.score })),
        })),
      };
    },

    /** One community's score explained part by part, with its rank in the city and its district. */
    async explain(org: { id: string; districtId: string }, periodAsked?: string): Promise<OrgIndex> {
      const period = periodAsked ?? localMonth(deps.clock.now());
      const { indicators, list } = await scoreAll(period);
      const city = rank(list);
      const district = rank(list.filter((e) => e.org.districtId === org.districtId));
      const mine = city.find((e) => e.org.id === org.id)!;
      return {
        period,
        org: orgRef(mine),
        score: mine.hundredths / 100,
        rank: mine.rank,
        districtRank: district.find((e) => e.org.id === org.id)!.rank,
        cityTotal: city.length,
        districtTotal: district.length,
        maxScore: maxTotal(indicators),
        parts: mine.parts,
      };
    },
  };
}

export type AssessmentService = ReturnType<typeof assessmentServiceFactory>;
