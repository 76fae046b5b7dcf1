import { z } from 'zod';
import { CursorSchema, IdSchema, LimitSchema, text } from './common';

export const DistrictSchema = z.object({ id: IdSchema, name: z.string() });
export type District = z.infer<typeof DistrictSchema>;
export const DistrictListSchema = z.object({ items: z.array(DistrictSchema) });

export const PARTY_ORG_KINDS = ['community', 'unit'] as const;
export const PartyOrgKindSchema = z.enum(PARTY_ORG_KINDS);
export type PartyOrgKind = z.infer<typeof PartyOrgKindSchema>;

export const PartyOrgSchema = z.object({
  id: IdSchema,
  name: z.string(),
  kind: PartyOrgKindSchema,
  districtId: IdSchema,
});
export type PartyOrg = z.infer<typeof PartyOrgSchema>;

export const PartyOrgListQuerySchema = z.object({
  kind: PartyOrgKindSchema.optional(),
  districtId: IdSchema.optional(),
  q: text().trim().max(50).optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type PartyOrgListQuery = z.infer<typeof PartyOrgListQuerySchema>;

export const PartyOrgListSchema = z.object({
  items: z.array(PartyOrgSchema),
  nextCursor: z.string().nullable(),
});
export type PartyOrgList = z.infer<typeof PartyOrgListSchema>;

export const PartyOrgCreateBodySchema = z.object({
  kind: PartyOrgKindSchema,
  name: text().trim().min(2).max(60),
  districtId: IdSchema,
});
export type PartyOrgCreateBody = z.infer<typeof PartyOrgCreateBodySchema>;

/** The answer to `POST /party-orgs`: the creator also learns a community's `registerCode` (null for units). */
export const PartyOrgCreatedSchema = PartyOrgSchema.extend({ registerCode: z.string().nullable() });
export type PartyOrgCreated = z.infer<typeof PartyOrgCreatedSchema>;

export const EstateSchema = z.object({ id: IdSchema, name: z.string() });
export type Estate = z.infer<typeof EstateSchema>;
export const EstateListSchema = z.object({ items: z.array(EstateSchema) });

export const EstateCreateBodySchema = z.object({
  name: text().trim().min(1).max(60),
});
export type EstateCreateBody = z.infer<typeof EstateCreateBodySchema>;

export const QrFormatQuerySchema = z.object({
  format: z.enum(['svg', 'png']).default('svg'),
});

export const RegisterResolveQuerySchema = z.object({
  code: text().trim().min(1).max(32),
});

export const RegisterResolveSchema = z.object({
  community: z.object({ id: IdSchema, name: z.string(), districtId: IdSchema }),
  estates: z.array(EstateSchema),
});
export type RegisterResolve = z.infer<typeof RegisterResolveSchema>;

/**
 * `GET /party-orgs/:id/register-info` (an addition; the community's secretary or an admin above it):
 * what the printable poster shows next to the QR.
 */
export const RegisterInfoSchema = z.object({
  community: z.object({ id: IdSchema, name: z.string(), districtId: IdSchema }),
  district: DistrictSchema,
  registerCode: z.string(),
  url: z.string(),
});
export type RegisterInfo = z.infer<typeof RegisterInfoSchema>;
