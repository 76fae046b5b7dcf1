import {
  ClaimantListSchema,
  ClaimCreateResponseSchema,
  ClaimResponseSchema,
  TaskDetailSchema,
  TaskListSchema,
  TaskResponseSchema,
  type TaskCreateBody,
  type TaskListQuery,
} from '@pioneer/shared';
import { newIdempotencyKey, request } from './http';

/** What the task list may be asked for: the query schema's fields, as the client holds them before encoding. */
export type TaskFilter = Partial<TaskListQuery>;

export function listTasks(filter: TaskFilter) {
  return request({
    path: '/tasks',
    query: { ...filter, open: filter.open === undefined ? undefined : String(filter.open) },
    schema: TaskListSchema,
  });
}

export function getTask(id: string) {
  return request({ path: `/tasks/${id}`, schema: TaskDetailSchema });
}

export function createTask(body: TaskCreateBody) {
  return request({ method: 'POST', path: '/tasks', data: body, schema: TaskResponseSchema }).then((r) => r.task);
}

export function cancelTask(id: string) {
  return request({ method: 'POST', path: `/tasks/${id}/cancel`, schema: TaskResponseSchema }).then((r) => r.task);
}

/** One key per tap, so a retried request after a lost answer cannot claim twice. */
export function claimTask(id: string, idempotencyKey = newIdempotencyKey()) {
  return request({
    method: 'POST',
    path: `/tasks/${id}/claims`,
    headers: { 'Idempotency-Key': idempotencyKey },
    schema: ClaimCreateResponseSchema,
  });
}

export function cancelMyClaim(id: string) {
  return request({ method: 'DELETE', path: `/tasks/${id}/claims/me`, schema: ClaimResponseSchema }).then((r) => r.claim);
}

export function listClaimants(id: string) {
  return request({ path: `/tasks/${id}/claims`, schema: ClaimantListSchema }).then((r) => r.items);
}

export function checkIn(id: string, token: string) {
  return request({ method: 'POST', path: `/tasks/${id}/check-ins`, data: { token: token.trim() }, schema: ClaimResponseSchema }).then(
    (r) => r.claim,
  );
}

export function checkOut(id: string, token: string) {
  return request({ method: 'POST', path: `/tasks/${id}/check-outs`, data: { token: token.trim() }, schema: ClaimResponseSchema }).then(
    (r) => r.claim,
  );
}
