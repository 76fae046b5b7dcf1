import type { ZodType } from 'zod';
import { PROJECT_STATUS_LABELS, type Need, type Project, type ProjectStatus } from '@pioneer/shared';

export type FormErrors = Record<string, string | undefined>;
export type FormCheck<T> = { ok: true; body: T } | { ok: false; errors: FormErrors; first: string };

/**
 * Checks a form's body with its shared schema (the server's own rules), one message per field:
 * the first message of each field, in the order the schema reports them.
 */
export function checkForm<T>(schema: ZodType<T>, input: unknown, messages: Record<string, string> = {}): FormCheck<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, body: parsed.data };
  const errors: FormErrors = {};
  for (const issue of parsed.error.issues) {
    const key = String(issue.path[0] ?? 'form');
    if (errors[key]) continue;
    errors[key] = issue.code === 'custom' ? issue.message : (messages[key] ?? issue.message);
  }
  const first = Object.values(errors).find(Boolean) ?? '请检查填写的内容';
  return { ok: false, errors, first };
}

/** Empty optional inputs are left out (the schemas treat `""` as a wrong value, not as nothing). */
export function withoutEmpty<T extends Record<string, unknown>>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== '' && v !== undefined && v !== null)) as Partial<T>;
}

/** A positive whole number typed in a field, or undefined when left empty (NaN stays wrong). */
export function optionalCount(value: string): number | undefined {
  return value.trim() === '' ? undefined : Number(value);
}

/** Lists ordered for work: what waits for the reader first, then the newest. */
const NEED_ORDER: Record<Need['status'], number> = { open: 0, claimed: 1, closed: 2 };
export const orderNeeds = (items: Need[]) =>
  [...items].sort((a, b) => NEED_ORDER[a.status] - NEED_ORDER[b.status] || b.createdAt.localeCompare(a.createdAt));

const PROJECT_ORDER: Record<ProjectStatus, number> = { delivered: 0, in_progress: 1, claimed: 2, accepted: 3, closed: 4, returned: 5 };
export const orderProjects = (items: Project[]) =>
  [...items].sort((a, b) => PROJECT_ORDER[a.status] - PROJECT_ORDER[b.status] || b.claimedAt.localeCompare(a.claimedAt));

/** The steps of a project so far, for its timeline (the glossary's names). */
export function projectSteps(p: Project): Array<{ label: string; at: string }> {
  const steps: Array<{ label: string; at: string | null }> = [
    { label: PROJECT_STATUS_LABELS.claimed, at: p.claimedAt },
    { label: PROJECT_STATUS_LABELS.in_progress, at: p.startedAt },
    { label: PROJECT_STATUS_LABELS.delivered, at: p.deliveredAt },
    { label: PROJECT_STATUS_LABELS.accepted, at: p.acceptedAt },
    { label: PROJECT_STATUS_LABELS.closed, at: p.closedAt },
    { label: PROJECT_STATUS_LABELS.returned, at: p.returnedAt },
  ];
  return steps.filter((s): s is { label: string; at: string } => Boolean(s.at)).sort((a, b) => a.at.localeCompare(b.at));
}

/** ★★★★☆ for a rating of 4. */
export const stars = (rating: number) => '★'.repeat(rating) + '☆'.repeat(Math.max(0, 5 - rating));

/** 单位报到成效's parts: rates as %, means out of 5, counts with their nouns (the board's own keys). */
const UNIT_PART_FORMAT: Record<string, (v: number) => string> = {
  whistle_response_rate: (v) => `${Math.round(v * 1000) / 10}%`,
  whistle_close_rate: (v) => `${Math.round(v * 1000) / 10}%`,
  meetings_attended: (v) => `${Math.round(v * 1000) / 10}%`,
  actions_on_time: (v) => `${Math.round(v * 1000) / 10}%`,
  whistle_satisfaction: (v) => `${Math.round(v * 100) / 100} 分（满分 5 分）`,
  project_rating: (v) => `${Math.round(v * 100) / 100} 分（满分 5 分）`,
  needs_claimed: (v) => `${v} 项`,
  projects_accepted: (v) => `${v} 个`,
  actions_overdue: (v) => `${v} 项`,
  participations_per_member: (v) => `${Math.round(v * 100) / 100} 次/人`,
};

export function formatUnitPart(key: string, value: number | null): string {
  if (value === null) return '无数据';
  return (UNIT_PART_FORMAT[key] ?? ((v: number) => String(Math.round(v * 100) / 100)))(value);
}
