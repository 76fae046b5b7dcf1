import { z } from 'zod';

export const IdSchema = z.uuid();
export type Id = z.infer<typeof IdSchema>;
/** For ids that arrive outside a route schema (token subjects, scanned codes). */
export const isId = (v: unknown): v is Id => IdSchema.safeParse(v).success;

/**
 * NUL bytes and lone UTF-16 surrogates: PostgreSQL refuses the first in text and cannot encode the
 * second, so no string from a request may carry either.
 */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isSafeText = (s: string): boolean => !UNSAFE_TEXT.test(s);

/** Every string a request carries is built from this: the one refinement used everywhere. */
export const text = () => z.string().refine(isSafeText, { message: '包含无法识别的字符' });

/**
 * Contract v3: every date, time, month and period in a request lies within 2000-01-01 and
 * 2100-12-31 (China time). JavaScript and zod take years 0000 and 10000, PostgreSQL does not.
 */
export const EARLIEST_DAY = '2000-01-01';
export const LATEST_DAY = '2100-12-31';
const EARLIEST_MS = Date.parse(`${EARLIEST_DAY}T00:00:00+08:00`);
const AFTER_LATEST_MS = Date.parse('2101-01-01T00:00:00+08:00');
const OUT_OF_RANGE = `日期须在 ${EARLIEST_DAY} 至 ${LATEST_DAY} 之间`;
/** An instant (ms since the epoch) inside the contract's date range. */
export const isWithinDateRange = (ms: number): boolean => ms >= EARLIEST_MS && ms < AFTER_LATEST_MS;
/** A `YYYY-MM` month whose year lies in the contract's range. */
export const isMonthInRange = (s: string): boolean => {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(s);
  return m !== null && Number(m[1]) >= 2000 && Number(m[1]) <= 2100;
};
/** A real `YYYY-MM-DD` day (no 02-30) in the contract's range. */
export const isDayInRange = (s: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s && s >= EARLIEST_DAY && s <= LATEST_DAY;
};

/** ISO-8601 with offset, as the contract requires for every time on the wire; within the date range. */
export const DateTimeSchema = z.iso.datetime({ offset: true }).refine((s) => isWithinDateRange(Date.parse(s)), { message: OUT_OF_RANGE });
/** `YYYY-MM-DD`, a calendar day (China time), within the date range. */
export const DaySchema = z.string().refine(isDayInRange, { message: `请使用 YYYY-MM-DD 日期（${EARLIEST_DAY} 至 ${LATEST_DAY}）` });
/** `YYYY-MM`, a calendar month (China time), within the date range. */
export const MonthSchema = z.string().refine(isMonthInRange, { message: '月份格式应为 YYYY-MM（2000-01 至 2100-12）' });

export const ErrorCodeSchema = z.enum([
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'WECHAT_LOGIN_FAILED',
  'FORBIDDEN',
  'NOT_REGISTERED',
  'NOT_FOUND',
  'TASK_FULL',
  'ALREADY_CLAIMED',
  'CLAIM_NOT_OPEN',
  'CLAIM_CLOSED',
  'TASK_CANCELLED',
  'CANCEL_TOO_LATE',
  'NOT_CLAIMED',
  'CODE_INVALID',
  'CODE_EXPIRED',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'CONFLICT',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
  'ALREADY_WAITLISTED',
  'NOT_WAITLISTED',
  'OFFER_EXPIRED',
  'DRAW_CLOSED',
  'GRAB_SUSPENDED',
  'INVALID_TRANSITION',
  'IMPORT_INVALID',
  'CHECK_IN_NOT_OPEN',
  'PAYLOAD_TOO_LARGE',
  'NOT_REPORTED',
  'NOT_IN_AUDIENCE',
  'CORRECTION_WINDOW_CLOSED',
  'INSUFFICIENT_POINTS',
  'OUT_OF_STOCK',
]);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const ERROR_STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  WECHAT_LOGIN_FAILED: 401,
  FORBIDDEN: 403,
  NOT_REGISTERED: 403,
  NOT_FOUND: 404,
  TASK_FULL: 409,
  ALREADY_CLAIMED: 409,
  CLAIM_NOT_OPEN: 409,
  CLAIM_CLOSED: 409,
  TASK_CANCELLED: 409,
  CANCEL_TOO_LATE: 409,
  NOT_CLAIMED: 409,
  CODE_INVALID: 400,
  CODE_EXPIRED: 410,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  CONFLICT: 409,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
  ALREADY_WAITLISTED: 409,
  NOT_WAITLISTED: 409,
  OFFER_EXPIRED: 410,
  DRAW_CLOSED: 409,
  GRAB_SUSPENDED: 403,
  INVALID_TRANSITION: 409,
  IMPORT_INVALID: 400,
  CHECK_IN_NOT_OPEN: 409,
  PAYLOAD_TOO_LARGE: 413,
  NOT_REPORTED: 403,
  NOT_IN_AUDIENCE: 403,
  CORRECTION_WINDOW_CLOSED: 409,
  INSUFFICIENT_POINTS: 409,
  OUT_OF_STOCK: 409,
};

/** Default Chinese messages, written for the person holding the phone. */
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: '填写的信息有误，请检查后重试',
  UNAUTHENTICATED: '登录已失效，请重新登录',
  WECHAT_LOGIN_FAILED: '微信登录失败，请重试',
  FORBIDDEN: '您没有权限进行此操作',
  NOT_REGISTERED: '请先完成报到',
  NOT_FOUND: '内容不存在或已删除',
  TASK_FULL: '该岗位名额已被抢完',
  ALREADY_CLAIMED: '您已抢到该岗位',
  CLAIM_NOT_OPEN: '该岗位尚未开抢',
  CLAIM_CLOSED: '该岗位已截止',
  TASK_CANCELLED: '该岗位已被社区取消',
  CANCEL_TOO_LATE: '已过取消截止时间，无法取消',
  NOT_CLAIMED: '该党员未认领此岗位',
  CODE_INVALID: '二维码无效',
  CODE_EXPIRED: '二维码已过期，请刷新后重试',
  IDEMPOTENCY_KEY_REUSED: '重复的请求标识',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  CONFLICT: '数据已存在',
  SERVICE_UNAVAILABLE: '服务暂不可用，请稍后再试',
  INTERNAL_ERROR: '服务器开小差了，请稍后再试',
  ALREADY_WAITLISTED: '您已在候补队列中',
  NOT_WAITLISTED: '您不在该岗位的候补队列中',
  OFFER_EXPIRED: '候补名额已过期，已顺延给下一位',
  DRAW_CLOSED: '抽签报名已截止',
  GRAB_SUSPENDED: '因多次未到岗，暂停抢岗资格',
  INVALID_TRANSITION: '当前状态不允许此操作',
  IMPORT_INVALID: '文件无法读取，请使用模板重新上传',
  CHECK_IN_NOT_OPEN: '还未到签到时间',
  PAYLOAD_TOO_LARGE: '文件或内容过大，请拆分后重新上传',
  NOT_REPORTED: '本单位尚未向该社区报到（无生效的共建协议）',
  NOT_IN_AUDIENCE: '该岗位为定向岗位，仅限指定单位党员认领',
  CORRECTION_WINDOW_CLOSED: '已超过可申请更正的期限',
  INSUFFICIENT_POINTS: '积分不足',
  OUT_OF_STOCK: '该礼品已兑完',
};

/**
 * The code for an error answer that carries none of its own (a proxy's page, Fastify's own client
 * errors such as a body too large): the server answers with it, the client reads with it.
 */
export function errorCodeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'SERVICE_UNAVAILABLE';
  if (status >= 500) return 'INTERNAL_ERROR';
  return 'VALIDATION_FAILED';
}

export const ErrorDetailSchema = z.object({
  path: z.string(),
  reason: z.string(),
});
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

export const ErrorBodySchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  details: z.array(ErrorDetailSchema).optional(),
  requestId: z.string(),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const LimitSchema = z.coerce.number().int().min(1).max(100).default(20);
export const CursorSchema = text().max(200).optional();

export const CATEGORY_KEYS = [
  'convenience',
  'order',
  'environment',
  'care',
  'waste_sorting',
  'medical',
  'gardening',
  'lei_feng_tutor',
] as const;
export const CategorySchema = z.enum(CATEGORY_KEYS);
export type Category = z.infer<typeof CategorySchema>;

export const CATEGORY_LABELS: Record<Category, string> = {
  convenience: '便民服务',
  order: '秩序维护',
  environment: '环境治理',
  care: '关爱帮扶',
  waste_sorting: '垃圾分类',
  medical: '医卫先锋',
  gardening: '小区园艺',
  lei_feng_tutor: '学雷锋辅导员',
};

export const ROLE_KEYS = ['member', 'secretary', 'district_admin', 'unit_admin', 'unit_liaison', 'city_admin'] as const;
export const RoleSchema = z.enum(ROLE_KEYS);
export type Role = z.infer<typeof RoleSchema>;

export const ROLE_LABELS: Record<Role, string> = {
  member: '在职党员',
  secretary: '社区书记',
  district_admin: '板块管理员',
  unit_admin: '单位管理员',
  unit_liaison: '红色代办员',
  city_admin: '市级管理员',
};

export const OkSchema = z.object({ status: z.literal('ok') });

/** `/health`: the primary answers (else 503); `degraded` when a configured replica is unusable. */
export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  role: z.enum(['web', 'worker', 'all']),
  database: z.literal('ok'),
  replicas: z.array(z.object({ lagMs: z.number().nullable() })),
});
export type Health = z.infer<typeof HealthSchema>;

/** A `{ id, name }` pair used wherever an answer names a related object. */
export const NamedRefSchema = z.object({ id: IdSchema, name: z.string() });
export type NamedRef = z.infer<typeof NamedRefSchema>;

export const IdParamsSchema = z.object({ id: IdSchema });

/** A person's name as others see it: `张*明` (first and last character kept; two characters keep the first). */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}
