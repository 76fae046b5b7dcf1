import { z } from 'zod';
import { CategorySchema, DateTimeSchema, IdSchema, NamedRefSchema, text } from './common';
import { StarSchema } from './records';

/** Mainland China mobile numbers: 11 digits starting 13–19. */
export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

const trimmed = (min: number, max: number) => text().trim().min(min).max(max);

export const MemberUpsertBodySchema = z.object({
  name: trimmed(2, 20),
  phone: text().trim().regex(PHONE_PATTERN, '请输入正确的手机号'),
  unitOrgId: IdSchema,
  workUnit: trimmed(2, 60),
  communityOrgId: IdSchema,
  estateId: IdSchema,
  building: trimmed(1, 10),
  unitNo: trimmed(1, 10),
  room: trimmed(1, 10),
  intentions: z
    .array(CategorySchema)
    .min(1)
    .max(8)
    .refine((keys) => new Set(keys).size === keys.length, '服务意向不能重复'),
  consentVersion: trimmed(1, 20),
});
export type MemberUpsertBody = z.infer<typeof MemberUpsertBodySchema>;

export const MemberSchema = z.object({
  id: IdSchema,
  name: z.string(),
  /** Full number for its owner, masked (`138****5678`) for everyone else. */
  phone: z.string(),
  unitOrg: NamedRefSchema,
  workUnit: z.string(),
  community: NamedRefSchema.extend({ districtId: IdSchema }),
  estate: NamedRefSchema,
  building: z.string(),
  unitNo: z.string(),
  room: z.string(),
  intentions: z.array(CategorySchema),
  consentVersion: z.string(),
  consentedAt: DateTimeSchema,
  registeredAt: DateTimeSchema,
});
export type Member = z.infer<typeof MemberSchema>;

/** The no-show policy as it stands (also in `shared/src/waitlist.ts` as StandingSchema). */
const MemberStandingSchema = z.object({ noShows: z.number().int(), suspendedUntil: DateTimeSchema.nullable() });

/** `GET /members/me`: the member and its standing under the no-show policy (contract v2). */
/** `star` (contract v3): the star level from all-time record hours. */
export const MemberResponseSchema = z.object({
  member: MemberSchema,
  standing: MemberStandingSchema.optional(),
  star: StarSchema.optional(),
});
export type MemberResponse = z.infer<typeof MemberResponseSchema>;

/**
 * `PUT /members/me` (contract extension): on registration, a new session token that also names
 * the member, so the member's claims need no look-up; the client keeps it in place of the old one.
 */
export const MemberUpsertResponseSchema = MemberResponseSchema.extend({
  session: z.object({ token: z.string(), expiresIn: z.number().int() }).optional(),
});
export type MemberUpsertResponse = z.infer<typeof MemberUpsertResponseSchema>;

/**
 * `token` is the compact code (≤ 48 characters); `url` (an addition) is `<PUBLIC_URL>/c/<token>`,
 * what `qrSvg` encodes, so WeChat's own scanner opens the app. Verify and check-in accept either.
 */
export const PioneerCodeResponseSchema = z.object({
  token: z.string(),
  url: z.string(),
  expiresAt: DateTimeSchema,
  qrSvg: z.string(),
});
export type PioneerCodeResponse = z.infer<typeof PioneerCodeResponseSchema>;

export const PioneerCodeBodySchema = z.object({
  token: text().trim().min(1).max(2048),
});
export type PioneerCodeBody = z.infer<typeof PioneerCodeBodySchema>;

/** What a secretary sees after scanning: identity, never the full phone. */
export const MemberCardSchema = z.object({
  id: IdSchema,
  name: z.string(),
  phone: z.string(),
  unitOrg: NamedRefSchema,
  workUnit: z.string(),
  community: NamedRefSchema,
  estate: NamedRefSchema,
});
export type MemberCard = z.infer<typeof MemberCardSchema>;

/**
 * One of the member's live claims on the verifier's posts of today (contract v2). `checkInOpensAt`
 * (an addition) is when 签到 becomes possible, so the page offers only the valid action.
 */
export const VerifiedClaimSchema = z.object({
  taskId: IdSchema,
  title: z.string(),
  startsAt: DateTimeSchema,
  endsAt: DateTimeSchema,
  /** Live statuses only: a cancelled or released claim is not listed. */
  status: z.enum(['claimed', 'checked_in', 'completed', 'no_show']),
  checkInOpensAt: DateTimeSchema,
  /** When 签到 was recorded: the verify page asks before a 签退 that would record under 10 minutes. */
  checkedInAt: DateTimeSchema.nullable().optional(),
});
export type VerifiedClaim = z.infer<typeof VerifiedClaimSchema>;

export const PioneerCodeVerifyResponseSchema = z.object({ member: MemberCardSchema, claims: z.array(VerifiedClaimSchema) });
export type PioneerCodeVerifyResponse = z.infer<typeof PioneerCodeVerifyResponseSchema>;

/** `POST /members/me/phone-number` (an addition): the code of WeChat's getPhoneNumber button. */
export const PhoneNumberBodySchema = z.object({ code: text().trim().min(1).max(128) });
export type PhoneNumberBody = z.infer<typeof PhoneNumberBodySchema>;

/** The caller's own number, to fill the registration form; it is stored only when the form is sent. */
export const PhoneNumberResponseSchema = z.object({ phone: z.string() });
export type PhoneNumberResponse = z.infer<typeof PhoneNumberResponseSchema>;
