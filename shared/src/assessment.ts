import { z } from 'zod';
import { IdSchema, isMonthInRange, text } from './common';

/** 先锋指数+: the auto metrics the contract names, computed from the data. */
export const INDEX_METRICS = [
  'coverage',
  'posts_per_month',
  'fill_rate',
  'median_minutes_to_full',
  'participations_per_member',
  'no_show_rate',
  'whistle_response_rate',
  'whistle_close_rate',
  'whistle_satisfaction',
  /** 组织报到 (contract v3): in the default catalogue, not admitted. */
  'needs_claimed_rate',
  'project_rating',
] as const;
export const IndexMetricSchema = z.enum(INDEX_METRICS);
export type IndexMetric = z.infer<typeof IndexMetricSchema>;

export const INDEX_METRIC_LABELS: Record<IndexMetric, string> = {
  coverage: '党员覆盖率',
  posts_per_month: '月发布岗位数',
  fill_rate: '岗位满员率',
  median_minutes_to_full: '满员中位用时',
  participations_per_member: '人均参与次数',
  no_show_rate: '未到岗率',
  whistle_response_rate: '吹哨响应率',
  whistle_close_rate: '吹哨办结率',
  whistle_satisfaction: '吹哨满意度',
  needs_claimed_rate: '需求认领率',
  project_rating: '项目评价',
};

/** `YYYY-MM`, a calendar month (Asia/Shanghai). */
export const PeriodSchema = text().refine(isMonthInRange, '月份格式应为 YYYY-MM（2000-01 至 2100-12）');

const IndicatorKeySchema = text().regex(/^[a-z][a-z0-9_]{1,39}$/, '指标代码为 2–40 位小写字母、数字或下划线');

export const IndicatorSchema = z.object({
  key: IndicatorKeySchema,
  name: text().trim().min(1).max(40),
  /** 评价要点 and 计分方法, as shown to staff. */
  guidance: text().trim().max(500).default(''),
  method: z.enum(['auto', 'manual']),
  metric: IndexMetricSchema.optional(),
  /** The part's contribution is weight × its score (0 … maxScore). */
  weight: z.number().min(0).max(10),
  maxScore: z.number().positive().max(1000),
  /** Auto only: the value earning maxScore and the value earning 0; linear between, clamped. */
  fullAt: z.number().optional(),
  zeroAt: z.number().optional(),
  admitted: z.boolean(),
});
export type Indicator = z.infer<typeof IndicatorSchema>;

export const IndicatorListSchema = z.object({ items: z.array(IndicatorSchema) });
export type IndicatorList = z.infer<typeof IndicatorListSchema>;

export const IndicatorsPutBodySchema = z.object({ items: z.array(IndicatorSchema).min(1).max(50) }).superRefine((body, ctx) => {
  const seen = new Set<string>();
  body.items.forEach((it, i) => {
    if (seen.has(it.key)) ctx.addIssue({ code: 'custom', path: ['items', i, 'key'], message: '指标代码重复' });
    seen.add(it.key);
    if (it.method === 'auto') {
      if (!it.metric) ctx.addIssue({ code: 'custom', path: ['items', i, 'metric'], message: '自动指标须指定数据项' });
      if (it.fullAt === undefined || it.zeroAt === undefined || it.fullAt === it.zeroAt)
        ctx.addIssue({ code: 'custom', path: ['items', i, 'fullAt'], message: '自动指标须给出满分值和零分值，且两者不同' });
    } else if (it.metric !== undefined || it.fullAt !== undefined || it.zeroAt !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['items', i, 'metric'], message: '人工评分指标不设数据项' });
    }
  });
});
export type IndicatorsPutBody = z.infer<typeof IndicatorsPutBodySchema>;

export const ScorePutBodySchema = z.object({
  period: PeriodSchema,
  orgId: IdSchema,
  key: IndicatorKeySchema,
  score: z.number().min(0).max(1000),
  evidence: text().trim().min(1).max(2000),
});
export type ScorePutBody = z.infer<typeof ScorePutBodySchema>;

export const ManualScoreSchema = z.object({
  period: z.string(),
  orgId: IdSchema,
  key: z.string(),
  score: z.number(),
  evidence: z.string(),
  scoredAt: z.string(),
});
export const ScorePutResponseSchema = z.object({ score: ManualScoreSchema });

export const IndexOrgSchema = z.object({ id: IdSchema, name: z.string(), districtId: IdSchema, districtName: z.string() });

/** A figure an auto part was computed from, e.g. { label: '报到党员', value: 120 }. */
export const IndexFigureSchema = z.object({ label: z.string(), value: z.number().nullable() });

export const IndexPartSchema = z.object({
  key: z.string(),
  /** The metric's value (auto) or the manual score given; null = no data. */
  value: z.number().nullable(),
  /** Weighted contribution: weight × rawScore. Σ parts[].score = score. */
  score: z.number(),
  name: z.string(),
  method: z.enum(['auto', 'manual']),
  metric: IndexMetricSchema.nullable(),
  rawScore: z.number(),
  maxScore: z.number(),
  weight: z.number(),
  figures: z.array(IndexFigureSchema),
  /** Why the part scores as it does when that is not obvious (no data, no manual score yet …). */
  note: z.string().nullable(),
  evidence: z.string().nullable(),
});
export type IndexPart = z.infer<typeof IndexPartSchema>;

export const IndexEntrySchema = z.object({
  org: IndexOrgSchema,
  score: z.number(),
  /** Rank among the orgs asked for (a district, or the city); equal scores share a rank. */
  rank: z.number().int(),
  parts: z.array(z.object({ key: z.string(), value: z.number().nullable(), score: z.number() })),
});
export type IndexEntry = z.infer<typeof IndexEntrySchema>;

export const RankingQuerySchema = z.object({
  period: PeriodSchema.optional(),
  districtId: IdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
});
export type RankingQuery = z.infer<typeof RankingQuerySchema>;

export const RankingSchema = z.object({
  period: z.string(),
  /** How many orgs were ranked (items may be a page of them). */
  total: z.number().int(),
  maxScore: z.number(),
  items: z.array(IndexEntrySchema),
});
export type Ranking = z.infer<typeof RankingSchema>;

export const OrgIndexQuerySchema = z.object({ period: PeriodSchema.optional() });

export const OrgIndexSchema = z.object({
  period: z.string(),
  org: IndexOrgSchema,
  score: z.number(),
  /** Rank in the city; `districtRank` within its district. */
  rank: z.number().int(),
  districtRank: z.number().int(),
  cityTotal: z.number().int(),
  districtTotal: z.number().int(),
  maxScore: z.number(),
  parts: z.array(IndexPartSchema),
});
export type OrgIndex = z.infer<typeof OrgIndexSchema>;
