import type { Role } from '@pioneer/shared';
import type { Principal } from './principal';

export const isCityAdmin = (p: Principal) => p.roles.some((g) => g.role === 'city_admin');

export const administersDistrict = (p: Principal, districtId: string) =>
  isCityAdmin(p) || p.roles.some((g) => g.role === 'district_admin' && g.orgId === districtId);

/** A community's secretary, or an admin above it (its district's admin, a city admin). */
export const oversees = (p: Principal, community: { id: string; districtId: string }) =>
  administersDistrict(p, community.districtId) || p.roles.some((g) => g.role === 'secretary' && g.orgId === community.id);

export const isSecretaryOf = (p: Principal, communityOrgId: string) =>
  p.roles.some((g) => g.role === 'secretary' && g.orgId === communityOrgId);

/** The roles that may look at members of some community (verify codes, list claimants …). */
export const STAFF_ROLES = ['secretary', 'district_admin', 'city_admin'] as const satisfies readonly Role[];
