import {
  DemandContactReadResponseSchema,
  DemandListSchema,
  DemandResponseSchema,
  type DemandCreateBody,
  type DemandTriageBody,
} from '@pioneer/shared';
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

/** A demand's contact in full (the list masks the phone): the server audits every read with its reason. */
export function readDemandContact(communityOrgId: string, demandId: string, reason: string) {
  return request({
    method: 'POST',
    path: `/party-orgs/${communityOrgId}/demands/${demandId}/personal-data`,
    data: { reason },
    schema: DemandContactReadResponseSchema,
  });
}
