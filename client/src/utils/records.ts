import {
  CorrectionCreateBodySchema,
  MAX_RECORD_MINUTES,
  SEAL_MAX_BYTES,
  STAR_LABELS,
  formatMinutes,
  type CorrectionCreateBody,
  type PointsEntry,
  type PointsRules,
  type SecretaryRecordBody,
  type Star,
} from '@pioneer/shared';
import { beijingDate, beijingTime, toIsoWithOffset } from './time';

/** The star badge and the way to the next level, as 我的服务 shows them. */
export interface StarView {
  label: string;
  /** 0–100: the share of the next level's hours served (100 at 五星). */
  percent: number;
  /** `再服务 12小时30分 升至三星`, or the top level's words. */
  next: string;
}

export function starView(star: Star): StarView {
  const label = STAR_LABELS[star.level] ?? STAR_LABELS[0];
  if (star.nextLevelHours === null) return { label, percent: 100, next: '已达最高星级' };
  const servedMinutes = Math.round(star.hours * 60);
  const neededMinutes = Math.max(0, star.nextLevelHours * 60 - servedMinutes);
  const percent = star.nextLevelHours > 0 ? Math.min(100, Math.floor((star.hours / star.nextLevelHours) * 100)) : 0;
  return { label, percent, next: `再服务 ${formatMinutes(neededMinutes)} 升至${STAR_LABELS[Math.min(5, star.level + 1)]}` };
}

/** `+12` / `-30`: a ledger line's amount as it moved the balance. */
export const signedPoints = (entry: Pick<PointsEntry, 'amount'>) => (entry.amount > 0 ? `+${entry.amount}` : String(entry.amount));

export interface CorrectionDraft {
  kind: 'correct' | 'supplement';
  taskId: string;
  date: string;
  start: string;
  end: string;
  reason: string;
}

export type DraftErrors = Partial<Record<'taskId' | 'start' | 'end' | 'reason', string>>;

/**
 * Checks a 申请更正/补录 form the way the server will (order, not in the future, at most 24 hours,
 * a reason) and builds its body. An end earlier than the start on the same day means past midnight.
 */
export function correctionBody(draft: CorrectionDraft, now: number): { body?: CorrectionCreateBody; errors: DraftErrors } {
  const errors: DraftErrors = {};
  if (!draft.taskId) errors.taskId = '请选择服务的岗位';
  if (!draft.date || !draft.start) errors.start = '请选择开始时间';
  if (!draft.date || !draft.end) errors.end = '请选择结束时间';
  if (draft.reason.trim().length < 2) errors.reason = '请写明原因（至少 2 个字）';
  if (Object.keys(errors).length) return { errors };
  const checkedInAt = toIsoWithOffset(draft.date, draft.start);
  const startMs = Date.parse(checkedInAt);
  let endMs = Date.parse(toIsoWithOffset(draft.date, draft.end));
  if (endMs <= startMs) endMs += 24 * 3600_000;
  const minutes = Math.round((endMs - startMs) / 60_000);
  if (minutes > MAX_RECORD_MINUTES) errors.end = '一次服务不能超过 24 小时';
  else if (endMs > now) errors.end = '结束时间不能晚于现在';
  if (Object.keys(errors).length) return { errors };
  const parsed = CorrectionCreateBodySchema.safeParse({
    kind: draft.kind,
    taskId: draft.taskId,
    checkedInAt,
    checkedOutAt: new Date(endMs).toISOString(),
    reason: draft.reason.trim(),
  });
  if (!parsed.success) return { errors: { reason: parsed.error.issues[0]?.message ?? '请检查填写的内容' } };
  return { body: parsed.data, errors };
}

/** The secretary's 其他分钟数: empty keeps the member's; else whole minutes 0–1440. */
export function approveMinutes(text: string): { minutes?: number; error?: string } {
  const t = text.trim();
  if (!t) return {};
  if (!/^\d+$/.test(t)) return { error: '请填写整数分钟' };
  const n = Number(t);
  if (n > MAX_RECORD_MINUTES) return { error: '不能超过 1440 分钟（24 小时）' };
  return { minutes: n };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Why a seal image cannot be used (not a PNG, over 200 KB), or null. */
export function sealProblem(bytes: Uint8Array): string | null {
  if (bytes.length < PNG_SIGNATURE.length || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return '印章须为 PNG 图片';
  if (bytes.length > SEAL_MAX_BYTES) return '印章图片不能超过 200 KB';
  return null;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of bytes (the mini-program has no Buffer and no btoa). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/** Integers in a text field (pointsCost, stock, thresholds): the number or an error. */
export function wholeNumber(text: string, min: number, max: number): { value?: number; error?: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: '请填写整数' };
  const n = Number(t);
  if (n < min || n > max) return { error: `须在 ${min}–${max} 之间` };
  return { value: n };
}

/** A claim that 补记 may record: on the list, not yet completed, not withdrawn. */
export const recordable = (status: string) => status === 'claimed' || status === 'checked_in' || status === 'no_show';

/** The points rules as the city admin's form holds them (text fields). */
export interface RulesForm {
  pointsPerHour: string;
  expiryMonths: string;
  multipliers: Partial<Record<string, string>>;
  thresholds: string[];
}

export function rulesForm(rules: PointsRules): RulesForm {
  return {
    pointsPerHour: String(rules.pointsPerHour),
    expiryMonths: rules.expiryMonths === null ? '' : String(rules.expiryMonths),
    multipliers: Object.fromEntries(Object.entries(rules.categoryMultipliers).map(([k, v]) => [k, String(v)])),
    thresholds: rules.starThresholdsHours.map(String),
  };
}

/** Reads the form back into rules, naming the first field that is not a number. */
export function rulesFromForm(form: RulesForm): { rules?: PointsRules; error?: string } {
  const perHour = wholeNumber(form.pointsPerHour, 0, 10_000);
  if (perHour.error) return { error: `每小时积分${perHour.error}` };
  let expiryMonths: number | null = null;
  if (form.expiryMonths.trim()) {
    const e = wholeNumber(form.expiryMonths, 1, 1200);
    if (e.error) return { error: `有效期${e.error}` };
    expiryMonths = e.value!;
  }
  const categoryMultipliers: Record<string, number> = {};
  for (const [k, v] of Object.entries(form.multipliers)) {
    const t = (v ?? '').trim();
    if (!t) continue;
    const n = Number(t);
    if (!/^\d+(\.\d+)?$/.test(t) || n > 100) return { error: '类别倍数须为 0–100 的数字' };
    categoryMultipliers[k] = n;
  }
  const thresholds: number[] = [];
  for (const [i, h] of form.thresholds.entries()) {
    const n = wholeNumber(h, 1, 100_000);
    if (n.error) return { error: `${STAR_LABELS[i + 1]}门槛${n.error}` };
    thresholds.push(n.value!);
  }
  if (thresholds.some((h, i) => i > 0 && h <= thresholds[i - 1])) return { error: '星级门槛须逐级递增' };
  return {
    rules: {
      pointsPerHour: perHour.value!,
      expiryMonths,
      categoryMultipliers: categoryMultipliers as PointsRules['categoryMultipliers'],
      starThresholdsHours: thresholds,
    },
  };
}

/** The 补记 panel's default times: the post's start and end, Beijing `HH:mm`. */
export function recordDefaults(post: { startsAt: string; endsAt: string }): { start: string; end: string } {
  return { start: beijingTime(post.startsAt), end: beijingTime(post.endsAt) };
}

/**
 * The 补记 body. Times left at the post's start and end are not sent (the server takes the post's
 * start and its end, or now while it runs); changed ones are sent as a pair on the post's first day
 * in Beijing, an end at or before the start meaning past midnight. The server checks them (order,
 * not in the future, at most 24 hours) and its message is shown.
 */
export function recordBody(
  memberIds: string[],
  post: { startsAt: string; endsAt: string },
  start: string,
  end: string,
): SecretaryRecordBody {
  const defaults = recordDefaults(post);
  if (start === defaults.start && end === defaults.end) return { memberIds };
  const day = beijingDate(post.startsAt);
  const checkedInAt = toIsoWithOffset(day, start);
  let endMs = Date.parse(toIsoWithOffset(day, end));
  if (endMs <= Date.parse(checkedInAt)) endMs += 24 * 3600_000;
  return { memberIds, checkedInAt, checkedOutAt: new Date(endMs).toISOString() };
}
