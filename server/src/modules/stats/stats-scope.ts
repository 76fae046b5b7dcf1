import type { FastifyRequest } from 'fastify';
import type { StatsScope } from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { administersDistrict, isCityAdmin, oversees } from '../../lib/scope';
import { scopeGuard } from '../../plugins/auth';
import type { Principal } from '../../lib/principal';
import type { AuthorizedScope, StatsService } from './stats-service';

interface ScopeQuery {
  scope: StatsScope;
  id?: string;
}

/**
 * Who may see a statistics scope (and export its rows). City: city admins. District: its admin
 * or above. Community: its secretary or above. Unit: its unit admin or liaison, or above. A
 * district is refused before it is looked up; a community or unit is looked up first (NOT_FOUND),
 * since who is above it depends on its district.
 */
async function authorize(p: Principal, q: ScopeQuery, stats: Pick<StatsService, 'locate'>): Promise<AuthorizedScope> {
  if (q.scope === 'city') {
    if (!isCityAdmin(p)) throw forbidden('只有市级管理员可以查看全市统计');
    return { scope: 'city' };
  }
  const id = q.id!;
  if (q.scope === 'district') {
    if (!administersDistrict(p, id)) throw forbidden('无权查看该板块的统计');
    await stats.locate('district', id);
    return { scope: 'district', id };
  }
  const org = await stats.locate(q.scope, id);
  if (q.scope === 'unit') {
    const own = p.roles.some((g) => (g.role === 'unit_admin' || g.role === 'unit_liaison') && g.orgId === id);
    if (!own && !administersDistrict(p, org.districtId)) throw forbidden('无权查看该单位的统计');
    return { scope: 'unit', id };
  }
  if (!oversees(p, { id, districtId: org.districtId })) throw forbidden('无权查看该社区的统计');
  return { scope: 'community', id };
}

/** Lets through only callers who may see the scope the (validated) query names; `of(request)` is that scope. */
export const statsScopeGuard = (
  stats: Pick<StatsService, 'locate'>,
  queryOf: (request: FastifyRequest) => ScopeQuery = (r) => r.query as ScopeQuery,
) => scopeGuard((request, p) => authorize(p, queryOf(request), stats), ['FORBIDDEN', 'NOT_FOUND']);
