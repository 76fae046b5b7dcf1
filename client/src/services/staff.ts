import {
  IndicatorListSchema,
  InviteAcceptResponseSchema,
  InviteCreateResponseSchema,
  ScorePutResponseSchema,
  TaskResponseSchema,
  type Indicator,
  type InviteRole,
  type ScorePutBody,
  type TaskUpdateBody,
} from '@pioneer/shared';
import { request } from './http';

/** 先锋指数+ catalogue: every indicator, admitted or not (考核内容准入). */
export function getIndicators() {
  return request({ path: '/index/indicators', schema: IndicatorListSchema }).then((r) => r.items);
}

export function putIndicators(items: Indicator[]) {
  return request({ method: 'PUT', path: '/index/indicators', data: { items }, schema: IndicatorListSchema }).then((r) => r.items);
}

/** A district admin's manual score for one community, one month, with its evidence. */
export function putScore(body: ScorePutBody) {
  return request({ method: 'PUT', path: '/index/scores', data: body, schema: ScorePutResponseSchema }).then((r) => r.score);
}

export function createInvite(role: InviteRole, orgId: string | null) {
  return request({ method: 'POST', path: '/invites', data: { role, orgId }, schema: InviteCreateResponseSchema });
}

export function acceptInvite(code: string) {
  return request({ method: 'POST', path: '/invites/accept', data: { code }, schema: InviteAcceptResponseSchema }).then((r) => r.user);
}

/** Edits a published post that has not started (POST twin of PATCH: WeChat's request has no PATCH). */
export function updateTask(id: string, body: TaskUpdateBody) {
  return request({ method: 'POST', path: `/tasks/${id}/edit`, data: body, schema: TaskResponseSchema }).then((r) => r.task);
}
