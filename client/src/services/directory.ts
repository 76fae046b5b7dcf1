import {
  DistrictListSchema,
  EstateListSchema,
  PartyOrgListSchema,
  PartyOrgSchema,
  RegisterInfoSchema,
  RegisterResolveSchema,
  type PartyOrgKind,
} from '@pioneer/shared';
import { request } from './http';

export function resolveRegisterCode(code: string) {
  return request({ path: '/register/resolve', query: { code }, schema: RegisterResolveSchema, auth: false });
}

export function searchPartyOrgs(kind: PartyOrgKind, q: string, limit = 20) {
  return request({ path: '/party-orgs', query: { kind, q: q.trim(), limit }, schema: PartyOrgListSchema });
}

export function listEstates(communityId: string) {
  return request({ path: `/party-orgs/${communityId}/estates`, schema: EstateListSchema }).then((r) => r.items);
}

export function getRegisterQrSvg(orgId: string) {
  return request<string>({ path: `/party-orgs/${orgId}/register-qrcode`, query: { format: 'svg' }, as: 'text' });
}

export function getRegisterQrPng(orgId: string) {
  return request<ArrayBuffer>({ path: `/party-orgs/${orgId}/register-qrcode`, query: { format: 'png' }, as: 'arraybuffer' });
}

export function listDistricts() {
  return request({ path: '/districts', schema: DistrictListSchema, auth: false }).then((r) => r.items);
}

export function getRegisterInfo(orgId: string) {
  return request({ path: `/party-orgs/${orgId}/register-info`, schema: RegisterInfoSchema });
}

/** One party org's public card: staff profiles name the orgs their roles are in. */
export function getPartyOrg(id: string) {
  return request({ path: `/party-orgs/${id}`, schema: PartyOrgSchema, auth: false });
}
