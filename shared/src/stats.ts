import { z } from 'zod';
import { IdSchema } from './common';
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
});
export type StatsOverview = z.infer<typeof StatsOverviewSchema>;
