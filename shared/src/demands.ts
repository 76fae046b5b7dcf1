import { z } from 'zod';
import { CategorySchema, CursorSchema, DateTimeSchema, IdSchema, LimitSchema, NamedRefSchema, text } from './common';

/** 居民点单: a resident's demand to its community, triaged by the secretary. */
export const DemandStatusSchema = z.enum(['new', 'posted', 'whistled', 'rejected']);
export type DemandStatus = z.infer<typeof DemandStatusSchema>;

export const DEMAND_STATUS_LABELS: Record<DemandStatus, string> = {
  new: '待处理',
  posted: '已发布岗位',
  whistled: '已吹哨',
  rejected: '未受理',
};

export const DemandCreateBodySchema = z.object({
  communityOrgId: IdSchema,
  text: text().trim().min(2).max(500),
  category: CategorySchema.optional(),
});
export type DemandCreateBody = z.infer<typeof DemandCreateBodySchema>;

export const DemandTriageBodySchema = z
  .object({
    action: z.enum(['post', 'whistle', 'reject']),
    note: text().trim().max(500).optional(),
    taskId: IdSchema.optional(),
    whistleId: IdSchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.action === 'post' && !b.taskId) ctx.addIssue({ code: 'custom', path: ['taskId'], message: '请选择发布的岗位' });
    if (b.action === 'whistle' && !b.whistleId) ctx.addIssue({ code: 'custom', path: ['whistleId'], message: '请选择吹哨事项' });
    if (b.action === 'reject' && !b.note) ctx.addIssue({ code: 'custom', path: ['note'], message: '请填写不予受理的说明' });
  });
export type DemandTriageBody = z.infer<typeof DemandTriageBodySchema>;

export const DemandSchema = z.object({
  id: IdSchema,
  community: NamedRefSchema,
  text: z.string(),
  category: CategorySchema.nullable(),
  status: DemandStatusSchema,
  note: z.string().nullable(),
  task: NamedRefSchema.nullable(),
  whistle: NamedRefSchema.nullable(),
  createdAt: DateTimeSchema,
  triagedAt: DateTimeSchema.nullable(),
});
export type Demand = z.infer<typeof DemandSchema>;

export const DemandResponseSchema = z.object({ demand: DemandSchema });
export type DemandResponse = z.infer<typeof DemandResponseSchema>;

export const DemandListQuerySchema = z.object({
  communityOrgId: IdSchema,
  status: DemandStatusSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type DemandListQuery = z.infer<typeof DemandListQuerySchema>;

export const DemandMineQuerySchema = z.object({ limit: LimitSchema, cursor: CursorSchema });
export type DemandMineQuery = z.infer<typeof DemandMineQuerySchema>;

export const DemandListSchema = z.object({ items: z.array(DemandSchema), nextCursor: z.string().nullable() });
export type DemandList = z.infer<typeof DemandListSchema>;
