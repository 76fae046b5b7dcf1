import type { Indicator, IndexMetric, IndexPart, WhistleStats } from '@pioneer/shared';
import type { CommunityNeedsMonth } from '../units/units-stats-port';
import type { CommunityMonth, ManualScoreRow } from './assessment-repository';

export interface Evaluated {
  org: CommunityMonth;
  /** In hundredths, so sums and ties are exact. */
  hundredths: number;
  parts: IndexPart[];
}

interface MetricValue {
  value: number | null;
  figures: { label: string; value: number | null }[];
  note: string | null;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

const whistleFigures = (w: WhistleStats | null) => [
  { label: '当月吹哨', value: w?.whistles ?? 0 },
  { label: '派单', value: w?.assignments ?? 0 },
];

/**
 * The figures behind each auto metric for one community and month. Metrics with nothing to
 * measure (no registry imported by the month's end, no whistle raised that month) are null:
 * no data, explained, 0 points.
 */
function metricValue(
  metric: IndexMetric,
  f: CommunityMonth,
  w: WhistleStats | null = null,
  n: CommunityNeedsMonth | null = null,
): MetricValue {
  const posts = f.published - f.cancelled;
  switch (metric) {
    case 'posts_per_month':
      return {
        value: posts,
        figures: [
          { label: '当月发布岗位', value: f.published },
          { label: '其中已取消', value: f.cancelled },
        ],
        note: null,
      };
    case 'fill_rate': {
      const v = ratio(Math.min(f.filled, posts), posts);
      return {
        value: v === null ? null : round(v, 4),
        figures: [
          { label: '满员岗位', value: f.filled },
          { label: '有效岗位', value: posts },
        ],
        note: v === null ? '当月没有发布岗位' : null,
      };
    }
    case 'median_minutes_to_full': {
      const m = f.fillMedianSeconds;
      return {
        value: m === null ? null : round(m / 60, 2),
        figures: [{ label: '满员岗位', value: f.filled }],
        note: m === null ? '当月没有满员岗位' : null,
      };
    }
    case 'participations_per_member': {
      const v = ratio(f.participations, f.members);
      return {
        value: v === null ? null : round(v, 4),
        figures: [
          { label: '参与人次', value: f.participations },
          { label: '报到党员（月末）', value: f.members },
        ],
        note: v === null ? '尚无党员报到' : null,
      };
    }
    case 'no_show_rate': {
      const v = ratio(f.noShows, f.noShows + f.completed);
      return {
        value: v === null ? null : round(v, 4),
        figures: [
          { label: '未到岗人次', value: f.noShows },
          { label: '完成服务人次', value: f.completed },
        ],
        note: v === null ? '当月没有已结束的岗位' : null,
      };
    }
    case 'coverage': {
      // Contract: householdsWithMember ÷ households of the community's registry, as at the month's end.
      const v = ratio(f.householdsWithMember, f.households);
      return {
        value: v === null ? null : round(v, 4),
        figures: [
          { label: '有党员居住的户数（月末）', value: f.householdsWithMember },
          { label: '业主信息库户数（月末）', value: f.households },
        ],
        note: v === null ? '暂无数据：业主信息库尚未导入，覆盖率无法计算' : null,
      };
    }
    case 'whistle_response_rate':
      return {
        value: w?.responseRate ?? null,
        figures: whistleFigures(w),
        note: w?.responseRate == null ? '当月没有可计算响应的吹哨派单（24小时内签收为响应）' : null,
      };
    case 'whistle_close_rate':
      return { value: w?.closeRate ?? null, figures: whistleFigures(w), note: w?.closeRate == null ? '当月没有吹哨事项' : null };
    case 'whistle_satisfaction':
      return {
        value: w?.satisfaction ?? null,
        figures: whistleFigures(w),
        note: w?.satisfaction == null ? '当月没有已回访的吹哨事项' : null,
      };
    case 'needs_claimed_rate': {
      const v = ratio(n?.needsClaimed ?? 0, n?.needsPublished ?? 0);
      return {
        value: v === null ? null : round(v, 4),
        figures: [
          { label: '当月发布需求', value: n?.needsPublished ?? 0 },
          { label: '其中已被认领', value: n?.needsClaimed ?? 0 },
        ],
        note: v === null ? '当月没有发布需求' : null,
      };
    }
    case 'project_rating': {
      const r = n?.projectRating ?? null;
      return {
        value: r === null ? null : round(r, 2),
        figures: [{ label: '当月验收项目', value: n?.projectsAccepted ?? 0 }],
        note: r === null ? '当月没有验收项目' : null,
      };
    }
  }
}

/** The share of maxScore a value earns: 1 at `fullAt`, 0 at `zeroAt`, linear between, clamped. */
export function share(value: number, fullAt: number, zeroAt: number): number {
  const r = (value - zeroAt) / (fullAt - zeroAt);
  return Math.max(0, Math.min(1, r));
}

/**
 * One community's score: every admitted indicator is a part; a part's score is its weighted
 * contribution (weight × raw score, to two decimals) and the total is their sum.
 */
export function evaluate(
  indicators: Indicator[],
  f: CommunityMonth,
  manual: Map<string, ManualScoreRow>,
  whistles: WhistleStats | null = null,
  needs: CommunityNeedsMonth | null = null,
): Evaluated {
  const parts: IndexPart[] = [];
  let hundredths = 0;
  for (const it of indicators) {
    if (!it.admitted) continue;
    let value: number | null;
    let raw = 0;
    let figures: MetricValue['figures'] = [];
    let note: string | null = null;
    let evidence: string | null = null;
    if (it.method === 'auto' && it.metric) {
      const m = metricValue(it.metric, f, whistles, needs);
      value = m.value;
      figures = m.figures;
      note = m.note;
      if (value !== null) raw = it.maxScore * share(value, it.fullAt!, it.zeroAt!);
      else note = `${note}，本项计0分`;
    } else {
      const given = manual.get(it.key);
      value = given ? given.score : null;
      evidence = given?.evidence ?? null;
      if (given) raw = Math.min(given.score, it.maxScore);
      else note = '板块管理员尚未评分，本项计0分';
    }
    const part = Math.round(it.weight * raw * 100);
    hundredths += part;
    parts.push({
      key: it.key,
      value,
      score: part / 100,
      name: it.name,
      method: it.method,
      metric: it.method === 'auto' ? (it.metric ?? null) : null,
      rawScore: round(raw, 2),
      maxScore: it.maxScore,
      weight: it.weight,
      figures,
      note,
      evidence,
    });
  }
  return { org: f, hundredths, parts };
}

export const maxTotal = (indicators: Indicator[]) =>
  Math.round(indicators.filter((i) => i.admitted).reduce((s, i) => s + i.weight * i.maxScore * 100, 0)) / 100;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export type Ranked = Evaluated & { rank: number };

/** Each org's place by name (then id): the listing's tie-break, sorted once per list of orgs. */
export function nameOrder(orgs: { id: string; name: string }[]): Map<string, number> {
  const sorted = [...orgs].sort((a, b) => cmp(a.name, b.name) || cmp(a.id, b.id));
  return new Map(sorted.map((o, i) => [o.id, i]));
}

/** Ranks of a list already in listing order: equal scores share a rank (1, 2, 2, 4). */
export function ranksInOrder(sorted: Evaluated[]): Ranked[] {
  let prev = Number.NaN;
  let prevRank = 0;
  return sorted.map((e, i) => {
    const r = e.hundredths === prev ? prevRank : i + 1;
    prev = e.hundredths;
    prevRank = r;
    return { org: e.org, hundredths: e.hundredths, parts: e.parts, rank: r };
  });
}

/**
 * Highest first; equal scores share a rank (1, 2, 2, 4); names break ties in the listing only.
 * Sorted as numbers (score, then the place in `order`) in one typed array: a province's 33,600
 * communities rank in milliseconds, where comparing names in a comparator took over 150 ms.
 */
export function rank(list: Evaluated[], order: Map<string, number> = nameOrder(list.map((e) => e.org))): Ranked[] {
  const n = list.length;
  const byPlace: Evaluated[] = new Array(n);
  const keys = new Float64Array(n);
  let max = 0;
  for (const e of list) max = Math.max(max, e.hundredths);
  for (let i = 0; i < n; i++) {
    const e = list[i];
    const place = order.get(e.org.id)!;
    byPlace[place] = e;
    // Whole hundredths, so (max − score) × n + place is an exact integer well inside 2^53.
    keys[i] = (max - e.hundredths) * n + place;
  }
  keys.sort();
  const sorted: Evaluated[] = new Array(n);
  for (let i = 0; i < n; i++) sorted[i] = byPlace[keys[i] % n];
  return ranksInOrder(sorted);
}
