import { forbidden } from '../../lib/errors';
import { administersDistrict, isCityAdmin } from '../../lib/scope';
import type { Principal } from '../../lib/principal';

/**
 * The district a ranking covers (undefined: the whole city). City admins rank any district or the
 * city; a district admin its own district (its first, unless it names one).
 */
export function rankedDistrict(p: Principal, asked: string | undefined): string | undefined {
  if (isCityAdmin(p)) return asked;
  const own = p.roles.filter((g) => g.role === 'district_admin').map((g) => g.orgId!);
  if (own.length === 0) throw forbidden('只有市级和板块管理员可以查看排名');
  const districtId = asked ?? own[0];
  if (!administersDistrict(p, districtId)) throw forbidden('只能查看本板块的排名');
  return districtId;
}
