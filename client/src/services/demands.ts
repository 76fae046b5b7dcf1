import { DemandListSchema, DemandResponseSchema, type DemandCreateBody, type DemandTriageBody } from '@pioneer/shared';
import { request } from './http';

export function sendDemand(body: DemandCreateBody) {
  return request({ method: 'POST', path: '/demands', data: body, schema: DemandResponseSchema }).then((r) => r.demand);
}

export function listDemands(communityOrgId: string, cursor?: string) {
  return request({ path: '/demands', query: { communityOrgId, cursor, limit: 50 }, schema: DemandListSchema });
}

export function myDemands() {
  return request({ path: '/demands/mine', query: { limit: 50 }, schema: DemandListSchema });
}

export function triageDemand(id: string, body: DemandTriageBody) {
  return request({ method: 'POST', path: `/demands/${id}/triage`, data: body, schema: DemandResponseSchema }).then((r) => r.demand);
}
