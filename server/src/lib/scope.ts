import type { Principal } from '../plugins/auth';

export const isCityAdmin = (p: Principal) => p.roles.some((g) => g.role === 'city_admin');

export const administersDistrict = (p: Principal, districtId: string) =>
  isCityAdmin(p) || p.roles.some((g) => g.role === 'district_admin' && g.orgId === districtId);

/** A community's secretary, or an admin above it (its district's admin, a city admin). */
export const oversees = (p: Principal, community: { id: string; districtId: string }) =>
  administersDistrict(p, community.districtId) || p.roles.some((g) => g.role === 'secretary' && g.orgId === community.id);

export const isSecretaryOf = (p: Principal, communityOrgId: string) =>
  p.roles.some((g) => g.role === 'secretary' && g.orgId === communityOrgId);

/** Anyone holding a role that may look at members of some community (verify codes, list claimants …). */
export const isStaff = (p: Principal) =>
  p.roles.some((g) => g.role === 'secretary' || g.role === 'district_admin' || g.role === 'city_admin');
