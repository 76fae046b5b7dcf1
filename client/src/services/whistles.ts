import {
  WhistleDetailSchema,
  WhistleListSchema,
  type AddressedTo,
  type AssignmentStatus,
  type WhistleAnswerBody,
  type WhistleCreateBody,
  type WhistleListQuery,
  type WhistleRateBody,
  type User,
} from '@pioneer/shared';
import { request } from './http';

type ListFilter = Partial<Pick<WhistleListQuery, 'scope' | 'id' | 'status' | 'cursor' | 'limit'>> & {
  assignmentStatus?: AssignmentStatus;
  overdue?: boolean;
};

export function listWhistles(filter: ListFilter = {}) {
  return request({
    path: '/whistles',
    query: { ...filter, overdue: filter.overdue === undefined ? undefined : String(filter.overdue) },
    schema: WhistleListSchema,
  });
}

export function getWhistle(id: string) {
  return request({ path: `/whistles/${id}`, schema: WhistleDetailSchema });
}

export function raiseWhistle(body: WhistleCreateBody) {
  return request({ method: 'POST', path: '/whistles', data: body, schema: WhistleDetailSchema });
}

const post = (path: string, data: unknown = {}) => request({ method: 'POST', path, data, schema: WhistleDetailSchema });

/** The unit side: 签收, 反馈, 退单, 申请延期. */
export const signAssignment = (id: string, orgId: string) => post(`/whistles/${id}/assignments/${orgId}/sign`);
export const answerAssignment = (id: string, orgId: string, body: WhistleAnswerBody) =>
  post(`/whistles/${id}/assignments/${orgId}/answer`, body);
export const returnAssignment = (id: string, orgId: string, reason: string) =>
  post(`/whistles/${id}/assignments/${orgId}/return`, { reason });
export const extendAssignment = (id: string, orgId: string, until: string, reason: string) =>
  post(`/whistles/${id}/assignments/${orgId}/extend`, { until, reason });

/** The raiser's side: 核查, 办结, 回访, 重新打开, 改派, and extension decisions. */
export const verifyWhistle = (id: string) => post(`/whistles/${id}/verify`);
export const closeWhistle = (id: string) => post(`/whistles/${id}/close`);
export const rateWhistle = (id: string, body: WhistleRateBody) => post(`/whistles/${id}/rate`, body);
export const reopenWhistle = (id: string, note?: string) => post(`/whistles/${id}/reopen`, note ? { note } : {});
export const readdressWhistle = (id: string, addressedTo: AddressedTo) => post(`/whistles/${id}/readdress`, { addressedTo });
export const decideExtension = (id: string, extId: string, approve: boolean) =>
  post(`/whistles/${id}/extensions/${extId}/${approve ? 'approve' : 'deny'}`);

/** The community (secretary) or 板块 (district admin) the caller raises whistles for. */
export function raiserScopes(user: User | null): Array<{ role: 'secretary' | 'district_admin'; orgId: string }> {
  return (user?.roles ?? []).flatMap((g) =>
    (g.role === 'secretary' || g.role === 'district_admin') && g.orgId ? [{ role: g.role, orgId: g.orgId }] : [],
  );
}

/** The unit party orgs the caller acts for (红色代办员 or unit admin). */
export function unitOrgIds(user: User | null): string[] {
  return (user?.roles ?? []).flatMap((g) => ((g.role === 'unit_liaison' || g.role === 'unit_admin') && g.orgId ? [g.orgId] : []));
}
