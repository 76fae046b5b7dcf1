import type { Indicator, IndexPart, OrgIndex, Ranking } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { forbidden, notFound } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import { administersDistrict } from '../../lib/scope';
import type { DirectoryPort } from '../directory/directory-port';
import type { UnitIndexRepository, UnitMonth } from './unit-index-repository';
import { actsForUnit } from './unit-scope';

/**
 * 单位报到成效: each part scores weight × its place between `zeroAt` and `fullAt` (clamped), in
 * hundredths so the parts add up to the score exactly, as in 先锋指数+.
 */
export const UNIT_INDEX_PARTS = [
  { key: 'whistle_response_rate', name: '吹哨响应率', weight: 12, zeroAt: 0, fullAt: 1, guidance: '当月派单（主办、协办）中已签收的比例' },
  { key: 'whistle_close_rate', name: '吹哨办结率', weight: 12, zeroAt: 0, fullAt: 1, guidance: '当月派单中吹哨事项已办结的比例' },
  {
    key: 'whistle_satisfaction',
    name: '吹哨满意度',
    weight: 8,
    zeroAt: 1,
    fullAt: 5,
    guidance: '当月派单中已回访事项的平均满意度（1–5）',
  },
  { key: 'needs_claimed', name: '认领需求数', weight: 12, zeroAt: 0, fullAt: 3, guidance: '当月认领（未退回）的社区需求数，3 项满分' },
  { key: 'projects_accepted', name: '验收项目数', weight: 12, zeroAt: 0, fullAt: 2, guidance: '当月通过社区验收的项目数，2 项满分' },
  { key: 'project_rating', name: '项目评价', weight: 12, zeroAt: 1, fullAt: 5, guidance: '当月验收项目的平均评分（1–5）' },
  {
    key: 'participations_per_member',
    name: '党员人均参与',
    weight: 12,
    zeroAt: 0,
    fullAt: 2,
    guidance: '本单位党员参与当月岗位（按岗位开始时间）的人次 ÷ 本单位报到党员数，2 次满分（取自统计汇总，与本单位统计一致）',
  },
  {
    key: 'meetings_attended',
    name: '协调会到会率',
    weight: 8,
    zeroAt: 0,
    fullAt: 1,
    guidance: '当月召开的、邀请本单位的协调会和上门服务中，本单位有人签到的比例',
  },
  {
    key: 'actions_on_time',
    name: '任务按时完成率',
    weight: 8,
    zeroAt: 0,
    fullAt: 1,
    guidance: '本单位牵头、当月到期的责任分工中，按期完成的比例',
  },
  {
    key: 'actions_overdue',
    name: '逾期任务',
    weight: 4,
    zeroAt: 3,
    fullAt: 0,
    guidance: '本单位牵头、当月到期的责任分工中，目前逾期未完成的项数；0 项满分，3 项及以上不得分',
  },
] as const;
type PartKey = (typeof UNIT_INDEX_PARTS)[number]['key'];

const MAX_SCORE = UNIT_INDEX_PARTS.reduce((s, p) => s + p.weight, 0);
const ratio = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 10000) / 10000 : null);
const mean = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);

/**
 * A part's value alone: what the board carries for every unit (scoring a province's 7,600 units
 * with their figures and notes took 75–275 ms, this a few). valueOf's `value` is the same (a unit
 * test holds them equal).
 */
export function valueOnly(key: PartKey, u: UnitMonth): number | null {
  switch (key) {
    case 'whistle_response_rate':
      return ratio(u.responded, u.assigned);
    case 'whistle_close_rate':
      return ratio(u.closed, u.assigned);
    case 'whistle_satisfaction':
      return mean(u.satisfaction);
    case 'needs_claimed':
      return u.needsClaimed;
    case 'projects_accepted':
      return u.projectsAccepted;
    case 'project_rating':
      return mean(u.projectRating);
    case 'meetings_attended':
      return ratio(u.meetingsAttended, u.meetingsInvited);
    case 'actions_on_time':
      return u.actionsDue === 0 ? null : ratio(u.actionsOnTime, u.actionsDue);
    case 'actions_overdue':
      return u.actionsDue === 0 ? null : u.actionsOverdue;
    case 'participations_per_member':
      return ratio(u.participations, u.members);
  }
}

/** A part's value with the figures and note that explain it (one unit's explanation). */
export function valueOf(
  key: PartKey,
  u: UnitMonth,
): { value: number | null; figures: { label: string; value: number | null }[]; note: string | null } {
  const whistles = [
    { label: '当月派单', value: u.assigned },
    { label: '已签收', value: u.responded },
    { label: '已办结', value: u.closed },
  ];
  switch (key) {
    case 'whistle_response_rate':
      return { value: ratio(u.responded, u.assigned), figures: whistles, note: u.assigned ? null : '当月没有派单' };
    case 'whistle_close_rate':
      return { value: ratio(u.closed, u.assigned), figures: whistles, note: u.assigned ? null : '当月没有派单' };
    case 'whistle_satisfaction':
      return { value: mean(u.satisfaction), figures: [{ label: '已回访', value: u.rated }], note: u.rated ? null : '当月派单尚无回访' };
    case 'needs_claimed':
      return { value: u.needsClaimed, figures: [{ label: '认领需求', value: u.needsClaimed }], note: null };
    case 'projects_accepted':
      return { value: u.projectsAccepted, figures: [{ label: '验收项目', value: u.projectsAccepted }], note: null };
    case 'project_rating':
      return {
        value: mean(u.projectRating),
        figures: [{ label: '验收项目', value: u.projectsAccepted }],
        note: u.projectsAccepted ? null : '当月没有验收项目',
      };
    case 'meetings_attended':
      return {
        value: ratio(u.meetingsAttended, u.meetingsInvited),
        figures: [
          { label: '受邀会议（已召开）', value: u.meetingsInvited },
          { label: '到会', value: u.meetingsAttended },
        ],
        note: u.meetingsInvited ? null : '当月没有邀请本单位的已召开会议',
      };
    case 'actions_on_time':
    case 'actions_overdue':
      return {
        value: u.actionsDue === 0 ? null : key === 'actions_on_time' ? ratio(u.actionsOnTime, u.actionsDue) : u.actionsOverdue,
        figures: [
          { label: '当月到期任务', value: u.actionsDue },
          { label: '按期完成', value: u.actionsOnTime },
          { label: '逾期未完成', value: u.actionsOverdue },
        ],
        note: u.actionsDue ? null : '当月没有到期的责任分工',
      };
    case 'participations_per_member':
      return {
        value: ratio(u.participations, u.members),
        figures: [
          { label: '参与人次', value: u.participations },
          { label: '本单位党员', value: u.members },
        ],
        note: u.members ? null : '本单位尚无党员报到',
      };
  }
}

/** A unit on the board: its score in hundredths and each part's value and score. */
interface Scored {
  org: UnitMonth;
  hundredths: number;
  parts: { key: string; value: number | null; score: number }[];
}

/** A part's place between `zeroAt` and `fullAt` (clamped), and its score in hundredths. */
function placeOf(d: (typeof UNIT_INDEX_PARTS)[number], value: number | null) {
  const raw = value === null ? 0 : Math.min(1, Math.max(0, (value - d.zeroAt) / (d.fullAt - d.zeroAt)));
  return { raw, hundredths: Math.round(raw * d.weight * 100) };
}

/** The board's entry of a unit: values and scores only. */
export function scoreUnit(u: UnitMonth): Scored {
  let hundredths = 0;
  const parts = UNIT_INDEX_PARTS.map((d) => {
    const value = valueOnly(d.key, u);
    const h = placeOf(d, value).hundredths;
    hundredths += h;
    return { key: d.key, value, score: h / 100 };
  });
  return { org: u, hundredths, parts };
}

/** A unit's parts explained (names, weights, figures, notes): the same values and scores as scoreUnit's. */
export function explainUnit(u: UnitMonth): IndexPart[] {
  return UNIT_INDEX_PARTS.map((d): IndexPart => {
    const v = valueOf(d.key, u);
    const { raw, hundredths: h } = placeOf(d, v.value);
    return {
      key: d.key,
      value: v.value,
      score: h / 100,
      name: d.name,
      method: 'auto',
      metric: null,
      rawScore: Math.round(raw * 10000) / 10000,
      maxScore: 1,
      weight: d.weight,
      figures: v.figures,
      note: v.note,
      evidence: null,
    };
  });
}

/** One collator for every comparison: `localeCompare(x, 'zh-CN')` builds its own on each call. */
const byName = new Intl.Collator('zh-CN');

type Ranked = Scored & { rank: number };

/** Ranks a list already in board order (score, then name): equal scores share a rank. */
function ranksInOrder(sorted: Scored[]): Ranked[] {
  let last = -1;
  let r = 0;
  return sorted.map((s, i) => {
    if (s.hundredths !== last) r = i + 1;
    last = s.hundredths;
    return { ...s, rank: r };
  });
}

/** Ranks by score (equal scores share a rank), then name. */
const rank = (scored: Scored[]): Ranked[] =>
  ranksInOrder([...scored].sort((a, b) => b.hundredths - a.hundredths || byName.compare(a.org.name, b.org.name)));

/** Periods whose boards are kept (the most recently used). */
const PERIODS_KEPT = 12;

const orgOf = (u: UnitMonth) => ({ id: u.id, name: u.name, districtId: u.districtId, districtName: u.districtName });

export function unitIndexServiceFactory(deps: {
  unitIndexRepository: UnitIndexRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg'>;
  clock: Clock;
  /**
   * How long a period's scored board is answered again (UNIT_BOARD_CACHE_MS; 0: computed on
   * every call). A new roll-up version (members, participations) or directory version (units
   * added, renamed, moved) drops it at once; the month's whistles, projects, meetings and actions
   * (and what is overdue by the clock) show within this time.
   */
  cacheMs?: number;
}) {
  const repo = deps.unitIndexRepository;
  const cacheMs = deps.cacheMs ?? 0;
  const localMonth = () => new Date(deps.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 7);
  const bounds = (period: string) => {
    const [y, m] = period.split('-').map(Number);
    return { period, from: new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000), to: new Date(Date.UTC(y, m, 1) - 8 * 3600_000) };
  };

  /** A period's scored and ranked city (a district's list is its part of it, ranked anew), computed at `at`. */
  interface Board {
    key: string;
    at: number;
    city: Promise<Ranked[]>;
    districts: Map<string, Ranked[]>;
  }
  const boards = new Map<string, Board>();

  /**
   * The period's board: the kept one while the roll-ups and the directory are at the versions it
   * was computed from and it is younger than `cacheMs` by the clock (a clock set back computes
   * anew); else one computed now, shared by the calls that ask meanwhile.
   */
  async function boardOf(period: string): Promise<Board> {
    const key = await repo.versions();
    const at = deps.clock.now().getTime();
    const held = boards.get(period);
    boards.delete(period);
    if (held && held.key === key && at >= held.at && at - held.at < cacheMs) {
      boards.set(period, held);
      return held;
    }
    const board: Board = {
      key,
      at,
      city: repo.month(bounds(period), new Date(at)).then((units) => rank(units.map(scoreUnit))),
      districts: new Map(),
    };
    boards.set(period, board);
    while (boards.size > PERIODS_KEPT) boards.delete(boards.keys().next().value!);
    board.city.catch(() => boards.get(period) === board && boards.delete(period));
    return board;
  }

  async function districtOf(board: Board, districtId: string): Promise<Ranked[]> {
    let list = board.districts.get(districtId);
    if (!list) board.districts.set(districtId, (list = ranksInOrder((await board.city).filter((s) => s.org.districtId === districtId))));
    return list;
  }

  return {
    /** The board's parts as indicators (the export's second sheet). */
    indicators(): Indicator[] {
      return UNIT_INDEX_PARTS.map((d) => ({
        key: d.key,
        name: d.name,
        guidance: d.guidance,
        method: 'auto',
        weight: d.weight,
        maxScore: 1,
        fullAt: d.fullAt,
        zeroAt: d.zeroAt,
        admitted: true,
      }));
    },

    /**
     * The route decided `districtId` (undefined: the city). `page`: one page of the ranking (the
     * board's client and dashboard ask for one); without a limit, every unit (the export).
     */
    async ranking(
      periodAsked: string | undefined,
      districtId: string | undefined,
      page: { limit?: number; offset?: number } = {},
    ): Promise<Ranking> {
      const period = periodAsked ?? localMonth();
      const board = await boardOf(period);
      const ranked = districtId ? await districtOf(board, districtId) : await board.city;
      return {
        period,
        total: ranked.length,
        maxScore: MAX_SCORE,
        items: ranked.slice(page.offset ?? 0, page.limit === undefined ? undefined : (page.offset ?? 0) + page.limit).map((s) => ({
          org: orgOf(s.org),
          score: s.hundredths / 100,
          rank: s.rank,
          parts: s.parts,
        })),
      };
    },

    /** One unit explained: city and district admins above it, its own admin and liaisons. */
    async explain(p: Principal, unitOrgId: string, periodAsked: string | undefined): Promise<OrgIndex> {
      const org = await deps.directoryRepository.findPartyOrg(unitOrgId);
      if (!org || org.kind !== 'unit') throw notFound('单位党组织不存在');
      if (!actsForUnit(p, org.id) && !administersDistrict(p, org.districtId)) throw forbidden('只能查看本单位的报到成效');
      const period = periodAsked ?? localMonth();
      const board = await boardOf(period);
      const city = await board.city;
      const mine = city.find((s) => s.org.id === org.id);
      // Only a unit made while its board was being read is missing from it; the next call (the
      // directory's version moved) has it.
      if (!mine) throw notFound('单位党组织不存在');
      const district = await districtOf(board, org.districtId);
      return {
        period,
        org: orgOf(mine.org),
        score: mine.hundredths / 100,
        rank: mine.rank,
        districtRank: district.find((s) => s.org.id === org.id)!.rank,
        cityTotal: city.length,
        districtTotal: district.length,
        maxScore: MAX_SCORE,
        parts: explainUnit(mine.org),
      };
    },
  };
}

export type UnitIndexService = ReturnType<typeof unitIndexServiceFactory>;
