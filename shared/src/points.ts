import { z } from 'zod';
import { CATEGORY_KEYS, CursorSchema, DateTimeSchema, IdSchema, text } from './common';

export const DEFAULT_STAR_THRESHOLDS = [100, 300, 600, 1000, 1500] as const;

export const PointsRulesSchema = z
  .object({
    pointsPerHour: z.number().int().min(0).max(10_000),
    categoryMultipliers: z.partialRecord(z.enum(CATEGORY_KEYS), z.number().min(0).max(100)),
    expiryMonths: z.number().int().min(1).max(1200).nullable(),
    starThresholdsHours: z.array(z.number().int().min(1).max(100_000)).length(5),
  })
  .refine((r) => r.starThresholdsHours.every((h, i, a) => i === 0 || h > a[i - 1]), {
    path: ['starThresholdsHours'],
    message: '星级门槛须逐级递增',
  });
export type PointsRules = z.infer<typeof PointsRulesSchema>;
export const PointsRulesResponseSchema = PointsRulesSchema;

export const PointsKindSchema = z.enum(['earn', 'reverse', 'redeem', 'expire']);
export type PointsKind = z.infer<typeof PointsKindSchema>;

export const PointsEntrySchema = z.object({
  id: IdSchema,
  at: DateTimeSchema,
  /** Signed, as the member's balance moved. */
  amount: z.number().int(),
  kind: PointsKindSchema,
  ref: z.object({ type: z.string(), id: z.string() }),
  note: z.string(),
});
export type PointsEntry = z.infer<typeof PointsEntrySchema>;

export const MyPointsSchema = z.object({
  balance: z.number().int(),
  earned: z.number().int(),
  spent: z.number().int(),
  expired: z.number().int(),
  expiring: z.object({ points: z.number().int(), at: DateTimeSchema }).nullable(),
  entries: z.array(PointsEntrySchema),
  nextCursor: z.string().nullable(),
});
export type MyPoints = z.infer<typeof MyPointsSchema>;
export const MyPointsQuerySchema = z.object({ cursor: CursorSchema });

/** Points for a record: round(minutes × pointsPerHour × multiplier ÷ 60). */
export function pointsFor(minutes: number, rules: Pick<PointsRules, 'pointsPerHour' | 'categoryMultipliers'>, category: string): number {
  const multiplier = (rules.categoryMultipliers as Record<string, number | undefined>)[category] ?? 1;
  return Math.round((minutes * rules.pointsPerHour * multiplier) / 60);
}

export const RewardSchema = z.object({
  id: IdSchema,
  communityOrgId: IdSchema,
  name: z.string(),
  description: z.string(),
  pointsCost: z.number().int(),
  stock: z.number().int(),
  active: z.boolean(),
  createdAt: DateTimeSchema,
});
export type Reward = z.infer<typeof RewardSchema>;
export const RewardCreateBodySchema = z.object({
  name: text().trim().min(1).max(60),
  pointsCost: z.number().int().min(1).max(1_000_000),
  stock: z.number().int().min(0).max(1_000_000),
  description: text().trim().max(500).optional(),
});
export type RewardCreateBody = z.infer<typeof RewardCreateBodySchema>;
export const RewardPatchBodySchema = z
  .object({
    name: text().trim().min(1).max(60).optional(),
    pointsCost: z.number().int().min(1).max(1_000_000).optional(),
    stock: z.number().int().min(0).max(1_000_000).optional(),
    description: text().trim().max(500).optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: '没有要修改的内容' });
export type RewardPatchBody = z.infer<typeof RewardPatchBodySchema>;
export const RewardResponseSchema = z.object({ reward: RewardSchema });
export const RewardListSchema = z.object({ items: z.array(RewardSchema) });
export type RewardList = z.infer<typeof RewardListSchema>;

export const RedemptionBodySchema = z.object({ code: text().trim().min(1).max(2048) });
export const RedemptionSchema = z.object({
  id: IdSchema,
  rewardId: IdSchema,
  rewardName: z.string(),
  memberId: IdSchema,
  points: z.number().int(),
  at: DateTimeSchema,
});
export type Redemption = z.infer<typeof RedemptionSchema>;
/** A redemption in its community's ledger: who redeemed, masked (张*华); 已注销 after 注销. */
export const CommunityRedemptionSchema = RedemptionSchema.extend({ memberName: z.string() });
export type CommunityRedemption = z.infer<typeof CommunityRedemptionSchema>;
export const CommunityRedemptionListSchema = z.object({ items: z.array(CommunityRedemptionSchema) });
export const RedemptionResponseSchema = z.object({ redemption: RedemptionSchema, balance: z.number().int(), stock: z.number().int() });
export type RedemptionResponse = z.infer<typeof RedemptionResponseSchema>;
export const RedemptionListSchema = z.object({ items: z.array(RedemptionSchema) });
export type RedemptionList = z.infer<typeof RedemptionListSchema>;
