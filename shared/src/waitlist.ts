import { z } from 'zod';
import { DateTimeSchema, IdSchema, text } from './common';
import { AllocationSchema, EntryStatusSchema, WaitlistStatusSchema } from './tasks';

export const WaitlistEntrySchema = z.object({
  taskId: IdSchema,
  /** 1-based rank among `waiting` entries, now; null once no longer waiting. */
  position: z.number().int().nullable(),
  status: WaitlistStatusSchema,
  offerExpiresAt: DateTimeSchema.nullable(),
});
export type WaitlistEntry = z.infer<typeof WaitlistEntrySchema>;

export const WaitlistEntryResponseSchema = z.object({ entry: WaitlistEntrySchema });
export type WaitlistEntryResponse = z.infer<typeof WaitlistEntryResponseSchema>;

/** Why a secretary frees or excuses a claim: kept with the claim, shown to nobody else. */
export const ReasonBodySchema = z.object({ reason: text().trim().min(1).max(200) });
export type ReasonBody = z.infer<typeof ReasonBodySchema>;

export const ClaimParamsSchema = z.object({ id: IdSchema, claimId: IdSchema });

/** The member's app picks the nonce; the ticket is SHA-256 of `<taskId>:<memberId>:<nonce>`, first 16 hex. */
export const DrawEntryBodySchema = z.object({
  nonce: text()
    .min(16)
    .max(64)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII only'),
});
export type DrawEntryBody = z.infer<typeof DrawEntryBodySchema>;

export const DrawEntrySchema = z.object({ taskId: IdSchema, status: EntryStatusSchema, ticket: z.string() });
export type DrawEntry = z.infer<typeof DrawEntrySchema>;

export const DrawEntryResponseSchema = z.object({ entry: DrawEntrySchema });
export type DrawEntryResponse = z.infer<typeof DrawEntryResponseSchema>;

export const DrawTicketSchema = z.object({
  ticket: z.string(),
  rank: z.number().int().optional(),
  won: z.boolean().optional(),
  /** Audit: the holder, for the district admin (and above) only. */
  memberId: IdSchema.optional(),
});
export type DrawTicket = z.infer<typeof DrawTicketSchema>;

/** `GET /tasks/:id/draw`: everything `verify-draw` needs to recompute the result. */
export const DrawSchema = z.object({
  taskId: IdSchema,
  allocation: AllocationSchema,
  capacity: z.number().int(),
  drawAt: DateTimeSchema.nullable(),
  drawCommitment: z.string().nullable(),
  entered: z.number().int(),
  status: z.enum(['open', 'drawn']),
  tickets: z.array(DrawTicketSchema),
  seed: z.string().optional(),
  entriesRoot: z.string().optional(),
});
export type Draw = z.infer<typeof DrawSchema>;

/** The no-show policy as it stands for a member. */
export const StandingSchema = z.object({
  /** Unexcused no-shows (not promoted claims) within the policy window. */
  noShows: z.number().int(),
  suspendedUntil: DateTimeSchema.nullable(),
});
export type Standing = z.infer<typeof StandingSchema>;

/**
 * `GET /tasks/:id/waitlist` (contract extension; the post's secretary and the admins above it):
 * the post's 候补 queue. Names and phones masked (`张*明`, `138****5678`); `position` is the
 * 1-based rank among `waiting` entries; `offerExpiresAt` the deadline of a held offer.
 */
export const WaitlistQueueItemSchema = z.object({
  position: z.number().int().nullable(),
  status: WaitlistStatusSchema,
  member: z.object({ name: z.string(), phone: z.string() }),
  joinedAt: DateTimeSchema,
  offerExpiresAt: DateTimeSchema.nullable(),
  updatedAt: DateTimeSchema,
});
export type WaitlistQueueItem = z.infer<typeof WaitlistQueueItemSchema>;

export const WaitlistQueueSchema = z.object({
  taskId: IdSchema,
  capacity: z.number().int(),
  claimed: z.number().int(),
  waiting: z.number().int(),
  offered: z.number().int(),
  /** Held offers first, then the waiting queue in order, then the 50 latest closed entries. */
  items: z.array(WaitlistQueueItemSchema),
});
export type WaitlistQueue = z.infer<typeof WaitlistQueueSchema>;
