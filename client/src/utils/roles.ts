import type { InviteRole, User } from '@pioneer/shared';

/** The roles a caller may invite (the server's rule: city admin anyone; district admin its district's; unit admin its liaisons). */
export function invitableRoles(user: User | null): InviteRole[] {
  const roles = user?.roles ?? [];
  if (roles.some((g) => g.role === 'city_admin')) return ['secretary', 'unit_admin', 'unit_liaison', 'district_admin', 'city_admin'];
  if (roles.some((g) => g.role === 'district_admin')) return ['secretary', 'unit_admin', 'unit_liaison'];
  if (roles.some((g) => g.role === 'unit_admin')) return ['unit_liaison'];
  return [];
}
