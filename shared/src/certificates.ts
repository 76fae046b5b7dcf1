import { z } from 'zod';
import { DateTimeSchema, DaySchema, IdSchema, text } from './common';
import { checkDayRange } from './records';

export const CertificateStatusSchema = z.enum(['valid', 'revoked']);

export const CertificateCreateBodySchema = z
  .object({ from: DaySchema, to: DaySchema, communityOrgId: IdSchema.optional() })
  .superRefine(checkDayRange);
export type CertificateCreateBody = z.infer<typeof CertificateCreateBodySchema>;

export const CertificateItemSchema = z.object({ date: z.string(), title: z.string(), category: z.string(), minutes: z.number().int() });
export type CertificateItem = z.infer<typeof CertificateItemSchema>;

export const CertificateSchema = z.object({
  no: z.string(),
  status: CertificateStatusSchema,
  memberName: z.string(),
  from: z.string(),
  to: z.string(),
  totalMinutes: z.number().int(),
  items: z.array(CertificateItemSchema),
  issuer: z.object({ orgId: IdSchema, name: z.string() }),
  issuedAt: DateTimeSchema,
  verifyUrl: z.string(),
  revokedAt: DateTimeSchema.nullable().optional(),
  reason: z.string().nullable().optional(),
});
export type Certificate = z.infer<typeof CertificateSchema>;
export const CertificateResponseSchema = z.object({ certificate: CertificateSchema });
export const CertificateListSchema = z.object({ items: z.array(CertificateSchema) });
export type CertificateList = z.infer<typeof CertificateListSchema>;

export const CertificateNoParamsSchema = z.object({
  no: text()
    .trim()
    .regex(/^XF-\d{4}-\d{6,}$/, '证明编号格式不正确'),
});

/** The public answer: the signed payload as it was signed, byte for byte. */
export const CertificateVerificationSchema = z.object({
  no: z.string(),
  status: CertificateStatusSchema,
  payload: z.string(),
  signature: z.string(),
  keyId: z.string(),
  revokedAt: DateTimeSchema.optional(),
  reason: z.string().optional(),
});
export type CertificateVerification = z.infer<typeof CertificateVerificationSchema>;

export const CertificateKeySchema = z.object({ keyId: z.string(), alg: z.literal('Ed25519'), publicKey: z.string() });
export type CertificateKey = z.infer<typeof CertificateKeySchema>;
export const CertificateKeysSchema = z.object({ keys: z.array(CertificateKeySchema) });

/** Seals are PNGs of at most 200 KB (checked on the decoded bytes). */
export const SEAL_MAX_BYTES = 200 * 1024;
export const CertificateSettingsBodySchema = z.object({
  leader: text().trim().min(1).max(30),
  handler: text().trim().min(1).max(30),
  sealPng: z
    .string()
    .max(Math.ceil((SEAL_MAX_BYTES * 4) / 3) + 8, '印章图片不能超过 200 KB')
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, '印章须为 base64 编码的 PNG')
    .optional(),
});
export type CertificateSettingsBody = z.infer<typeof CertificateSettingsBodySchema>;
export const CertificateSettingsSchema = z.object({
  leader: z.string(),
  handler: z.string(),
  hasSeal: z.boolean(),
  updatedAt: DateTimeSchema.nullable(),
});
export type CertificateSettings = z.infer<typeof CertificateSettingsSchema>;
export const CertificateSettingsResponseSchema = z.object({ settings: CertificateSettingsSchema });
