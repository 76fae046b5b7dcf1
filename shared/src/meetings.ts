import { z } from 'zod';
import { DateTimeSchema, IdSchema, LimitSchema, CursorSchema, NamedRefSchema, RoleSchema, text } from './common';

/** 共商共办 (contract v3): coordination meetings (协调会), 上门服务 days, action items (责任分工, 时序进度). */
export const MeetingKindSchema = z.enum(['coordination', 'door_service']);
export type MeetingKind = z.infer<typeof MeetingKindSchema>;
export const MeetingStatusSchema = z.enum(['scheduled', 'held', 'cancelled']);
export type MeetingStatus = z.infer<typeof MeetingStatusSchema>;
export const ActionStatusSchema = z.enum(['open', 'in_progress', 'done', 'confirmed']);
export type ActionStatus = z.infer<typeof ActionStatusSchema>;

export const MEETING_KIND_LABELS: Record<MeetingKind, string> = { coordination: '现场协调会', door_service: '上门服务日' };
export const MEETING_STATUS_LABELS: Record<MeetingStatus, string> = { scheduled: '待召开', held: '已召开', cancelled: '已取消' };
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: '待办理',
  in_progress: '办理中',
  done: '待确认',
  confirmed: '已确认',
};

/** Categories of the questions a 上门服务 day handled. */
export const HANDLED_CATEGORIES = ['consult', 'repair', 'welfare', 'dispute', 'health', 'legal', 'other'] as const;
export const HandledCategorySchema = z.enum(HANDLED_CATEGORIES);
export type HandledCategory = z.infer<typeof HandledCategorySchema>;
export const HANDLED_CATEGORY_LABELS: Record<HandledCategory, string> = {
  consult: '政策咨询',
  repair: '维修求助',
  welfare: '民政救助',
  dispute: '矛盾调解',
  health: '医疗健康',
  legal: '法律援助',
  other: '其他',
};

const uniqueIds = (max: number) =>
  z
    .array(IdSchema)
    .max(max)
    .refine((l) => new Set(l).size === l.length, { message: '不能重复' });

export const MeetingCreateBodySchema = z.object({
  kind: MeetingKindSchema,
  title: text().trim().min(2).max(60),
  startsAt: DateTimeSchema,
  location: text().trim().min(1).max(120),
  agenda: z
    .array(z.object({ title: text().trim().min(1).max(200) }))
    .min(1)
    .max(30),
  invitedOrgIds: uniqueIds(30).min(1),
  whistleIds: uniqueIds(20).optional(),
  needIds: uniqueIds(20).optional(),
  /** The community (secretary) or 板块 (district admin) convening: required when the caller holds several. */
  convenerOrgId: IdSchema.optional(),
});
export type MeetingCreateBody = z.infer<typeof MeetingCreateBodySchema>;

export const MeetingCloseBodySchema = z.object({
  minutes: text().trim().min(1).max(5000),
  decisions: z.array(text().trim().min(1).max(500)).max(30),
  handled: z
    .array(z.object({ category: HandledCategorySchema, count: z.number().int().min(0).max(100_000) }))
    .max(HANDLED_CATEGORIES.length)
    .refine((l) => new Set(l.map((h) => h.category)).size === l.length, { message: '类别不能重复' })
    .optional(),
});
export type MeetingCloseBody = z.infer<typeof MeetingCloseBodySchema>;

export const MeetingCancelBodySchema = z.object({ note: text().trim().max(500).optional() }).nullish();
export type MeetingCancelBody = z.infer<typeof MeetingCancelBodySchema>;

export const AttendanceBodySchema = z.object({ token: text().trim().min(1).max(200) });
export type AttendanceBody = z.infer<typeof AttendanceBodySchema>;

export const ActionCreateBodySchema = z.object({
  title: text().trim().min(2).max(200),
  ownerOrgId: IdSchema,
  assistOrgIds: uniqueIds(20).optional(),
  dueAt: DateTimeSchema,
  milestones: z
    .array(z.object({ title: text().trim().min(1).max(200), dueAt: DateTimeSchema }))
    .max(20)
    .optional(),
});
export type ActionCreateBody = z.infer<typeof ActionCreateBodySchema>;

export const ActionProgressBodySchema = z.object({
  progress: z.number().int().min(0).max(100),
  note: text().trim().min(1).max(1000),
  milestoneDone: IdSchema.optional(),
});
export type ActionProgressBody = z.infer<typeof ActionProgressBodySchema>;

export const ActionNoteBodySchema = z.object({ note: text().trim().min(1).max(1000) });
export type ActionNoteBody = z.infer<typeof ActionNoteBodySchema>;

export const MilestoneSchema = z.object({
  id: IdSchema,
  title: z.string(),
  dueAt: DateTimeSchema,
  doneAt: DateTimeSchema.nullable(),
  overdue: z.boolean(),
});
export type Milestone = z.infer<typeof MilestoneSchema>;

export const ActionEventSchema = z.object({
  at: DateTimeSchema,
  kind: z.enum(['create', 'progress', 'done', 'confirm', 'reopen', 'escalate']),
  progress: z.number().int().nullable(),
  note: z.string().nullable(),
  milestone: z.string().nullable(),
  /** Role and org acted for; never a person's name. */
  role: RoleSchema.nullable(),
  orgName: z.string().nullable(),
});
export type ActionEvent = z.infer<typeof ActionEventSchema>;

export const ActionSchema = z.object({
  id: IdSchema,
  meetingId: IdSchema,
  meetingTitle: z.string(),
  title: z.string(),
  owner: NamedRefSchema,
  assists: z.array(NamedRefSchema),
  dueAt: DateTimeSchema,
  status: ActionStatusSchema,
  progress: z.number().int(),
  /** Past its due time or a milestone's before `done`, at the time of reading. */
  overdue: z.boolean(),
  escalatedAt: DateTimeSchema.nullable(),
  milestones: z.array(MilestoneSchema),
  timeline: z.array(ActionEventSchema),
  createdAt: DateTimeSchema,
  doneAt: DateTimeSchema.nullable(),
  confirmedAt: DateTimeSchema.nullable(),
});
export type Action = z.infer<typeof ActionSchema>;

export const MeetingSchema = z.object({
  id: IdSchema,
  kind: MeetingKindSchema,
  title: z.string(),
  startsAt: DateTimeSchema,
  location: z.string(),
  agenda: z.array(z.object({ title: z.string() })),
  status: MeetingStatusSchema,
  /** The 板块 or community that convened it. */
  convener: z.object({ id: IdSchema, name: z.string(), kind: z.enum(['district', 'community']) }),
  districtId: IdSchema,
  invited: z.array(NamedRefSchema),
  whistles: z.array(z.object({ id: IdSchema, title: z.string() })),
  needIds: z.array(IdSchema),
  minutes: z.string().nullable(),
  decisions: z.array(z.string()),
  handled: z.array(z.object({ category: HandledCategorySchema, count: z.number().int() })),
  /** Mean progress of its actions (0–100, one decimal); null without any. */
  progress: z.number().nullable(),
  actionCount: z.number().int(),
  attendanceCount: z.number().int(),
  createdAt: DateTimeSchema,
  closedAt: DateTimeSchema.nullable(),
  cancelledAt: DateTimeSchema.nullable(),
});
export type Meeting = z.infer<typeof MeetingSchema>;

export const AttendanceSchema = z.object({
  org: NamedRefSchema,
  role: RoleSchema,
  at: DateTimeSchema,
});
export type Attendance = z.infer<typeof AttendanceSchema>;

export const MeetingResponseSchema = z.object({ meeting: MeetingSchema });
export type MeetingResponse = z.infer<typeof MeetingResponseSchema>;
export const MeetingDetailSchema = z.object({
  meeting: MeetingSchema,
  attendance: z.array(AttendanceSchema),
  actions: z.array(ActionSchema),
});
export type MeetingDetail = z.infer<typeof MeetingDetailSchema>;
export const ActionResponseSchema = z.object({ action: ActionSchema });
export type ActionResponse = z.infer<typeof ActionResponseSchema>;
export const AttendanceResponseSchema = z.object({ attendance: AttendanceSchema, meeting: MeetingSchema });
export type AttendanceResponse = z.infer<typeof AttendanceResponseSchema>;

export const MeetingCheckinSchema = z.object({
  token: z.string(),
  url: z.string(),
  qrSvg: z.string(),
  opensAt: DateTimeSchema,
  closesAt: DateTimeSchema,
});
export type MeetingCheckin = z.infer<typeof MeetingCheckinSchema>;

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const MeetingListQuerySchema = z.object({
  scope: z.enum(['city', 'district', 'community', 'unit']).optional(),
  id: IdSchema.optional(),
  status: MeetingStatusSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type MeetingListQuery = z.infer<typeof MeetingListQuerySchema>;
export const MeetingListSchema = z.object({ items: z.array(MeetingSchema), nextCursor: z.string().nullable() });
export type MeetingList = z.infer<typeof MeetingListSchema>;

export const ActionListQuerySchema = z.object({
  ownerOrgId: IdSchema.optional(),
  status: ActionStatusSchema.optional(),
  overdue: booleanQuery.optional(),
});
export type ActionListQuery = z.infer<typeof ActionListQuerySchema>;
/** Overdue first, then by due time. */
export const ActionListSchema = z.object({ items: z.array(ActionSchema) });
export type ActionList = z.infer<typeof ActionListSchema>;

/** What a whistle's detail shows of the meetings convened about it. */
export const LinkedMeetingSchema = z.object({ meeting: MeetingSchema, actions: z.array(ActionSchema) });
export type LinkedMeeting = z.infer<typeof LinkedMeetingSchema>;

/** Figures per scope (statistics, dashboards). */
export const MeetingStatsSchema = z.object({
  held: z.number().int(),
  actions: z.number().int(),
  /** Actions done (or confirmed) no later than their due time. */
  actionsOnTime: z.number().int(),
  /** Actions past their due time (or a milestone's) and not done, now. */
  actionsOverdue: z.number().int(),
  /** Questions handled by 上门服务 days. */
  handled: z.number().int(),
});
export type MeetingStats = z.infer<typeof MeetingStatsSchema>;

/**
 * `GET /party-orgs/:id/meeting-progress` (extension): what was decided about a community's
 * whistles and how far each action is, for its residents. Units are named; people never.
 */
export const PublicProgressSchema = z.object({
  items: z.array(
    z.object({
      meeting: z.object({
        id: IdSchema,
        kind: MeetingKindSchema,
        title: z.string(),
        startsAt: DateTimeSchema,
        decisions: z.array(z.string()),
        progress: z.number().nullable(),
        handled: z.number().int(),
      }),
      whistles: z.array(z.object({ id: IdSchema, title: z.string(), status: z.string() })),
      actions: z.array(
        z.object({
          title: z.string(),
          owner: z.string(),
          status: ActionStatusSchema,
          progress: z.number().int(),
          dueAt: DateTimeSchema,
          overdue: z.boolean(),
        }),
      ),
    }),
  ),
});
export type PublicProgress = z.infer<typeof PublicProgressSchema>;
