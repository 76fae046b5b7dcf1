import { z } from 'zod';
import {
  CATEGORY_KEYS,
  CATEGORY_LABELS,
  CursorSchema,
  DateTimeSchema,
  IdSchema,
  LimitSchema,
  NamedRefSchema,
  RoleSchema,
  text,
} from './common';
import { LinkedMeetingSchema } from './meetings';
import { TaskStatusSchema } from './tasks';

/** 吹哨报到: a community or 板块 blows the whistle, unit party orgs report (报到) with action. */
export const WhistleStatusSchema = z.enum(['open', 'answered', 'verified', 'closed', 'rated']);
export type WhistleStatus = z.infer<typeof WhistleStatusSchema>;

export const AssignmentStatusSchema = z.enum(['pending', 'signed', 'answered', 'returned']);
export type AssignmentStatus = z.infer<typeof AssignmentStatusSchema>;

export const AssignmentPartSchema = z.enum(['lead', 'assist', 'inform']);
export type AssignmentPart = z.infer<typeof AssignmentPartSchema>;

export const ExtensionStatusSchema = z.enum(['pending', 'approved', 'denied']);
export type ExtensionStatus = z.infer<typeof ExtensionStatusSchema>;

export const WHISTLE_STATUS_LABELS: Record<WhistleStatus, string> = {
  open: '办理中',
  answered: '已反馈',
  verified: '已核查',
  closed: '已办结',
  rated: '已回访',
};
export const ASSIGNMENT_STATUS_LABELS: Record<AssignmentStatus, string> = {
  pending: '待签收',
  signed: '办理中',
  answered: '已反馈',
  returned: '已退单',
};
/** Whistles' own categories (contract v3): what goes wrong in a neighbourhood, not what volunteers do. */
export const WHISTLE_CATEGORY_KEYS = ['traffic', 'cityscape', 'safety', 'property', 'facilities', 'dispute', 'other'] as const;
export const WhistleCategorySchema = z.enum(WHISTLE_CATEGORY_KEYS);
export type WhistleCategory = z.infer<typeof WhistleCategorySchema>;
export const WHISTLE_CATEGORY_LABELS: Record<WhistleCategory, string> = {
  traffic: '交通停车',
  cityscape: '市容环境',
  safety: '安全隐患',
  property: '物业管理',
  facilities: '公共设施',
  dispute: '矛盾纠纷',
  other: '其他',
};
/**
 * What a whistle read carries: its own categories, or the volunteer category of a whistle raised
 * before v3 (those stay as they were written, and readable).
 */
export const WhistleCategoryReadSchema = z.enum([...WHISTLE_CATEGORY_KEYS, ...CATEGORY_KEYS]);
export type WhistleCategoryRead = z.infer<typeof WhistleCategoryReadSchema>;
/** The label of any category a whistle may carry, old or new. */
export function whistleCategoryLabel(key: string): string {
  return (
    (WHISTLE_CATEGORY_LABELS as Record<string, string>)[key] ??
    (CATEGORY_LABELS as Record<string, string>)[key] ??
    WHISTLE_CATEGORY_LABELS.other
  );
}

export const ASSIGNMENT_PART_LABELS: Record<AssignmentPart, string> = { lead: '牵头', assist: '协办', inform: '知会' };

export const AddressedToSchema = z
  .array(z.object({ orgId: IdSchema, part: AssignmentPartSchema }))
  .min(1)
  .max(20)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((a, i) => {
      if (seen.has(a.orgId)) ctx.addIssue({ code: 'custom', path: [i, 'orgId'], message: '同一单位只能出现一次' });
      seen.add(a.orgId);
    });
  });
export type AddressedTo = z.infer<typeof AddressedToSchema>;

export const WhistleCreateBodySchema = z.object({
  title: text().trim().min(2).max(60),
  description: text().trim().min(1).max(2000),
  category: WhistleCategorySchema,
  location: text().trim().min(1).max(120),
  dueAt: DateTimeSchema,
  addressedTo: AddressedToSchema.refine((l) => l.filter((a) => a.part === 'lead').length === 1, { message: '必须且只能有一个牵头单位' }),
  raisedByOrgId: IdSchema.optional(),
});
export type WhistleCreateBody = z.infer<typeof WhistleCreateBodySchema>;

export const WhistleAnswerBodySchema = z.object({
  text: text().trim().min(1).max(2000),
  taskIds: z.array(IdSchema).max(20).optional(),
});
export type WhistleAnswerBody = z.infer<typeof WhistleAnswerBodySchema>;

export const WhistleReturnBodySchema = z.object({ reason: text().trim().min(1).max(500) });
export type WhistleReturnBody = z.infer<typeof WhistleReturnBodySchema>;

export const WhistleExtendBodySchema = z.object({ until: DateTimeSchema, reason: text().trim().min(1).max(500) });
export type WhistleExtendBody = z.infer<typeof WhistleExtendBodySchema>;

export const WhistleReaddressBodySchema = z.object({ addressedTo: AddressedToSchema });
export type WhistleReaddressBody = z.infer<typeof WhistleReaddressBodySchema>;

export const WhistleRateBodySchema = z.object({
  satisfaction: z.number().int().min(1).max(5),
  note: text().trim().max(500).optional(),
});
export type WhistleRateBody = z.infer<typeof WhistleRateBodySchema>;

/** verify, close, reopen, approve, deny: an optional note kept on the event. */
export const WhistleNoteBodySchema = z.object({ note: text().trim().max(500).optional() }).nullish();
export type WhistleNoteBody = z.infer<typeof WhistleNoteBodySchema>;

/** Reopen within 7 days of closing; `dueAt` gives the units a new due time. */
export const WhistleReopenBodySchema = z.object({ note: text().trim().max(500).optional(), dueAt: DateTimeSchema.optional() }).nullish();
export type WhistleReopenBody = z.infer<typeof WhistleReopenBodySchema>;

export const WhistleAssignmentParamsSchema = z.object({ id: IdSchema, orgId: IdSchema });
export const WhistleExtensionParamsSchema = z.object({ id: IdSchema, extId: IdSchema });

export const RaisedBySchema = z.object({ kind: z.enum(['community', 'district']), id: IdSchema, name: z.string() });

export const AssignmentSummarySchema = z.object({
  orgId: IdSchema,
  orgName: z.string(),
  part: AssignmentPartSchema,
  status: AssignmentStatusSchema,
  dueAt: DateTimeSchema,
  /** Past `dueAt` while still pending or signed. */
  overdue: z.boolean(),
});
export type AssignmentSummary = z.infer<typeof AssignmentSummarySchema>;

export const ExtensionSchema = z.object({
  id: IdSchema,
  orgId: IdSchema,
  until: DateTimeSchema,
  reason: z.string(),
  status: ExtensionStatusSchema,
  createdAt: DateTimeSchema,
  decidedAt: DateTimeSchema.nullable(),
});
export type Extension = z.infer<typeof ExtensionSchema>;

export const AssignmentSchema = AssignmentSummarySchema.extend({
  assignedAt: DateTimeSchema,
  signedAt: DateTimeSchema.nullable(),
  answeredAt: DateTimeSchema.nullable(),
  returnedAt: DateTimeSchema.nullable(),
  answerText: z.string().nullable(),
  returnReason: z.string().nullable(),
  taskIds: z.array(IdSchema),
  extensions: z.array(ExtensionSchema),
});
export type Assignment = z.infer<typeof AssignmentSchema>;

export const WhistleSchema = z.object({
  id: IdSchema,
  title: z.string(),
  description: z.string(),
  category: WhistleCategoryReadSchema,
  location: z.string(),
  dueAt: DateTimeSchema,
  status: WhistleStatusSchema,
  raisedBy: RaisedBySchema,
  districtId: IdSchema,
  satisfaction: z.number().int().nullable(),
  ratingNote: z.string().nullable(),
  createdAt: DateTimeSchema,
  answeredAt: DateTimeSchema.nullable(),
  verifiedAt: DateTimeSchema.nullable(),
  closedAt: DateTimeSchema.nullable(),
  ratedAt: DateTimeSchema.nullable(),
  /** Any assignment overdue. */
  overdue: z.boolean(),
  assignments: z.array(AssignmentSummarySchema),
});
export type Whistle = z.infer<typeof WhistleSchema>;

export const WhistleEventSchema = z.object({
  id: z.number().int(),
  at: DateTimeSchema,
  /** raise, sign, answer, return, extend, approve, deny, verify, close, rate, reopen, readdress. */
  action: z.string(),
  /** The assignment the step was about (the addressed unit), if any. */
  org: NamedRefSchema.nullable(),
  /** Who acted: the role and the org or 板块 it acted for; never a person's name. */
  actor: z.object({ role: RoleSchema.nullable(), org: NamedRefSchema.nullable() }),
  data: z.record(z.string(), z.unknown()),
});
export type WhistleEvent = z.infer<typeof WhistleEventSchema>;

/** A post answering the whistle, and how it filled. */
export const WhistleTaskSchema = z.object({
  id: IdSchema,
  title: z.string(),
  communityName: z.string(),
  startsAt: DateTimeSchema,
  capacity: z.number().int(),
  claimed: z.number().int(),
  remaining: z.number().int(),
  status: TaskStatusSchema,
  filledAt: DateTimeSchema.nullable(),
});
export type WhistleTask = z.infer<typeof WhistleTaskSchema>;

export const WhistleDetailSchema = z.object({
  whistle: WhistleSchema,
  assignments: z.array(AssignmentSchema),
  events: z.array(WhistleEventSchema),
  tasks: z.array(WhistleTaskSchema),
  /** 共商共办: the meetings convened about this whistle, with their action items. */
  meetings: z.array(LinkedMeetingSchema).optional(),
});
export type WhistleDetail = z.infer<typeof WhistleDetailSchema>;

export const WhistleResponseSchema = z.object({ whistle: WhistleSchema });
export type WhistleResponse = z.infer<typeof WhistleResponseSchema>;

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const WhistleListQuerySchema = z.object({
  scope: z.enum(['city', 'district', 'community', 'unit']).optional(),
  id: IdSchema.optional(),
  status: WhistleStatusSchema.optional(),
  /** Unit inbox tabs: 待签收 pending, 办理中 signed, 已办结 answered (the unit's own assignment). */
  assignmentStatus: AssignmentStatusSchema.optional(),
  overdue: booleanQuery.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type WhistleListQuery = z.infer<typeof WhistleListQuerySchema>;

export const WhistleListSchema = z.object({ items: z.array(WhistleSchema), nextCursor: z.string().nullable() });
export type WhistleList = z.infer<typeof WhistleListSchema>;

export const WhistleActionResponseSchema = WhistleDetailSchema;

/** Figures of whistles in a scope: received by a unit, or raised in a community / 板块 / the city. */
export const WhistleStatsSchema = z.object({
  whistles: z.number().int(),
  assignments: z.number().int(),
  /** Assignments signed within 24 h of being addressed ÷ those signed or past their 24 h; null without any. */
  responseRate: z.number().nullable(),
  /** Whistles closed (办结, or rated after) ÷ whistles. */
  closeRate: z.number().nullable(),
  /** Median hours from being addressed to answering, over answered assignments. */
  medianHoursToAnswer: z.number().nullable(),
  /** Mean satisfaction (1–5) of rated whistles. */
  satisfaction: z.number().nullable(),
  /** Assignments past their due time without an answer, now. */
  overdue: z.number().int(),
});
export type WhistleStats = z.infer<typeof WhistleStatsSchema>;
