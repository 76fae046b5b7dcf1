import {
  TaskCreateBodySchema,
  type Category,
  type Task,
  type TaskAudience,
  type TaskCreateBody,
  type TaskUpdateBody,
} from '@pioneer/shared';
import { beijingDate, beijingTime, toIsoWithOffset } from './time';

/** The publish form as typed: text until it is checked. */
export interface PublishForm {
  title: string;
  category: Category | '';
  description: string;
  location: string;
  date: string;
  start: string;
  end: string;
  capacity: string;
  openNow: boolean;
  openDate: string;
  openTime: string;
  cutoff: string;
  /** 抽签 (draw) instead of first come; the draw time then. */
  draw?: boolean;
  drawDate?: string;
  drawTime?: string;
  /** 联系人 and 联系电话 (optional). */
  contactName?: string;
  contactPhone?: string;
}

export type PublishField = keyof PublishForm;
/** `form`: a refusal no box of the form can fix (the community, the whistle it answers). */
export type PublishErrors = Partial<Record<PublishField | 'form', string>>;

const shape = TaskCreateBodySchema.shape;

/**
 * What a secretary reads for a field the schema refuses. The bounds are the schema's own, so the
 * form cannot drift from what the server accepts; refinements (times in order, unreadable
 * characters) carry their own Chinese messages and are shown as they are.
 */
const MESSAGES: Partial<Record<keyof TaskCreateBody, [PublishField, string]>> = {
  title: ['title', `请填写 ${shape.title.minLength}–${shape.title.maxLength} 字的岗位名称`],
  category: ['category', '请选择岗位类别'],
  description: ['description', `岗位说明不超过 ${shape.description.unwrap().maxLength} 字`],
  location: ['location', `请填写服务地点（不超过 ${shape.location.maxLength} 字）`],
  startsAt: ['start', '请选择开始时间'],
  endsAt: ['end', '请选择结束时间'],
  capacity: ['capacity', `名额为 ${shape.capacity.minValue}–${shape.capacity.maxValue} 的整数`],
  claimOpensAt: ['openDate', '请选择开抢时间'],
  drawAt: ['drawDate', '请选择开奖时间'],
  contactName: ['contactName', `联系人不超过 ${shape.contactName.unwrap().maxLength} 字`],
  contactPhone: ['contactPhone', '请输入正确的手机号或带区号的固定电话'],
  cancelCutoffMinutes: [
    'cutoff',
    `请填写 ${shape.cancelCutoffMinutes.unwrap().minValue}–${shape.cancelCutoffMinutes.unwrap().maxValue} 之间的分钟数`,
  ],
};

/** The request body the form stands for, before any check: empty numbers stay invalid, not 0. */
export function toTaskCreateInput(
  form: PublishForm,
  communityOrgId: string,
  whistleId?: string,
  project?: { id: string; audience: TaskAudience },
): Record<keyof TaskCreateBody, unknown> {
  const number = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));
  return {
    communityOrgId,
    title: form.title,
    category: form.category || undefined,
    description: form.description,
    location: form.location,
    startsAt: toIsoWithOffset(form.date, form.start),
    endsAt: toIsoWithOffset(form.date, form.end),
    capacity: number(form.capacity),
    claimOpensAt: form.openNow ? undefined : toIsoWithOffset(form.openDate, form.openTime),
    cancelCutoffMinutes: form.cutoff.trim() ? number(form.cutoff) : undefined,
    whistleId,
    offerMinutes: undefined,
    allocation: form.draw ? 'draw' : undefined,
    drawAt: form.draw && form.drawDate && form.drawTime ? toIsoWithOffset(form.drawDate, form.drawTime) : undefined,
    projectId: project?.id,
    audience: project?.audience,
    contactName: form.contactName?.trim() || undefined,
    contactPhone: form.contactPhone?.trim() || undefined,
  };
}

export type PublishCheck = { ok: true; body: TaskCreateBody } | { ok: false; errors: PublishErrors };

/**
 * Checks the form with `TaskCreateBodySchema`: each field on its own first (so every wrong field
 * shows at once), then the whole body for the rules between fields (the schema checks those only
 * once every field is valid).
 */
export function checkPublishForm(
  form: PublishForm,
  communityOrgId: string,
  whistleId?: string,
  project?: { id: string; audience: TaskAudience },
): PublishCheck {
  const input = toTaskCreateInput(form, communityOrgId, whistleId, project);
  const errors: PublishErrors = {};
  const note = (key: PropertyKey | undefined, message: string | null) => {
    const target = MESSAGES[key as keyof TaskCreateBody];
    const field = target?.[0] ?? 'form';
    if (!errors[field]) errors[field] = message ?? target?.[1] ?? '岗位信息有误，请返回重新进入';
  };
  for (const key of Object.keys(shape) as Array<keyof typeof shape>) {
    const result = shape[key].safeParse(input[key]);
    if (!result.success) {
      const custom = result.error.issues.find((i) => i.code === 'custom');
      note(key, custom ? custom.message : null);
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  const parsed = TaskCreateBodySchema.safeParse(input);
  if (parsed.success) return { ok: true, body: parsed.data };
  for (const issue of parsed.error.issues) note(issue.path[0], issue.code === 'custom' ? issue.message : null);
  return { ok: false, errors };
}

/** The server's default when the form leaves the cutoff empty. */
export const DEFAULT_CANCEL_CUTOFF_MINUTES = 60;

/**
 * A post that starts inside its own cancellation cutoff can never be cancelled by the members who
 * take it: the secretary is told before publishing (null when it starts later than that).
 */
export function cutoffWarning(body: Pick<TaskCreateBody, 'startsAt' | 'cancelCutoffMinutes'>, now: number): string | null {
  const cutoff = body.cancelCutoffMinutes ?? DEFAULT_CANCEL_CUTOFF_MINUTES;
  const minutesToStart = Math.floor((Date.parse(body.startsAt) - now) / 60000);
  if (cutoff <= 0 || minutesToStart >= cutoff) return null;
  return `岗位将在 ${Math.max(0, minutesToStart)} 分钟后开始，已在取消截止时间（开始前 ${cutoff} 分钟）之内：党员抢到后将不能取消报名。确定现在发布吗？`;
}

/** The form of a published post, for editing it (Beijing picker values). */
export function formFromTask(
  task: Pick<Task, 'title' | 'category' | 'description' | 'location' | 'startsAt' | 'endsAt' | 'capacity' | 'cancelCutoffMinutes'> &
    Partial<Pick<Task, 'contactName' | 'contactPhone'>>,
): PublishForm {
  return {
    title: task.title,
    category: task.category,
    description: task.description,
    location: task.location,
    date: beijingDate(task.startsAt),
    start: beijingTime(task.startsAt),
    end: beijingTime(task.endsAt),
    capacity: String(task.capacity),
    openNow: true,
    openDate: beijingDate(Date.now()),
    openTime: '20:00',
    cutoff: String(task.cancelCutoffMinutes),
    contactName: task.contactName ?? '',
    contactPhone: task.contactPhone ?? '',
  };
}

/** What an edit may change (the server's TaskUpdateBody): only the fields that differ. */
export function editBody(before: PublishForm, after: PublishForm): TaskUpdateBody | null {
  const body: TaskUpdateBody = {};
  if (after.title.trim() !== before.title) body.title = after.title.trim();
  if (after.description.trim() !== before.description) body.description = after.description.trim();
  if (after.location.trim() !== before.location) body.location = after.location.trim();
  // An emptied contact is sent as '' (the server clears it).
  if ((after.contactName ?? '').trim() !== (before.contactName ?? '')) body.contactName = (after.contactName ?? '').trim();
  if ((after.contactPhone ?? '').trim() !== (before.contactPhone ?? '')) body.contactPhone = (after.contactPhone ?? '').trim();
  const startsAt = toIsoWithOffset(after.date, after.start);
  const endsAt = toIsoWithOffset(after.date, after.end);
  if (startsAt !== toIsoWithOffset(before.date, before.start)) body.startsAt = startsAt;
  if (endsAt !== toIsoWithOffset(before.date, before.end)) body.endsAt = endsAt;
  return Object.keys(body).length ? body : null;
}
