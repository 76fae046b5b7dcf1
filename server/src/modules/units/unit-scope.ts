import type { Principal } from '../../lib/principal';
import { administersDistrict, isCityAdmin, isSecretaryOf } from '../../lib/scope';

/** The unit party orgs the caller acts for (unit admin or 红色代办员). */
export const unitOrgsOf = (p: Principal): string[] =>
  p.roles.filter((g) => (g.role === 'unit_admin' || g.role === 'unit_liaison') && g.orgId).map((g) => g.orgId as string);

export const adminUnitsOf = (p: Principal): string[] =>
  p.roles.filter((g) => g.role === 'unit_admin' && g.orgId).map((g) => g.orgId as string);

export const actsForUnit = (p: Principal, unitOrgId: string) => unitOrgsOf(p).includes(unitOrgId);
export const administersUnit = (p: Principal, unitOrgId: string) => adminUnitsOf(p).includes(unitOrgId);

export const secretaryCommunitiesOf = (p: Principal): string[] =>
  p.roles.filter((g) => g.role === 'secretary' && g.orgId).map((g) => g.orgId as string);

export const districtsOf = (p: Principal): string[] =>
  p.roles.filter((g) => g.role === 'district_admin' && g.orgId).map((g) => g.orgId as string);

/**
 * The community's side of an agreement or project: its secretary, its district's admin, a city
 * admin (who acts for every community).
 */
export const communitySide = (p: Principal, community: { id: string; districtId: string }) =>
  isSecretaryOf(p, community.id) || administersDistrict(p, community.districtId);

export { isCityAdmin };
