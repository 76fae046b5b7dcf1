import { z } from 'zod';
import { CategorySchema, CursorSchema, DateTimeSchema, IdSchema, LimitSchema, NamedRefSchema, text } from './common';
import { PHONE_PATTERN } from './members';
import { TaskCreateBodySchema } from './tasks';
import { WhistleCreateBodySchema } from './whistles';

/** 居民点单: a resident's demand to its community, triaged by the secretary. */
export const DemandStatusSchema = z.enum(['new', 'posted', 'whistled', 'rejected']);
export type DemandStatus = z.infer<typeof DemandStatusSchema>;

export const DEMAND_STATUS_LABELS: Record<DemandStatus, string> = {
  new: '待处理',
  posted: '已发布岗位',
  whistled: '已吹哨',
  rejected: '未受理',
};

/**
 * 居民点单 (contract v3 adds the optional contact, estate and address). A contact name or phone is
 * personal data of the resident: the server keeps it only with `contactConsent: true` (the
 * resident ticked that its community may use them to reach it about this demand), else 400
 * VALIDATION_FAILED on `contactConsent`. The phone is stored encrypted, hashed and masked as
 * members' phones are; staff lists show it masked, the full number only through the audited
 * `POST /party-orgs/:id/demands/:demandId/personal-data`.
 */
export const DemandCreateBodySchema = z
  .object({
    communityOrgId: IdSchema,
    text: text().trim().min(2).max(500),
    category: CategorySchema.optional(),
    contactName: text().trim().min(1).max(30).optional(),
    contactPhone: text().trim().regex(PHONE_PATTERN, '请输入正确的手机号').optional(),
    /** A 小区 of `communityOrgId`. */
    estateId: IdSchema.optional(),
    /** Where the help is needed, e.g. 3幢2单元 or 南门广场. */
    address: text().trim().min(1).max(120).optional(),
    contactConsent: z.boolean().optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.contactName !== undefined || b.contactPhone !== undefined) && b.contactConsent !== true) {
      ctx.addIssue({ code: 'custom', path: ['contactConsent'], message: '留下联系方式前请同意社区使用它联系您' });
    }
  });
export type DemandCreateBody = z.infer<typeof DemandCreateBodySchema>;

export const DemandTriageBodySchema = z
  .object({
    action: z.enum(['post', 'whistle', 'reject']),
    note: text().trim().max(500).optional(),
    /** `post`: a post already published for it… */
    taskId: IdSchema.optional(),
    /** …or a new one (a `POST /tasks` body), published in the same step, in the demand's community. */
    task: TaskCreateBodySchema.optional(),
    /** `whistle`: a whistle already raised for it… */
    whistleId: IdSchema.optional(),
    /** …or a new one (a `POST /whistles` body), raised in the same step by the demand's community. */
    whistle: WhistleCreateBodySchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.action === 'post' && !b.taskId && !b.task) ctx.addIssue({ code: 'custom', path: ['taskId'], message: '请选择发布的岗位' });
    if (b.taskId && b.task) ctx.addIssue({ code: 'custom', path: ['task'], message: '选择已有岗位或发布新岗位，只能二选一' });
    if (b.task && b.action !== 'post') ctx.addIssue({ code: 'custom', path: ['task'], message: '只有转为岗位时可以发布新岗位' });
    if (b.action === 'whistle' && !b.whistleId && !b.whistle)
      ctx.addIssue({ code: 'custom', path: ['whistleId'], message: '请选择吹哨事项' });
    if (b.whistleId && b.whistle) ctx.addIssue({ code: 'custom', path: ['whistle'], message: '选择已有吹哨或发起新吹哨，只能二选一' });
    if (b.whistle && b.action !== 'whistle') ctx.addIssue({ code: 'custom', path: ['whistle'], message: '只有转为吹哨时可以发起新吹哨' });
    if (b.action === 'reject' && !b.note) ctx.addIssue({ code: 'custom', path: ['note'], message: '请填写不予受理的说明' });
  });
export type DemandTriageBody = z.infer<typeof DemandTriageBodySchema>;

export const DemandSchema = z.object({
  id: IdSchema,
  community: NamedRefSchema,
  text: z.string(),
  category: CategorySchema.nullable(),
  /** Who sent it, masked (`张*明`), when a registered member did; null for a resident without a member record. */
  requester: z.string().nullable().optional(),
  /** The resident's contact: the phone masked (138****5678) for staff. Null when none was left. */
  contact: z.object({ name: z.string().nullable(), phone: z.string().nullable() }).nullable(),
  estate: NamedRefSchema.nullable(),
  address: z.string().nullable(),
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

export const DemandParamsSchema = z.object({ id: IdSchema, demandId: IdSchema });

/** The audited read of a demand's contact (`POST /party-orgs/:id/demands/:demandId/personal-data` `{ reason }`). */
export const DemandContactReadResponseSchema = z.object({
  name: z.string().nullable(),
  phone: z.string().nullable(),
  estate: z.string().nullable(),
  address: z.string().nullable(),
});
export type DemandContactReadResponse = z.infer<typeof DemandContactReadResponseSchema>;
