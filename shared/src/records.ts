import { z } from 'zod';
import { DateTimeSchema, DaySchema, IdSchema, text } from './common';

/** Ranges of records and certificates span at most five calendar years. */
export const MAX_RANGE_YEARS = 5;
const yearsAfter = (day: string, years: number) => `${String(Number(day.slice(0, 4)) + years).padStart(4, '0')}${day.slice(4)}`;

/** `from <= to`, at most five years apart (either may be absent where the schema allows it). */
export function checkDayRange(q: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  if (!q.from || !q.to) return;
  if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['to'], message: '结束日期不能早于开始日期' });
  else if (q.to > yearsAfter(q.from, MAX_RANGE_YEARS)) ctx.addIssue({ code: 'custom', path: ['to'], message: '时间跨度不能超过 5 年' });
}

export const RECORD_SOURCES = ['scan', 'secretary', 'correction', 'supplement'] as const;
export const RecordSourceSchema = z.enum(RECORD_SOURCES);
export type RecordSource = z.infer<typeof RecordSourceSchema>;

/** A record is a completed claim: its id is the claim's. */
export const RecordInfoSchema = z.object({
  id: IdSchema,
  minutes: z.number().int(),
  source: RecordSourceSchema,
  amended: z.boolean(),
});
export type RecordInfo = z.infer<typeof RecordInfoSchema>;

/** Star level from all-time record hours (thresholds in the points rules). */
export const StarSchema = z.object({
  level: z.number().int().min(0).max(5),
  hours: z.number(),
  nextLevelHours: z.number().nullable(),
});
export type Star = z.infer<typeof StarSchema>;

export const RecordsQuerySchema = z
  .object({ from: DaySchema.optional(), to: DaySchema.optional(), cursor: text().max(500).optional() })
  .superRefine(checkDayRange);
export type RecordsQuery = z.infer<typeof RecordsQuerySchema>;

/** Service may run on past the post's end by this much (a task that overran), not more (the minute rule). */
export const OVERRUN_MINUTES = 60;

/** A service's check-in and check-out: in order, not in the future, at most 24 hours. */
export const MAX_RECORD_MINUTES = 24 * 60;

export const SecretaryRecordBodySchema = z.object({
  memberIds: z.array(IdSchema).min(1).max(200),
  checkedInAt: DateTimeSchema.optional(),
  checkedOutAt: DateTimeSchema.optional(),
});
export type SecretaryRecordBody = z.infer<typeof SecretaryRecordBodySchema>;

export const CorrectionKindSchema = z.enum(['correct', 'supplement']);
export const CorrectionStatusSchema = z.enum(['pending', 'approved', 'rejected']);
export type CorrectionStatus = z.infer<typeof CorrectionStatusSchema>;

export const CorrectionCreateBodySchema = z.object({
  kind: CorrectionKindSchema,
  taskId: IdSchema,
  checkedInAt: DateTimeSchema,
  checkedOutAt: DateTimeSchema,
  reason: text().trim().min(2).max(500),
});
export type CorrectionCreateBody = z.infer<typeof CorrectionCreateBodySchema>;

export const CorrectionSchema = z.object({
  id: IdSchema,
  kind: CorrectionKindSchema,
  status: CorrectionStatusSchema,
  memberId: IdSchema,
  memberName: z.string(),
  taskId: IdSchema,
  taskTitle: z.string(),
  taskStartsAt: DateTimeSchema,
  communityOrgId: IdSchema,
  claimId: IdSchema.nullable(),
  checkedInAt: DateTimeSchema,
  checkedOutAt: DateTimeSchema,
  minutes: z.number().int(),
  reason: z.string(),
  createdAt: DateTimeSchema,
  decidedAt: DateTimeSchema.nullable(),
  note: z.string().nullable(),
  approvedMinutes: z.number().int().nullable(),
});
export type Correction = z.infer<typeof CorrectionSchema>;

export const CorrectionResponseSchema = z.object({ correction: CorrectionSchema });
export type CorrectionResponse = z.infer<typeof CorrectionResponseSchema>;
export const CorrectionListSchema = z.object({ items: z.array(CorrectionSchema) });
export type CorrectionList = z.infer<typeof CorrectionListSchema>;
export const CorrectionListQuerySchema = z.object({ status: CorrectionStatusSchema.optional() });

export const CorrectionApproveBodySchema = z.object({
  minutes: z.number().int().min(0).max(MAX_RECORD_MINUTES).optional(),
  note: text().trim().max(500).optional(),
});
export type CorrectionApproveBody = z.infer<typeof CorrectionApproveBodySchema>;
export const CorrectionRejectBodySchema = z.object({ note: text().trim().min(1).max(500) });
export type CorrectionRejectBody = z.infer<typeof CorrectionRejectBodySchema>;

export const RecordStateSchema = z.object({
  status: z.string(),
  checkedInAt: DateTimeSchema.nullable(),
  checkedOutAt: DateTimeSchema.nullable(),
  minutes: z.number().int().nullable(),
});
export type RecordState = z.infer<typeof RecordStateSchema>;

export const AmendmentSchema = z.object({
  id: IdSchema,
  version: z.number().int(),
  source: z.enum(['secretary', 'correction', 'supplement']),
  before: RecordStateSchema.nullable(),
  after: RecordStateSchema,
  by: z.object({ userId: IdSchema.nullable(), name: z.string().nullable() }),
  reason: z.string(),
  correctionId: IdSchema.nullable(),
  at: DateTimeSchema,
});
export type Amendment = z.infer<typeof AmendmentSchema>;
export const RecordHistorySchema = z.object({ record: RecordInfoSchema, items: z.array(AmendmentSchema) });
export type RecordHistory = z.infer<typeof RecordHistorySchema>;

/** `12小时30分` — how the app shows service time. */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}分`;
  return m === 0 ? `${h}小时` : `${h}小时${m}分`;
}

/** Hours with one decimal, as totals carry them. */
export const hoursOf = (minutes: number) => Math.round(minutes / 6) / 10;
