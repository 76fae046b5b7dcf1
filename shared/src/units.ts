import { z } from 'zod';
import { CategorySchema, CursorSchema, DateTimeSchema, DaySchema, IdSchema, LimitSchema, NamedRefSchema, text } from './common';
import { PeriodSchema } from './assessment';
import { LinkedMeetingSchema, MeetingKindSchema, MeetingStatusSchema } from './meetings';
import { PHONE_PATTERN } from './members';

/**
 * 组织报到 (contract v3): unit party orgs report to communities under a 共建协议 and take on their
 * needs (需求清单 → 项目清单), offering what they have (资源清单).
 */

const trimmed = (min: number, max: number) => text().trim().min(min).max(max);

/** Both days given and the end not before the start; reported on `endsOn`. */
function daysInOrder(b: { startsOn: string; endsOn: string }, ctx: z.RefinementCtx) {
  if (b.endsOn < b.startsOn) ctx.addIssue({ code: 'custom', path: ['endsOn'], message: '结束日期不能早于开始日期' });
}

export const AGREEMENT_STATUSES = ['proposed', 'active', 'rejected', 'ended', 'expired'] as const;
export const AgreementStatusSchema = z.enum(AGREEMENT_STATUSES);
export type AgreementStatus = z.infer<typeof AgreementStatusSchema>;

export const AGREEMENT_STATUS_LABELS: Record<AgreementStatus, string> = {
  proposed: '待确认',
  active: '已报到',
  rejected: '未通过',
  ended: '已终止',
  expired: '已到期',
};

export const AgreementCreateBodySchema = z
  .object({
    unitOrgId: IdSchema,
    communityOrgId: IdSchema,
    startsOn: DaySchema,
    endsOn: DaySchema,
    commitments: trimmed(2, 2000),
    contactName: trimmed(2, 20),
    contactPhone: text().trim().regex(PHONE_PATTERN, '请输入正确的手机号'),
  })
  .superRefine(daysInOrder);
export type AgreementCreateBody = z.infer<typeof AgreementCreateBodySchema>;

export const AgreementAcceptBodySchema = z.object({ reason: trimmed(1, 500).optional() });
export type AgreementAcceptBody = z.infer<typeof AgreementAcceptBodySchema>;
/** A rejection or a return names why. */
export const UnitReasonBodySchema = z.object({ reason: trimmed(1, 500) });
export type UnitReasonBody = z.infer<typeof UnitReasonBodySchema>;
export const AgreementEndBodySchema = z.object({ reason: trimmed(1, 500).optional() });
export type AgreementEndBody = z.infer<typeof AgreementEndBodySchema>;

export const AgreementSchema = z.object({
  id: IdSchema,
  unit: NamedRefSchema,
  community: NamedRefSchema,
  startsOn: z.string(),
  endsOn: z.string(),
  commitments: z.string(),
  contactName: z.string(),
  /** Always masked (`138****5678`). */
  contactPhone: z.string(),
  status: AgreementStatusSchema,
  reason: z.string().nullable(),
  proposedAt: DateTimeSchema,
  decidedAt: DateTimeSchema.nullable(),
  endedAt: DateTimeSchema.nullable(),
});
export type Agreement = z.infer<typeof AgreementSchema>;
export const AgreementResponseSchema = z.object({ agreement: AgreementSchema });

export const AgreementListQuerySchema = z.object({
  unitOrgId: IdSchema.optional(),
  communityOrgId: IdSchema.optional(),
  status: AgreementStatusSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type AgreementListQuery = z.infer<typeof AgreementListQuerySchema>;
export const AgreementListSchema = z.object({ items: z.array(AgreementSchema), nextCursor: z.string().nullable() });
export type AgreementList = z.infer<typeof AgreementListSchema>;

export const NEED_STATUSES = ['open', 'claimed', 'closed'] as const;
export const NeedStatusSchema = z.enum(NEED_STATUSES);
export type NeedStatus = z.infer<typeof NeedStatusSchema>;
export const NEED_STATUS_LABELS: Record<NeedStatus, string> = { open: '待认领', claimed: '已认领', closed: '已销号' };

export const NeedSourceSchema = z.object({ kind: z.enum(['demand', 'whistle']), id: IdSchema });
export type NeedSource = z.infer<typeof NeedSourceSchema>;

export const NeedCreateBodySchema = z.object({
  communityOrgId: IdSchema,
  title: trimmed(2, 60),
  category: CategorySchema,
  description: trimmed(2, 2000),
  peopleNeeded: z.number().int().min(1).max(1000).optional(),
  dueAt: DateTimeSchema.optional(),
  source: NeedSourceSchema.optional(),
});
export type NeedCreateBody = z.infer<typeof NeedCreateBodySchema>;

export const PROJECT_STATUSES = ['claimed', 'in_progress', 'delivered', 'accepted', 'closed', 'returned'] as const;
export const ProjectStatusSchema = z.enum(PROJECT_STATUSES);
export type ProjectStatus = z.infer<typeof ProjectStatusSchema>;
export const PROJECT_STATUS_LABELS: Record<ProjectStatus, string> = {
  claimed: '已认领',
  in_progress: '实施中',
  delivered: '待验收',
  accepted: '已验收',
  closed: '已销号',
  returned: '已退回',
};

/**
 * A meeting convened about a need, as the needs board shows it; its page shows the actions.
 * `readable`: the caller may open that page (its convening side, invited or tasked staff).
 */
export const NeedMeetingSchema = z.object({
  id: IdSchema,
  kind: MeetingKindSchema,
  title: z.string(),
  status: MeetingStatusSchema,
  startsAt: DateTimeSchema,
  /** Mean progress of its actions (0–100); null without any. */
  progress: z.number().nullable(),
  actionCount: z.number().int(),
  readable: z.boolean(),
});
export type NeedMeeting = z.infer<typeof NeedMeetingSchema>;

export const NeedSchema = z.object({
  id: IdSchema,
  community: NamedRefSchema,
  title: z.string(),
  category: CategorySchema,
  description: z.string(),
  peopleNeeded: z.number().int().nullable(),
  dueAt: DateTimeSchema.nullable(),
  source: NeedSourceSchema.nullable(),
  status: NeedStatusSchema,
  createdAt: DateTimeSchema,
  /** The live project on it (not a returned one). */
  project: z.object({ id: IdSchema, unit: NamedRefSchema, status: ProjectStatusSchema }).nullable(),
  /** 共商共办 (extension, on `GET /needs`): the meetings convened about it, oldest first. */
  meetings: z.array(NeedMeetingSchema).optional(),
});
export type Need = z.infer<typeof NeedSchema>;
export const NeedResponseSchema = z.object({ need: NeedSchema });

export const NeedListQuerySchema = z.object({
  communityOrgId: IdSchema.optional(),
  unitOrgId: IdSchema.optional(),
  status: NeedStatusSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type NeedListQuery = z.infer<typeof NeedListQuerySchema>;
export const NeedListSchema = z.object({ items: z.array(NeedSchema), nextCursor: z.string().nullable() });
export type NeedList = z.infer<typeof NeedListSchema>;

export const NeedClaimBodySchema = z
  .object({
    unitOrgId: IdSchema,
    plan: trimmed(2, 2000),
    startsOn: DaySchema,
    endsOn: DaySchema,
    resourceId: IdSchema.optional(),
  })
  .superRefine(daysInOrder);
export type NeedClaimBody = z.infer<typeof NeedClaimBodySchema>;

export const ResourceCreateBodySchema = z.object({
  unitOrgId: IdSchema,
  title: trimmed(2, 60),
  category: CategorySchema,
  description: trimmed(2, 2000),
  capacity: z.number().int().min(1).max(100000).optional(),
});
export type ResourceCreateBody = z.infer<typeof ResourceCreateBodySchema>;

export const ResourceSchema = z.object({
  id: IdSchema,
  unit: NamedRefSchema,
  title: z.string(),
  category: CategorySchema,
  description: z.string(),
  capacity: z.number().int().nullable(),
  createdAt: DateTimeSchema,
});
export type Resource = z.infer<typeof ResourceSchema>;
export const ResourceResponseSchema = z.object({ resource: ResourceSchema });
export const ResourceListQuerySchema = z.object({
  unitOrgId: IdSchema.optional(),
  communityOrgId: IdSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type ResourceListQuery = z.infer<typeof ResourceListQuerySchema>;
export const ResourceListSchema = z.object({ items: z.array(ResourceSchema), nextCursor: z.string().nullable() });
export type ResourceList = z.infer<typeof ResourceListSchema>;

export const ProjectSchema = z.object({
  id: IdSchema,
  need: NamedRefSchema,
  unit: NamedRefSchema,
  community: NamedRefSchema,
  resource: NamedRefSchema.nullable(),
  plan: z.string(),
  startsOn: z.string(),
  endsOn: z.string(),
  status: ProjectStatusSchema,
  summary: z.string().nullable(),
  rating: z.number().int().nullable(),
  ratingNote: z.string().nullable(),
  returnReason: z.string().nullable(),
  claimedAt: DateTimeSchema,
  startedAt: DateTimeSchema.nullable(),
  deliveredAt: DateTimeSchema.nullable(),
  acceptedAt: DateTimeSchema.nullable(),
  closedAt: DateTimeSchema.nullable(),
  returnedAt: DateTimeSchema.nullable(),
});
export type Project = z.infer<typeof ProjectSchema>;
export const ProjectResponseSchema = z.object({ project: ProjectSchema });

export const ProjectListQuerySchema = z.object({
  unitOrgId: IdSchema.optional(),
  communityOrgId: IdSchema.optional(),
  status: ProjectStatusSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type ProjectListQuery = z.infer<typeof ProjectListQuerySchema>;
export const ProjectListSchema = z.object({ items: z.array(ProjectSchema), nextCursor: z.string().nullable() });
export type ProjectList = z.infer<typeof ProjectListSchema>;

export const TASK_AUDIENCES = ['community', 'unit'] as const;
export const TaskAudienceSchema = z.enum(TASK_AUDIENCES);
export type TaskAudience = z.infer<typeof TaskAudienceSchema>;

export const ProjectTaskSchema = z.object({
  id: IdSchema,
  title: z.string(),
  startsAt: DateTimeSchema,
  endsAt: DateTimeSchema,
  capacity: z.number().int(),
  claimed: z.number().int(),
  audience: TaskAudienceSchema,
  status: z.string(),
});
export const ProjectEventSchema = z.object({
  at: DateTimeSchema,
  action: z.string(),
  org: NamedRefSchema.nullable(),
  data: z.record(z.string(), z.unknown()),
});
export const ProjectDetailSchema = z.object({
  project: ProjectSchema,
  need: NeedSchema,
  tasks: z.array(ProjectTaskSchema),
  events: z.array(ProjectEventSchema),
  /** 共商共办: the meetings convened about the project's need, with their action items. */
  meetings: z.array(LinkedMeetingSchema).optional(),
});
export type ProjectDetail = z.infer<typeof ProjectDetailSchema>;

export const ProjectDeliverBodySchema = z.object({ summary: trimmed(2, 2000) });
export type ProjectDeliverBody = z.infer<typeof ProjectDeliverBodySchema>;
export const ProjectAcceptBodySchema = z.object({ rating: z.number().int().min(1).max(5), note: trimmed(1, 500).optional() });
export type ProjectAcceptBody = z.infer<typeof ProjectAcceptBodySchema>;
export const ProjectCloseBodySchema = z.object({ note: trimmed(1, 500).optional() });
export type ProjectCloseBody = z.infer<typeof ProjectCloseBodySchema>;

/** 单位报到成效 (results board): `GET /index/units`, `GET /index/units/:id`, `GET /exports/unit-index.xlsx`. */
export const UnitIndexQuerySchema = z.object({ period: PeriodSchema.optional(), districtId: IdSchema.optional() });
export type UnitIndexQuery = z.infer<typeof UnitIndexQuerySchema>;
/**
 * The board's query: optionally one page of the ranking (`limit`, `offset`; `total` still counts
 * every unit ranked). Without `limit` the answer carries every unit, as the contract reads.
 */
export const UnitBoardQuerySchema = UnitIndexQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(5000).optional(),
  offset: z.coerce.number().int().min(0).default(0),
});
export type UnitBoardQuery = z.infer<typeof UnitBoardQuerySchema>;
export const UnitIndexOrgQuerySchema = z.object({ period: PeriodSchema.optional() });
