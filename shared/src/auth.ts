import { z } from 'zod';
import { DateTimeSchema, IdSchema, RoleSchema, text } from './common';

export const WechatLoginBodySchema = z.object({
  code: text().trim().min(1).max(128),
});
export type WechatLoginBody = z.infer<typeof WechatLoginBodySchema>;

/**
 * `orgId` is the scope of the grant: the community or unit party org for
 * secretary / unit_admin, the district for district_admin, null for city_admin.
 */
export const RoleGrantSchema = z.object({
  role: RoleSchema,
  orgId: IdSchema.nullable(),
});
export type RoleGrant = z.infer<typeof RoleGrantSchema>;

export const UserSchema = z.object({
  id: IdSchema,
  roles: z.array(RoleGrantSchema),
  memberId: IdSchema.nullable(),
});
export type User = z.infer<typeof UserSchema>;

export const LoginResponseSchema = z.object({
  token: z.string(),
  expiresIn: z.number().int(),
  user: UserSchema,
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

/** Every role but `member`, which comes from registering (一键报到), not from an invite. */
export const InviteRoleSchema = RoleSchema.exclude(['member']);
export type InviteRole = z.infer<typeof InviteRoleSchema>;

export const InviteCreateBodySchema = z.object({
  role: InviteRoleSchema,
  orgId: IdSchema.nullable().optional(),
});
export type InviteCreateBody = z.infer<typeof InviteCreateBodySchema>;

export const InviteCreateResponseSchema = z.object({
  code: z.string(),
  expiresAt: DateTimeSchema,
});
export type InviteCreateResponse = z.infer<typeof InviteCreateResponseSchema>;

export const InviteAcceptBodySchema = z.object({
  code: text().trim().min(1).max(64),
});
export type InviteAcceptBody = z.infer<typeof InviteAcceptBodySchema>;

export const InviteAcceptResponseSchema = z.object({ user: UserSchema });
export type InviteAcceptResponse = z.infer<typeof InviteAcceptResponseSchema>;

export const MeResponseSchema = z.object({ user: UserSchema, devLogin: z.boolean() });
export type MeResponse = z.infer<typeof MeResponseSchema>;
