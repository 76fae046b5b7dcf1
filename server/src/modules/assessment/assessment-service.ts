import type { Indicator, IndicatorList, IndicatorsPutBody, OrgIndex, Ranking, RankingQuery, ScorePutBody } from '@pioneer/shared';
import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { invalid, notFound } from '../../lib/errors';
import type { DirectoryPort } from '../directory/directory-port';
import type { CommunityNeedsMonth, UnitsStatsPort } from '../units/units-stats-port';
import type { WhistleStatsPort } from '../whistles/whistle-stats-port';
import { NO_FIGURES, type AssessmentRepository, type CommunityRef, type ManualScoreRow, type MonthFigures } from './assessment-repository';
import { evaluate, maxTotal, nameOrder, rank, ranksInOrder, type Evaluated, type Ranked } from './index-scoring';

/** The auto metrics read from 组织报到's needs and projects. */
const NEEDS_METRICS = new Set<string>(['needs_claimed_rate', 'project_rating']);

/** YYYY-MM of a time in Changshu (UTC+8, no daylight saving). */
export const localMonth = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 7);

export function assessmentServiceFactory(deps: {
  db: Db;
  assessmentRepository: AssessmentRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg' | 'findDistrict'>;
  whistleStats: Pick<WhistleStatsPort, 'figuresByCommunity'>;
  /** 组织报到's needs and projects (modules/units), read when an admitted indicator uses them. */
  unitsStats?: Pick<UnitsStatsPort, 'monthByCommunity'>;
  clock: Clock;
}) {
  const repo = deps.assessmentRepository;
  const directory = deps.directoryRepository;

  /** Keeps the most recently used `max` periods of a per-period cache. */
  function remember<T>(cache: Map<string, T>, period: string, value: T, max: number) {
    cache.delete(period);
    cache.set(period, value);
    while (cache.size > max) cache.delete(cache.keys().next().value!);
  }

  /**
   * The scored and ranked communities of a period (the city's list; a district's is a filter of
   * it, ranked apart), kept while everything they are computed from stays the same: the roll-up
   * version (bumped by any process's roll-up job, in commit order), the communities' names and
   * districts, the catalogue, the period's manual scores and the whistle figures (read every
   * time: they move with the clock). One small query tells whether anything moved. When only the
   * roll-ups or whistles did, just the communities they changed are re-read (rollup_changes) and
   * re-scored, then the city is ranked again: at province scale that is a few rows, not every
   * community-month up to the period. The most recently used periods are kept.
   */
  interface Scored {
    key: string;
    /** The key without the roll-up version and the whistles: while it holds, communities whose figures and whistles are unchanged keep their scores. */
    inputsKey: string;
    /** Each community's whistle and needs figures (JSON), for the communities that have any in the period. */
    whistleKeys: Map<string, string>;
    indicators: Indicator[];
    orgs: CommunityRef[];
    /** The orgs' listing order by name, for ties. */
    order: Map<string, number>;
    manual: Map<string, Map<string, ManualScoreRow>>;
    figures: Map<string, MonthFigures>;
    byOrg: Map<string, Evaluated>;
    city: Ranked[];
    districts: Map<string, Ranked[]>;
  }
  interface Figures {
    version: string;
    figures: Promise<Map<string, MonthFigures>>;
  }
  const figuresCache = new Map<string, Figures>();
  const scoredCache = new Map<string, Scored>();

  /**
   * The period's figures as of roll-up `version` or newer. From figures of an older version, only
   * the communities changed since are read again; entries of unchanged communities stay the same
   * objects (what `scored` compares to keep their scores).
   */
  async function figuresOf(period: string, version: string): Promise<Map<string, MonthFigures>> {
    const month = `${period}-01`;
    const held = figuresCache.get(period);
    let hit = held;
    if (!held || held.version !== version) {
      // Read after the version: figures newer than their version only cost a re-read.
      const figures = held
        ? held.figures.then(
            async (before) => {
              const changed = await repo.changedSince(held.version);
              if (!changed) return repo.monthFigures(month);
              if (changed.length === 0) return before;
              const fresh = await repo.monthFigures(month, changed);
              const next = new Map(before);
              for (const id of changed) {
                const f = fresh.get(id);
                if (f) next.set(id, f);
                else next.delete(id);
              }
              return next;
            },
            () => repo.monthFigures(month),
          )
        : repo.monthFigures(month);
      hit = { version, figures };
      figures.catch(() => figuresCache.get(period)?.figures === figures && figuresCache.delete(period));
    }
    remember(figuresCache, period, hit!, 12);
    return hit!.figures;
  }

  async function scored(period: string): Promise<Scored> {
    const [y, m] = period.split('-').map(Number);
    // The month in Changshu (UTC+8): whistles raised from its first local midnight to the next month's.
    const bounds = { from: new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000), to: new Date(Date.UTC(y, m, 1) - 8 * 3600_000) };
    const indicatorsRead = repo.listIndicators();
    const [tokens, indicators, whistles, needs] = await Promise.all([
      repo.tokens(period),
      indicatorsRead,
      deps.whistleStats.figuresByCommunity(bounds, deps.clock.now()),
      // Needs and projects only when an admitted indicator scores them (not by default).
      indicatorsRead.then((list) =>
        deps.unitsStats && list.some((i) => i.admitted && i.method === 'auto' && NEEDS_METRICS.has(i.metric!))
          ? deps.unitsStats.monthByCommunity(bounds)
          : new Map<string, CommunityNeedsMonth>(),
      ),
    ]);
    // Whistle and needs figures per community: one moving re-scores its community, not the city.
    const whistleKeys = new Map(
      [...new Set([...whistles.keys(), ...needs.keys()])].map((id) => [id, JSON.stringify([whistles.get(id), needs.get(id)])]),
    );
    const inputsKey = JSON.stringify([tokens.scores, tokens.orgs, indicators]);
    const key = JSON.stringify([tokens.rollups, inputsKey, [...whistleKeys]]);
    const hit = scoredCache.get(period);
    if (hit && hit.key === key) {
      remember(scoredCache, period, hit, 6);
      return hit;
    }
    // Only the roll-ups moved: the same communities, catalogue, manual scores and whistles.
    const same = hit && hit.inputsKey === inputsKey ? hit : null;
    const [orgs, figures, scores] = await Promise.all([
      same ? same.orgs : repo.communities(),
      figuresOf(period, tokens.rollups),
      same ? null : repo.scoresFor(period),
    ]);
    let manual = same?.manual;
    if (!manual) {
      manual = new Map();
      for (const s of scores ?? []) {
        let ms = manual.get(s.orgId);
        if (!ms) manual.set(s.orgId, (ms = new Map()));
        ms.set(s.key, s);
      }
    }
    const empty = new Map<string, ManualScoreRow>();
    const byOrg = new Map<string, Evaluated>();
    for (const o of orgs) {
      const f = figures.get(o.id);
      const kept =
        same && same.figures.get(o.id) === f && same.whistleKeys.get(o.id) === whistleKeys.get(o.id) ? same.byOrg.get(o.id) : undefined;
      byOrg.set(
        o.id,
        kept ??
          evaluate(
            indicators,
            { ...o, ...(f ?? NO_FIGURES) },
            manual.get(o.id) ?? empty,
            whistles.get(o.id) ?? null,
            needs.get(o.id) ?? null,
          ),
      );
    }
    const order = same ? same.order : nameOrder(orgs);
    const city = rank([...byOrg.values()], order);
    const entry: Scored = { key, inputsKey, whistleKeys, indicators, orgs, order, manual, figures, byOrg, city, districts: new Map() };
    remember(scoredCache, period, entry, 6);
    return entry;
  }
  /** The city's ranking, or a district's (its communities ranked among themselves). */
  function rankedIn(s: Scored, districtId?: string): Ranked[] {
    if (!districtId) return s.city;
    let list = s.districts.get(districtId);
    // The city's list is in listing order already: a district's is its part of it, ranked anew.
    if (!list) s.districts.set(districtId, (list = ranksInOrder(s.city.filter((e) => e.org.districtId === districtId))));
    return list;
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
      await transaction(deps.db, (tx) => repo.replaceIndicators(body.items, tx));
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
      return {
        score: {
          period: row.period,
          orgId: row.orgId,
          key: row.key,
          score: row.score,
          evidence: row.evidence,
          scoredAt: row.scoredAt.toISOString(),
        },
      };
    },

    /** The city's ranking, or one district's (`districtId`, chosen by the route's guard). */
    async ranking(districtId: string | undefined, q: RankingQuery): Promise<Ranking> {
      if (districtId && !(await directory.findDistrict(districtId))) throw notFound('板块不存在');
      const period = q.period ?? localMonth(deps.clock.now());
      const s = await scored(period);
      const indicators = s.indicators;
      const ranked = rankedIn(s, districtId);
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
      const s = await scored(period);
      const indicators = s.indicators;
      const city = s.city;
      const district = rankedIn(s, org.districtId);
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
