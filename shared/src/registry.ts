import { z } from 'zod';
import { CursorSchema, DateTimeSchema, IdSchema, isDayInRange, isMonthInRange, LimitSchema, NamedRefSchema, text } from './common';
import { PeriodSchema } from './assessment';
import { MemberSchema } from './members';
import { StatsScopeSchema } from './stats';
import { ClaimSchema } from './tasks';

/** How a member's home and phone compare with the community's homeowner registry. */
export const HouseholdMatchSchema = z.enum(['matched', 'unmatched', 'conflict']);
export type HouseholdMatch = z.infer<typeof HouseholdMatchSchema>;

export const HOUSEHOLD_MATCH_LABELS: Record<HouseholdMatch, string> = {
  matched: '已匹配',
  unmatched: '未匹配',
  conflict: '信息冲突',
};

/** Header names of a registry file: either the English key or the Chinese name, any order. */
export const HOUSEHOLD_COLUMNS = {
  estate: '小区',
  building: '楼栋',
  unit: '单元',
  room: '室号',
  ownerName: '业主姓名',
  phone: '手机号',
} as const;
export type HouseholdColumn = keyof typeof HOUSEHOLD_COLUMNS;

export const ImportDryRunQuerySchema = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type ImportDryRunQuery = z.infer<typeof ImportDryRunQuerySchema>;

export const RowRejectionSchema = z.object({ row: z.number().int(), reason: z.string() });
export type RowRejection = z.infer<typeof RowRejectionSchema>;

export const HouseholdImportResultSchema = z.object({
  imported: z.number().int(),
  updated: z.number().int(),
  /** Rows whose home is already in the registry with the same owner and phone. */
  unchanged: z.number().int(),
  rejected: z.array(RowRejectionSchema),
  dryRun: z.boolean(),
});
export type HouseholdImportResult = z.infer<typeof HouseholdImportResultSchema>;

/** Rejected rows kept with an import's record (the rest are counted in `rejectedTotal`). */
export const IMPORT_HISTORY_REJECTIONS = 500;

/** A past registry import as recorded: what the weapp shows, as it cannot upload. */
export const HouseholdImportRecordSchema = HouseholdImportResultSchema.omit({ dryRun: true }).extend({
  at: DateTimeSchema,
  rejectedTotal: z.number().int(),
});
export const HouseholdImportHistorySchema = z.object({ items: z.array(HouseholdImportRecordSchema) });
export type HouseholdImportHistory = z.infer<typeof HouseholdImportHistorySchema>;

export const CommunityMembersQuerySchema = z.object({
  match: HouseholdMatchSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema,
});
export type CommunityMembersQuery = z.infer<typeof CommunityMembersQuerySchema>;

/** A member as its community's staff see it in lists: the phone is masked. */
export const CommunityMemberSchema = z.object({
  id: IdSchema,
  /** The member's account: what a city admin names to end its sessions (a lost phone). */
  userId: IdSchema,
  name: z.string(),
  phone: z.string(),
  unitOrg: NamedRefSchema,
  workUnit: z.string(),
  estate: NamedRefSchema,
  building: z.string(),
  unitNo: z.string(),
  room: z.string(),
  registeredAt: DateTimeSchema,
  householdMatch: HouseholdMatchSchema,
});
export type CommunityMember = z.infer<typeof CommunityMemberSchema>;

export const CommunityMemberListSchema = z.object({
  items: z.array(CommunityMemberSchema),
  nextCursor: z.string().nullable(),
  counts: z.object({ matched: z.number().int(), unmatched: z.number().int(), conflict: z.number().int() }),
});
export type CommunityMemberList = z.infer<typeof CommunityMemberListSchema>;

export const BuildingCoverageSchema = z.object({
  estate: NamedRefSchema,
  building: z.string(),
  households: z.number().int(),
  householdsWithMember: z.number().int(),
});
export type BuildingCoverage = z.infer<typeof BuildingCoverageSchema>;

export const CoverageSchema = z.object({
  households: z.number().int(),
  householdsWithMember: z.number().int(),
  buildings: z.array(BuildingCoverageSchema),
});
export type Coverage = z.infer<typeof CoverageSchema>;

/** Why a member of staff needs a member's full phone and home; kept in the audit log. */
export const PersonalReadBodySchema = z.object({ reason: text().trim().min(2).max(200) });
export type PersonalReadBody = z.infer<typeof PersonalReadBodySchema>;

export const PersonalReadResponseSchema = z.object({
  phone: z.string(),
  home: z.object({ estate: z.string(), building: z.string(), unitNo: z.string(), room: z.string() }),
});
export type PersonalReadResponse = z.infer<typeof PersonalReadResponseSchema>;

export const MemberParamsSchema = z.object({ id: IdSchema, memberId: IdSchema });

// ---- directory import ----

export const DIRECTORY_SHEETS = ['板块', '社区党组织', '小区', '单位党组织'] as const;
export type DirectorySheet = (typeof DIRECTORY_SHEETS)[number];

export const SheetRejectionSchema = z.object({ sheet: z.string(), row: z.number().int(), reason: z.string() });
export type SheetRejection = z.infer<typeof SheetRejectionSchema>;

export const DirectoryImportResultSchema = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  rejected: z.array(SheetRejectionSchema),
  dryRun: z.boolean(),
});
export type DirectoryImportResult = z.infer<typeof DirectoryImportResultSchema>;

export const DirectoryImportRecordSchema = DirectoryImportResultSchema.omit({ dryRun: true }).extend({
  at: DateTimeSchema,
  rejectedTotal: z.number().int(),
});
export const DirectoryImportHistorySchema = z.object({ items: z.array(DirectoryImportRecordSchema) });
export type DirectoryImportHistory = z.infer<typeof DirectoryImportHistorySchema>;

// ---- exports ----

const dayOrTime = text()
  .trim()
  .refine((v) => isDayInRange(v) || DateTimeSchema.safeParse(v).success, '请使用 YYYY-MM-DD 日期（2000-01-01 至 2100-12-31）');

export const ExportScopeQuerySchema = z
  .object({ scope: StatsScopeSchema.default('city'), id: IdSchema.optional() })
  .refine((q) => q.scope === 'city' || q.id !== undefined, { path: ['id'], message: '请指定范围 id' });
export type ExportScopeQuery = z.infer<typeof ExportScopeQuerySchema>;

export const RecordsExportQuerySchema = z
  .object({ scope: StatsScopeSchema.default('city'), id: IdSchema.optional(), from: dayOrTime, to: dayOrTime })
  .refine((q) => q.scope === 'city' || q.id !== undefined, { path: ['id'], message: '请指定范围 id' })
  .refine((q) => Date.parse(q.from) <= Date.parse(q.to), { path: ['to'], message: '结束日期不能早于开始日期' });
export type RecordsExportQuery = z.infer<typeof RecordsExportQuerySchema>;

export const UnitReportQuerySchema = z.object({
  unitOrgId: IdSchema,
  month: text().trim().refine(isMonthInRange, '请使用 YYYY-MM 月份（2000-01 至 2100-12）'),
});
export type UnitReportQuery = z.infer<typeof UnitReportQuerySchema>;

/**
 * 先锋指数 export: ranked as `GET /index/ranking` ranks. `scope=district&id=` (or `districtId=`, as
 * the ranking takes it) for one district, `scope=city` for the city; left out, the caller's own
 * (a district admin's district, the city for a city admin).
 */
export const IndexExportQuerySchema = z
  .object({
    period: PeriodSchema.optional(),
    scope: z.enum(['city', 'district']).optional(),
    id: IdSchema.optional(),
    districtId: IdSchema.optional(),
  })
  .refine((q) => q.scope !== 'district' || q.id !== undefined || q.districtId !== undefined, { path: ['id'], message: '请指定板块 id' })
  .refine((q) => !(q.scope === 'city' && (q.id !== undefined || q.districtId !== undefined)), {
    path: ['scope'],
    message: '全市范围不需要 id',
  })
  .refine((q) => q.id === undefined || q.districtId === undefined || q.id === q.districtId, {
    path: ['districtId'],
    message: 'id 与 districtId 不一致',
  });
export type IndexExportQuery = z.infer<typeof IndexExportQuerySchema>;

// ---- personal data rights ----

export const ConsentBodySchema = z.object({ consentVersion: text().trim().min(1).max(20) });
export type ConsentBody = z.infer<typeof ConsentBodySchema>;

export const ConsentSchema = z.object({ version: z.string(), action: z.enum(['given', 'withdrawn']), at: DateTimeSchema });
export type Consent = z.infer<typeof ConsentSchema>;
export const ConsentListSchema = z.object({ items: z.array(ConsentSchema) });

/** The records, points, certificates and 爱心超市 part of a member's export. */
export interface MemberServiceData {
  points: { balance: number; entries: Array<Record<string, unknown>> } | null;
  corrections: Array<Record<string, unknown>>;
  certificates: Array<Record<string, unknown>>;
  redemptions: Array<Record<string, unknown>>;
}

export const MemberExportSchema = z.object({
  exportedAt: DateTimeSchema,
  user: z.object({
    id: IdSchema,
    createdAt: DateTimeSchema,
    lastLoginAt: DateTimeSchema,
    roles: z.array(z.object({ role: z.string(), orgId: IdSchema.nullable() })),
  }),
  profile: MemberSchema.extend({ updatedAt: DateTimeSchema }),
  householdMatch: HouseholdMatchSchema,
  consents: z.array(ConsentSchema),
  claims: z.array(
    z.object({
      claim: ClaimSchema,
      task: z.object({ id: IdSchema, title: z.string(), community: z.string(), startsAt: DateTimeSchema, endsAt: DateTimeSchema }),
      /** What the secretary wrote when releasing the slot or excusing a no-show: it may be about the member. */
      releaseReason: z.string().nullable(),
      excuseReason: z.string().nullable(),
    }),
  ),
  records: z.object({ tasks: z.number().int(), minutes: z.number().int() }),
  messages: z.array(z.record(z.string(), z.unknown())),
  /** Who did what with this member's data (registration, updates, staff reads of the full phone). */
  auditTrail: z.array(z.object({ at: DateTimeSchema, action: z.string(), byMe: z.boolean(), reason: z.string().nullable() })),
  /** 候补 places and 抽签 entries, past and present. */
  waitlist: z.array(
    z.object({
      taskId: IdSchema,
      title: z.string(),
      status: z.string(),
      offeredAt: DateTimeSchema.nullable(),
      offerExpiresAt: DateTimeSchema.nullable(),
      createdAt: DateTimeSchema,
    }),
  ),
  draws: z.array(
    z.object({ taskId: IdSchema, title: z.string(), status: z.string(), rank: z.number().int().nullable(), createdAt: DateTimeSchema }),
  ),
  /** The no-show rule's count and any suspension it set. */
  standing: z.object({ noShows: z.number().int(), suspendedUntil: DateTimeSchema.nullable() }).nullable(),
  preferences: z.object({ followCategories: z.array(z.string()), remindBeforeMinutes: z.array(z.number().int()) }).nullable(),
  calendarFeed: z.object({ generation: z.number().int(), createdAt: DateTimeSchema }).nullable(),
  subscriptionCredits: z.array(z.object({ templateKey: z.string(), credits: z.number().int() })),
  /** Points (积分) ledger, 更正/补录 requests and certificates (contract v3). */
  points: z
    .object({ balance: z.number().int(), entries: z.array(z.record(z.string(), z.unknown())) })
    .nullable()
    .optional(),
  corrections: z.array(z.record(z.string(), z.unknown())).optional(),
  certificates: z.array(z.record(z.string(), z.unknown())).optional(),
  /** 爱心超市 rewards the member took for points: what, where, for how many, when. */
  redemptions: z.array(z.record(z.string(), z.unknown())).optional(),
  /** 居民点单 the user asked for. */
  demands: z.array(
    z.object({
      id: IdSchema,
      community: z.string(),
      text: z.string(),
      category: z.string().nullable(),
      status: z.string(),
      note: z.string().nullable(),
      createdAt: DateTimeSchema,
      triagedAt: DateTimeSchema.nullable(),
    }),
  ),
});
export type MemberExport = z.infer<typeof MemberExportSchema>;

export const DeregisterResponseSchema = z.object({
  status: z.literal('deregistered'),
  /** Upcoming claims cancelled before the profile was erased. */
  cancelledClaims: z.number().int(),
  /** Claims too close to their start to cancel: they stay, detached from any person. */
  keptClaims: z.number().int(),
});
export type DeregisterResponse = z.infer<typeof DeregisterResponseSchema>;
