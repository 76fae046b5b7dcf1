import { PassThrough, type Readable } from 'node:stream';
import {
  CATEGORY_LABELS,
  HOUSEHOLD_MATCH_LABELS,
  hoursOf,
  RECORD_SOURCE_LABELS,
  type Category,
  type Indicator,
  type Ranking,
} from '@pioneer/shared';
import { notFound } from '../../lib/errors';
import { exceljs } from '../../lib/lazy-packages';
import type { AuthorizedScope } from '../stats/stats-service';
import type { DbOrTx } from '../../db/client';
import { HOME_READ_AUDIT, writeAudit } from '../../lib/audit';
import type { Clock } from '../../lib/clock';
import type { ExportsRepository, MemberExportRow } from './exports-repository';

const BATCH = 2000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const STATUS_LABELS: Record<string, string> = {
  claimed: '已认领',
  checked_in: '已签到',
  completed: '已完成',
  no_show: '未到岗',
  released: '已释放',
  cancelled: '已取消',
};

/** A day (`YYYY-MM-DD`) starts at midnight in China; a full timestamp is taken as given. */
const dayStart = (v: string) => new Date(DAY.test(v) ? `${v}T00:00:00+08:00` : v);
const dayEnd = (v: string) => (DAY.test(v) ? new Date(dayStart(v).getTime() + 86_400_000) : new Date(v));
function monthRange(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: new Date(`${month}-01T00:00:00+08:00`), to: new Date(`${next}-01T00:00:00+08:00`) };
}

export const MEMBER_HEADERS = [
  '姓名',
  '手机号',
  '组织关系单位',
  '工作单位',
  '报到社区',
  '小区',
  '楼栋',
  '单元',
  '室号',
  '服务意向',
  '报到时间',
  '业主库匹配',
  '参与次数',
  '服务时长（分钟）',
  '累计服务时长（小时）',
  '星级',
  '积分余额',
];
const HOME_HEADERS = new Set(['小区', '楼栋', '单元', '室号']);
/** members.xlsx for anyone but a community's own staff: no home (小区, 楼栋, 单元, 室号). */
export const MEMBER_HEADERS_WITHOUT_HOME = MEMBER_HEADERS.filter((h) => !HOME_HEADERS.has(h));

export const RECORD_HEADERS = [
  '岗位',
  '类别',
  '社区',
  '开始时间',
  '结束时间',
  '党员',
  '组织关系单位',
  '状态',
  '签到时间',
  '签退时间',
  '服务时长（分钟）',
  '来源',
  '已更正',
];
/** The fixed columns of the 先锋指数 sheet; each indicator then adds its value and its weighted score. */
export const INDEX_HEADERS = ['排名', '社区党组织', '所属板块', '总分'];
export const indexPartHeaders = (name: string) => [`${name}（数值）`, `${name}（得分）`];

export const UNIT_REPORT_HEADERS = ['姓名', '工作单位', '报到社区', '服务社区', '服务次数', '服务时长（小时）'];

/**
 * Writes a workbook with the streaming writer into a stream the route sends as it fills: rows
 * are fetched a page at a time, so a city-wide export never sits in memory whole.
 */
function streamWorkbook(
  sheets: Array<{ name: string; headers: string[]; widths?: number[]; rows: () => AsyncIterable<Array<string | number | null>> }>,
  onError: (err: unknown) => void,
): Readable {
  const out = new PassThrough();
  const wb = new (exceljs().stream.xlsx.WorkbookWriter)({ stream: out, useStyles: true, useSharedStrings: false });
  (async () => {
    for (const s of sheets) {
      const ws = wb.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1 }] });
      ws.columns = s.headers.map((h, i) => ({ header: h, width: s.widths?.[i] ?? Math.max(10, h.length * 2 + 4) }));
      ws.getRow(1).font = { bold: true };
      ws.getRow(1).commit();
      for await (const r of s.rows()) ws.addRow(r).commit();
      ws.commit();
    }
    await wb.commit();
  })().catch((err) => {
    onError(err);
    out.destroy(err as Error);
  });
  return out;
}

async function* pages<T>(fetch: (after: T | null) => Promise<T[]>): AsyncGenerator<T> {
  let after: T | null = null;
  for (;;) {
    const page = await fetch(after);
    yield* page;
    if (page.length < BATCH) return;
    after = page[page.length - 1];
  }
}

export function exportsServiceFactory(deps: {
  exportsRepository: ExportsRepository;
  /** Where the audit rows of exports carrying homes are written (the primary). */
  db: DbOrTx;
  clock: Clock;
}) {
  const repo = deps.exportsRepository;

  return {
    /**
     * 党员名册. Homes (小区, 楼栋, 单元, 室号) only in one community's own export (its secretary, or
     * an admin above it exporting that community), never for a unit, a district or the city; such
     * an export writes an audit row with who asked and how many members it carried.
     */
    members(s: AuthorizedScope, actorUserId: string, onError: (err: unknown) => void): Readable {
      const withHome = s.scope === 'community';
      return streamWorkbook(
        [
          {
            name: '党员名册',
            headers: withHome ? MEMBER_HEADERS : MEMBER_HEADERS_WITHOUT_HOME,
            rows: async function* () {
              let sent = 0;
              try {
                for await (const m of pages<MemberExportRow>((after) => repo.members(s, after?.id ?? null, BATCH, withHome))) {
                  const home = withHome ? [m.estate, m.building, m.unit_no, m.room] : [];
                  sent += 1;
                  yield [
                    m.name,
                    m.phone_masked,
                    m.unit_org,
                    m.work_unit,
                    m.community,
                    ...home,
                    m.intentions.map((k) => CATEGORY_LABELS[k as Category] ?? k).join('、'),
                    m.registered_at,
                    HOUSEHOLD_MATCH_LABELS[m.household_match],
                    m.participations,
                    m.minutes,
                    hoursOf(m.service_minutes),
                    m.star,
                    m.points_balance,
                  ];
                }
              } finally {
                // Written before the workbook ends (and for the rows sent if it fails half-way).
                if (withHome && sent > 0)
                  await writeAudit(deps.db, {
                    at: deps.clock.now(),
                    actorUserId,
                    action: HOME_READ_AUDIT,
                    entity: 'party_org',
                    entityId: s.scope === 'community' ? s.id : null,
                    data: { via: 'members.xlsx', scope: s.scope, rows: sent },
                  });
              }
            },
          },
        ],
        onError,
      );
    },

    records(s: AuthorizedScope, from: string, to: string, onError: (err: unknown) => void): Readable {
      const start = dayStart(from);
      const end = dayEnd(to);
      return streamWorkbook(
        [
          {
            name: '服务记录',
            headers: RECORD_HEADERS,
            rows: async function* () {
              for await (const r of pages<Awaited<ReturnType<ExportsRepository['records']>>[number]>((after) =>
                repo.records(s, start, end, after?.sort_key ?? null, BATCH),
              )) {
                yield [
                  r.title,
                  CATEGORY_LABELS[r.category as Category] ?? r.category,
                  r.community,
                  r.starts_at,
                  r.ends_at,
                  r.member_name ?? '（已注销）',
                  r.unit_org,
                  STATUS_LABELS[r.status] ?? r.status,
                  r.checked_in_at,
                  r.checked_out_at,
                  r.minutes ?? 0,
                  RECORD_SOURCE_LABELS[r.source] ?? r.source,
                  r.amended ? '是' : '否',
                ];
              }
            },
          },
        ],
        onError,
      );
    },

    /** 反馈单位: every member of the unit with where it served that month and for how long. */
    async unitReport(unitOrgId: string, month: string, onError: (err: unknown) => void): Promise<{ stream: Readable; unitName: string }> {
      const unitName = await repo.unitName(unitOrgId);
      if (!unitName) throw notFound('单位党组织不存在');
      const { from, to } = monthRange(month);
      const rows = await repo.unitReport(unitOrgId, from, to);
      const stream = streamWorkbook(
        [
          {
            name: '反馈单位',
            headers: UNIT_REPORT_HEADERS,
            widths: [12, 24, 20, 36, 10, 16],
            rows: async function* () {
              for (const r of rows) {
                yield [
                  r.name,
                  r.work_unit,
                  r.community,
                  [...r.served_in].sort().join('、'),
                  r.services,
                  Math.round((r.minutes / 60) * 10) / 10,
                ];
              }
              const minutes = rows.reduce((sum, r) => sum + r.minutes, 0);
              yield [];
              yield [
                `${unitName} ${month} 合计`,
                '',
                '',
                '',
                rows.reduce((sum, r) => sum + r.services, 0),
                Math.round((minutes / 60) * 10) / 10,
              ];
            },
          },
        ],
        onError,
      );
      return { stream, unitName };
    },

    /**
     * 先锋指数: one row per community as the ranking lists it (rank, total, then each indicator's
     * value and weighted score), and a second sheet with the indicators as they were weighted.
     */
    index(
      ranking: Ranking,
      indicators: Indicator[],
      onError: (err: unknown) => void,
      label: { sheet: string; noun: string } = { sheet: '先锋指数', noun: '个社区' },
    ): Readable {
      const names = new Map(indicators.map((i) => [i.key, i.name]));
      const keys = [...new Set(ranking.items.flatMap((e) => e.parts.map((p) => p.key)))];
      return streamWorkbook(
        [
          {
            name: label.sheet,
            headers: [...INDEX_HEADERS, ...keys.flatMap((k) => indexPartHeaders(names.get(k) ?? k))],
            widths: [8, 28, 16, 10, ...keys.flatMap(() => [16, 16])],
            rows: async function* () {
              for (const e of ranking.items) {
                const parts = new Map(e.parts.map((p) => [p.key, p]));
                yield [
                  e.rank,
                  e.org.name,
                  e.org.districtName,
                  e.score,
                  ...keys.flatMap((k) => [parts.get(k)?.value ?? null, parts.get(k)?.score ?? null]),
                ];
              }
              yield [];
              yield [`${ranking.period} 满分 ${ranking.maxScore}，共 ${ranking.total} ${label.noun}`];
            },
          },
          {
            name: '指标',
            headers: INDEX_INDICATOR_HEADERS,
            widths: [24, 12, 10, 10, 10, 60],
            rows: async function* () {
              for (const i of indicators) {
                if (!i.admitted) continue;
                yield [
                  i.name,
                  i.method === 'auto' ? '系统计算' : '人工评分',
                  i.weight,
                  i.maxScore,
                  Math.round(i.weight * i.maxScore * 100) / 100,
                  i.guidance || null,
                ];
              }
            },
          },
        ],
        onError,
      );
    },
  };
}

export const INDEX_INDICATOR_HEADERS = ['指标', '计分方式', '权重', '满分', '最高得分', '评价要点'];

export type ExportsService = ReturnType<typeof exportsServiceFactory>;
