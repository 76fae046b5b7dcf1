import { z } from 'zod';
import { IdSchema } from './common';
import { MeetingStatsSchema } from './meetings';
import { WhistleStatsSchema } from './whistles';

/** `unit` extends the contract: a 机关企事业单位 party org sees the community service of its own members. */
export const StatsScopeSchema = z.enum(['city', 'district', 'community', 'unit']);
export type StatsScope = z.infer<typeof StatsScopeSchema>;

export const StatsOverviewQuerySchema = z
  .object({ scope: StatsScopeSchema.default('city'), id: IdSchema.optional() })
  .refine((q) => q.scope === 'city' || q.id !== undefined, { path: ['id'], message: '请指定范围 id' });
export type StatsOverviewQuery = z.infer<typeof StatsOverviewQuerySchema>;

export const StatsOverviewSchema = z.object({
  districts: z.number().int(),
  communityOrgs: z.number().int(),
  unitOrgs: z.number().int(),
  communityOrgsOnboarded: z.number().int(),
  unitOrgsOnboarded: z.number().int(),
  members: z.number().int(),
  tasksPublished: z.number().int(),
  tasksFilled: z.number().int(),
  participations: z.number().int(),
  serviceMinutes: z.number().int(),
  /** Null when no task in scope has filled yet. */
  medianMinutesToFull: z.number().nullable(),
  /** 吹哨报到: received by a unit, or raised in the community / 板块 / city. */
  whistles: WhistleStatsSchema.optional(),
  /** 共商共办: meetings held, their action items, questions handled (contract v3). */
  meetings: MeetingStatsSchema.optional(),
  /**
   * 组织报到 (contract v3), `scope=unit`: agreements in force today (accepted, startsOn ≤ today ≤
   * endsOn); its projects delivered (handed over: delivered, accepted or closed) and accepted
   * (accepted or closed); the mean rating (1–5, two decimals) of those accepted, null when none.
   */
  agreements: z.number().int().optional(),
  projectsDelivered: z.number().int().optional(),
  projectRating: z.number().nullable().optional(),
  /** `scope=community|district|city`: needs open now (待认领). */
  needsOpen: z.number().int().optional(),
  /**
   * Every scope: needs taken on and not returned (a unit: its projects not returned; elsewhere:
   * the scope's needs claimed or closed), and projects accepted (验收: accepted or closed).
   */
  needsClaimed: z.number().int().optional(),
  projectsAccepted: z.number().int().optional(),
  /** Homes in the homeowner registry (业主信息库) of the communities in scope. */
  households: z.number().int(),
  /** Of those, homes where a registered member lives (coverage = householdsWithMember ÷ households). */
  householdsWithMember: z.number().int(),
});
export type StatsOverview = z.infer<typeof StatsOverviewSchema>;

export const StatsDashboardQuerySchema = z
  .object({
    scope: StatsScopeSchema.default('city'),
    id: IdSchema.optional(),
    weeks: z.coerce.number().int().min(4).max(104).default(26),
  })
  .refine((q) => q.scope === 'city' || q.id !== undefined, { path: ['id'], message: '请指定范围 id' });
export type StatsDashboardQuery = z.infer<typeof StatsDashboardQuerySchema>;

export const TrendPointSchema = z.object({
  /** First local day (Monday) of the ISO week, YYYY-MM-DD. */
  week: z.string(),
  participations: z.number().int(),
  serviceMinutes: z.number().int(),
});

export const CategoryFigureSchema = z.object({
  category: z.string(),
  tasks: z.number().int(),
  participations: z.number().int(),
  serviceMinutes: z.number().int(),
});

export const FillBucketSchema = z.object({
  label: z.string(),
  fromMinutes: z.number(),
  /** Null for the last, open-ended bucket. */
  toMinutes: z.number().nullable(),
  tasks: z.number().int(),
});

export const BreakdownRowSchema = z.object({
  id: IdSchema,
  name: z.string(),
  members: z.number().int(),
  tasksPublished: z.number().int(),
  participations: z.number().int(),
  serviceMinutes: z.number().int(),
});

export const StatsDashboardSchema = z.object({
  overview: StatsOverviewSchema,
  trends: z.array(TrendPointSchema),
  categories: z.array(CategoryFigureSchema),
  timeToFull: z.array(FillBucketSchema),
  /** City: its districts; district: its communities (by participations, top 30); otherwise empty. */
  breakdown: z.object({ kind: z.enum(['district', 'community', 'none']), items: z.array(BreakdownRowSchema) }),
});
export type StatsDashboard = z.infer<typeof StatsDashboardSchema>;
