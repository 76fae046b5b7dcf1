import { z } from 'zod';
import { CategorySchema, CursorSchema, DateTimeSchema, IdSchema, LimitSchema, text } from './common';
import { MemberCardSchema } from './members';
import { RecordInfoSchema, StarSchema } from './records';
import { TaskAudienceSchema } from './units';

export const TASK_STATUSES = ['open', 'cancelled', 'ended'] as const;
export const TaskStatusSchema = z.enum(TASK_STATUSES);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

export const CLAIM_STATUSES = ['claimed', 'cancelled', 'released', 'checked_in', 'completed', 'no_show'] as const;
export const ClaimStatusSchema = z.enum(CLAIM_STATUSES);

export const AllocationSchema = z.enum(['first_come', 'draw']);
export type Allocation = z.infer<typeof AllocationSchema>;
export type ClaimStatus = z.infer<typeof ClaimStatusSchema>;

/** A post's contact phone: a mobile (13800138000) or a landline with its area code (0512-52345678). */
export const CONTACT_PHONE_PATTERN = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;
const contactName = () => text().trim().min(1).max(30);
const contactPhone = () => text().trim().regex(CONTACT_PHONE_PATTERN, '请输入正确的手机号或带区号的固定电话');

export const TaskCreateBodySchema = z
  .object({
    communityOrgId: IdSchema,
    title: text().trim().min(2).max(60),
    category: CategorySchema,
    description: text().trim().max(2000).default(''),
    location: text().trim().min(1).max(120),
    startsAt: DateTimeSchema,
    endsAt: DateTimeSchema,
    capacity: z.number().int().min(1).max(1000),
    claimOpensAt: DateTimeSchema.optional(),
    cancelCutoffMinutes: z.number().int().min(0).max(10080).optional(),
    /** The whistle (吹哨) this post answers. */
    whistleId: IdSchema.optional(),
    /** Minutes a waitlist offer is held (default 30), never past the cancellation cutoff. */
    offerMinutes: z.number().int().min(1).max(1440).optional(),
    allocation: AllocationSchema.optional(),
    /** A draw post's draw time: after `claimOpensAt`, before the post starts. */
    drawAt: DateTimeSchema.optional(),
    /** The unit project (项目清单) this post serves; its unit admin may publish it. */
    projectId: IdSchema.optional(),
    /** `unit` (定向岗位): only members of the project's unit may grab it. */
    audience: TaskAudienceSchema.optional(),
    /** The post's contact person and phone, shown on its detail page (the phone can be called from there). */
    contactName: contactName().optional(),
    contactPhone: contactPhone().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.audience === 'unit' && !body.projectId) {
      ctx.addIssue({ code: 'custom', path: ['projectId'], message: '定向岗位须属于一个共建项目' });
    }
    if (body.audience === 'unit' && body.allocation === 'draw') {
      ctx.addIssue({ code: 'custom', path: ['allocation'], message: '定向岗位不支持抽签' });
    }
    if (body.allocation === 'draw') {
      if (!body.drawAt) ctx.addIssue({ code: 'custom', path: ['drawAt'], message: '抽签岗位必须填写开奖时间' });
      else {
        if (Date.parse(body.drawAt) >= Date.parse(body.startsAt)) {
          ctx.addIssue({ code: 'custom', path: ['drawAt'], message: '开奖时间必须早于岗位开始时间' });
        }
        if (body.claimOpensAt && Date.parse(body.drawAt) <= Date.parse(body.claimOpensAt)) {
          ctx.addIssue({ code: 'custom', path: ['drawAt'], message: '开奖时间必须晚于报名开始时间' });
        }
      }
    } else if (body.drawAt) {
      ctx.addIssue({ code: 'custom', path: ['drawAt'], message: '只有抽签岗位可以设置开奖时间' });
    }
    if (Date.parse(body.endsAt) <= Date.parse(body.startsAt)) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: '结束时间必须晚于开始时间' });
    }
    if (body.claimOpensAt && Date.parse(body.claimOpensAt) >= Date.parse(body.endsAt)) {
      ctx.addIssue({ code: 'custom', path: ['claimOpensAt'], message: '开抢时间必须早于结束时间' });
    }
  });
export type TaskCreateBody = z.infer<typeof TaskCreateBodySchema>;

export const TaskSchema = z.object({
  id: IdSchema,
  communityOrgId: IdSchema,
  communityName: z.string(),
  title: z.string(),
  category: CategorySchema,
  description: z.string(),
  location: z.string(),
  startsAt: DateTimeSchema,
  endsAt: DateTimeSchema,
  capacity: z.number().int(),
  claimed: z.number().int(),
  remaining: z.number().int(),
  status: TaskStatusSchema,
  claimOpensAt: DateTimeSchema,
  cancelCutoffMinutes: z.number().int(),
  filledAt: DateTimeSchema.nullable(),
  createdAt: DateTimeSchema,
  whistleId: IdSchema.nullable().optional(),
  offerMinutes: z.number().int(),
  /** Members `waiting` on the waitlist. */
  waitlisted: z.number().int(),
  allocation: AllocationSchema,
  drawAt: DateTimeSchema.nullable(),
  /** Hex SHA-256 of the draw's seed, published with the post. */
  drawCommitment: z.string().nullable(),
  /** Members entered in the draw (while open; entered + won + lost once drawn). */
  entered: z.number().int(),
  drawnAt: DateTimeSchema.nullable(),
  /** The unit project the post serves (组织报到). */
  projectId: IdSchema.nullable().optional(),
  /** `unit`: a directed post (定向·<audienceUnit>), grabbed only by that unit's members. */
  audience: TaskAudienceSchema.optional(),
  audienceUnit: z.object({ id: IdSchema, name: z.string() }).nullable().optional(),
  /** 联系人 and 联系电话 of the post, as its secretary wrote them (null when none). */
  contactName: z.string().nullable().optional(),
  contactPhone: z.string().nullable().optional(),
});
export type Task = z.infer<typeof TaskSchema>;

export const WaitlistStatusSchema = z.enum(['waiting', 'offered', 'promoted', 'accepted', 'declined', 'expired', 'left']);
export type WaitlistStatus = z.infer<typeof WaitlistStatusSchema>;

export const MyWaitlistSchema = z.object({
  /** 1-based rank among `waiting` entries, now; null once no longer waiting. */
  position: z.number().int().nullable(),
  status: WaitlistStatusSchema,
  offerExpiresAt: DateTimeSchema.nullable(),
});
export type MyWaitlist = z.infer<typeof MyWaitlistSchema>;

export const EntryStatusSchema = z.enum(['entered', 'won', 'lost', 'withdrawn']);
export type EntryStatus = z.infer<typeof EntryStatusSchema>;

export const MyEntrySchema = z.object({ ticket: z.string(), status: EntryStatusSchema, rank: z.number().int().nullable().optional() });
export type MyEntry = z.infer<typeof MyEntrySchema>;

export const TaskListItemSchema = TaskSchema.pick({
  id: true,
  communityOrgId: true,
  communityName: true,
  title: true,
  category: true,
  location: true,
  startsAt: true,
  endsAt: true,
  capacity: true,
  claimed: true,
  remaining: true,
  status: true,
  claimOpensAt: true,
  waitlisted: true,
  allocation: true,
  drawAt: true,
  entered: true,
  drawnAt: true,
  audience: true,
  audienceUnit: true,
});
export type TaskListItem = z.infer<typeof TaskListItemSchema>;

/** The caller's own state on a listed post (members only): its live claim, its waitlist place, its draw entry. */
export const MyTaskStateSchema = z.object({
  claimStatus: ClaimStatusSchema.nullable(),
  waitlist: MyWaitlistSchema.nullable(),
  entry: MyEntrySchema.nullable(),
});
export type MyTaskState = z.infer<typeof MyTaskStateSchema>;

/** A day in China time; list filters stay within the contract's 2000–2100 range. */
const ChinaDaySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '请使用 YYYY-MM-DD 日期')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00+08:00`)) && v >= '2000-01-01' && v <= '2100-12-31', '请使用 YYYY-MM-DD 日期');

const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const TaskListQuerySchema = z.object({
  communityOrgId: IdSchema.optional(),
  districtId: IdSchema.optional(),
  category: CategorySchema.optional(),
  open: booleanQuery.optional(),
  /** Title contains this text (首页 search). */
  q: text().trim().min(1).max(60).optional(),
  /** Posts starting on or after this China-time day. */
  from: ChinaDaySchema.optional(),
  /** Posts starting on or before this China-time day. */
  to: ChinaDaySchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type TaskListQuery = z.infer<typeof TaskListQuerySchema>;

export const TaskListSchema = z.object({
  /** `mine` is set for a member caller (null when it has nothing on the post). */
  items: z.array(TaskListItemSchema.extend({ mine: MyTaskStateSchema.nullable().optional() })),
  nextCursor: z.string().nullable(),
});
export type TaskList = z.infer<typeof TaskListSchema>;
export type TaskListEntry = TaskList['items'][number];

export const ClaimSchema = z.object({
  id: IdSchema,
  taskId: IdSchema,
  memberId: IdSchema,
  status: ClaimStatusSchema,
  claimedAt: DateTimeSchema,
  cancelledAt: DateTimeSchema.nullable(),
  checkedInAt: DateTimeSchema.nullable(),
  checkedOutAt: DateTimeSchema.nullable(),
  minutes: z.number().int().nullable(),
  /** Given straight to the first waiting member inside the cancellation cutoff. */
  promoted: z.literal(true).optional(),
  /** A no-show the secretary excused. */
  excused: z.literal(true).optional(),
});
export type Claim = z.infer<typeof ClaimSchema>;

export const TaskResponseSchema = z.object({ task: TaskSchema });
export type TaskResponse = z.infer<typeof TaskResponseSchema>;

export const TaskDetailSchema = z.object({
  task: TaskSchema,
  myClaim: ClaimSchema.nullable(),
  myWaitlist: MyWaitlistSchema.nullable(),
  myEntry: MyEntrySchema.nullable(),
});
export type TaskDetail = z.infer<typeof TaskDetailSchema>;

export const ClaimCreateResponseSchema = z.object({ claim: ClaimSchema, remaining: z.number().int() });
export type ClaimCreateResponse = z.infer<typeof ClaimCreateResponseSchema>;

export const ClaimResponseSchema = z.object({ claim: ClaimSchema });
export type ClaimResponse = z.infer<typeof ClaimResponseSchema>;

export const ClaimantListSchema = z.object({
  items: z.array(z.object({ claim: ClaimSchema, member: MemberCardSchema })),
});
export type ClaimantList = z.infer<typeof ClaimantListSchema>;

export const CheckBodySchema = z.object({ token: text().trim().min(1).max(2048) });
export type CheckBody = z.infer<typeof CheckBodySchema>;

export const RecordsSchema = z.object({
  items: z.array(z.object({ task: TaskListItemSchema, claim: ClaimSchema, record: RecordInfoSchema })),
  /** Over the whole range asked, not one page; `star` from all-time hours. */
  totals: z.object({ tasks: z.number().int(), minutes: z.number().int(), hours: z.number(), star: StarSchema }),
  nextCursor: z.string().nullable(),
});
export type Records = z.infer<typeof RecordsSchema>;

/** `GET /members/me/claims`: the member's live claims on posts not yet over, soonest first (records are completed claims only). */
export const MyClaimsSchema = z.object({ items: z.array(z.object({ task: TaskListItemSchema, claim: ClaimSchema })) });
export type MyClaims = z.infer<typeof MyClaimsSchema>;

/** `POST /tasks/:id/records` (补记): the claims written, one per member. */
export const SecretaryRecordResponseSchema = z.object({ items: z.array(z.object({ memberId: z.string(), claim: ClaimSchema })) });
export type SecretaryRecordResponse = z.infer<typeof SecretaryRecordResponseSchema>;

/** `PATCH /tasks/:id` (contract extension): the secretary edits a post that has not started; claimants are notified. */
export const TaskUpdateBodySchema = z
  .object({
    title: text().trim().min(2).max(60).optional(),
    description: text().trim().max(2000).optional(),
    location: text().trim().min(1).max(120).optional(),
    startsAt: DateTimeSchema.optional(),
    endsAt: DateTimeSchema.optional(),
    /** An empty string clears the contact. */
    contactName: z.union([contactName(), z.literal('')]).optional(),
    contactPhone: z.union([contactPhone(), z.literal('')]).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), '至少修改一项');
export type TaskUpdateBody = z.infer<typeof TaskUpdateBodySchema>;
