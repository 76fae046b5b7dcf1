import { invalid } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { ListScope } from './projects-repository';
import { districtsOf, isCityAdmin, secretaryCommunitiesOf, unitOrgsOf } from './unit-scope';

/** The caller's own communities (secretary), district (admin), reported-to communities (unit staff), or all (city). */
export async function ownListScope(p: Principal, communitiesOf: (unitOrgIds: string[]) => Promise<string[]>): Promise<ListScope> {
  if (isCityAdmin(p)) return {};
  const communities = secretaryCommunitiesOf(p);
  const districts = districtsOf(p);
  const reported = await communitiesOf(unitOrgsOf(p));
  if (districts.length === 1 && communities.length === 0 && reported.length === 0) return { districtId: districts[0] };
  if (districts.length > 0) throw invalid('communityOrgId', 'name the community', '请指定社区');
  return { communityOrgIds: [...new Set([...communities, ...reported])] };
}
