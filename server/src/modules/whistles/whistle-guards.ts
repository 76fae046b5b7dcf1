import type { FastifyRequest } from 'fastify';
import type { Role, WhistleCreateBody, WhistleListQuery } from '@pioneer/shared';
import { forbidden, invalid, notFound } from '../../lib/errors';
import { administersDistrict, isCityAdmin, isSecretaryOf } from '../../lib/scope';
import { principalOf, scopeGuard } from '../../plugins/auth';
import type { Principal } from '../../lib/principal';
import type { AssignmentRow, WhistleRow } from './whistles-repository';
import type { Acting, Decide, ListScope, WhistlesService } from './whistles-service';

const UNIT_ROLES: Role[] = ['unit_liaison', 'unit_admin'];

/** The unit party orgs the caller acts for (红色代办员 or unit admin). */
const unitOrgsOf = (p: Principal) => p.roles.filter((g) => UNIT_ROLES.includes(g.role) && g.orgId).map((g) => g.orgId as string);

const actsForUnit = (p: Principal, orgId: string) => unitOrgsOf(p).includes(orgId);

/** The raiser's side: the raising community's secretary, its 板块's admin, a city admin. */
const mayActAsRaiser = (p: Principal, w: Pick<WhistleRow, 'raisedByOrgId' | 'raisedByDistrictId'>) =>
  administersDistrict(p, w.raisedByDistrictId) || (w.raisedByOrgId !== null && isSecretaryOf(p, w.raisedByOrgId));

/** The raiser's side and every addressed unit see a whistle; to anyone else it does not exist. */
const maySee = (p: Principal, w: WhistleRow, assignments: AssignmentRow[]) =>
  mayActAsRaiser(p, w) || assignments.some((a) => actsForUnit(p, a.orgId));

/** The raiser's side, acting as the raising community's secretary, the 板块's admin, or a city admin. */
function asRaiser(p: Principal, w: WhistleRow, assignments: AssignmentRow[]): Acting {
  if (!maySee(p, w, assignments)) throw notFound('吹哨事项不存在');
  if (!mayActAsRaiser(p, w)) throw forbidden('只有吹哨方可以进行此操作');
  if (w.raisedByOrgId && isSecretaryOf(p, w.raisedByOrgId)) return { userId: p.userId, role: 'secretary', orgId: w.raisedByOrgId };
  if (p.roles.some((g) => g.role === 'district_admin' && g.orgId === w.raisedByDistrictId)) {
    return { userId: p.userId, role: 'district_admin', orgId: w.raisedByDistrictId };
  }
  return { userId: p.userId, role: 'city_admin', orgId: null };
}

/** The addressed unit `orgId`, acting as its liaison or admin. */
function asUnit(p: Principal, orgId: string, w: WhistleRow, assignments: AssignmentRow[]): Acting {
  if (!maySee(p, w, assignments)) throw notFound('吹哨事项不存在');
  if (!assignments.some((a) => a.orgId === orgId)) throw notFound('该单位未被吹哨');
  if (!actsForUnit(p, orgId)) throw forbidden('只能办理本单位的事项');
  const liaison = p.roles.some((g) => g.role === 'unit_liaison' && g.orgId === orgId);
  return { userId: p.userId, role: liaison ? 'unit_liaison' : 'unit_admin', orgId };
}

/** The error answers of a step's guard (documented on the step's routes). */
export const STEP_GUARD_ERRORS = ['FORBIDDEN', 'NOT_FOUND'] as const;

/**
 * Who may do what on a whistle. A step's guard (`raiser`, `unit`) is handed to the service and
 * decides on the whistle as the step's transaction locked it: one read for the guard, the step
 * and its answer.
 */
export function whistleGuards(service: Pick<WhistlesService, 'load' | 'partyOrg'>) {
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  async function visible(request: FastifyRequest, p: Principal) {
    const { whistle, assignments } = await service.load(idOf(request));
    if (!maySee(p, whistle, assignments)) throw notFound('吹哨事项不存在');
    return { whistle, assignments };
  }

  return {
    seen: scopeGuard(async (request, p) => void (await visible(request, p)), ['NOT_FOUND']),

    /** The raiser's side of the whistle the step locks. */
    raiser: (request: FastifyRequest): Decide => {
      const p = principalOf(request);
      return (w, assignments) => asRaiser(p, w, assignments);
    },

    /** The addressed unit named in the path (`:orgId`) of the whistle the step locks. */
    unit: (request: FastifyRequest): Decide => {
      const p = principalOf(request);
      const orgId = (request.params as { orgId: string }).orgId;
      return (w, assignments) => asUnit(p, orgId, w, assignments);
    },

    /** The raising community or 板块: the body's, or the caller's only one. */
    raising: scopeGuard(
      async (request, p): Promise<Acting> => {
        const body = request.body as WhistleCreateBody;
        const communities = p.roles.filter((g) => g.role === 'secretary' && g.orgId).map((g) => g.orgId as string);
        const districtIds = p.roles.filter((g) => g.role === 'district_admin' && g.orgId).map((g) => g.orgId as string);
        let raisedBy = body.raisedByOrgId;
        if (!raisedBy) {
          const own = [...communities, ...districtIds];
          if (own.length !== 1) throw invalid('raisedByOrgId', 'required when the caller holds several scopes', '请选择吹哨的社区或板块');
          raisedBy = own[0];
        }
        if (communities.includes(raisedBy)) return { userId: p.userId, role: 'secretary', orgId: raisedBy };
        if (districtIds.includes(raisedBy)) return { userId: p.userId, role: 'district_admin', orgId: raisedBy };
        throw forbidden('只能以本社区或本板块的名义吹哨');
      },
      ['FORBIDDEN', 'VALIDATION_FAILED'],
    ),

    /** The whistles listed: the query's scope if the caller may see it, else the caller's own first scope. */
    listed: scopeGuard(
      async (request, p): Promise<ListScope> => {
        const q = request.query as WhistleListQuery;
        let scope = q.scope;
        let scopeId = q.id;
        if (!scope) {
          const g =
            p.roles.find((r) => r.role === 'secretary') ??
            p.roles.find((r) => r.role === 'district_admin') ??
            p.roles.find((r) => r.role === 'unit_liaison' || r.role === 'unit_admin') ??
            p.roles.find((r) => r.role === 'city_admin');
          if (!g) throw forbidden('没有可查看的吹哨事项');
          scope =
            g.role === 'secretary' ? 'community' : g.role === 'district_admin' ? 'district' : g.role === 'city_admin' ? 'city' : 'unit';
          scopeId = g.orgId ?? undefined;
        }
        if (scope === 'city') {
          if (!isCityAdmin(p)) throw forbidden('只有市级管理员可以查看全市吹哨');
          return { scope };
        }
        if (!scopeId) throw invalid('id', 'required for this scope', '请指定范围 id');
        if (scope === 'district') {
          if (!administersDistrict(p, scopeId)) throw forbidden('无权查看该板块的吹哨');
          return { scope, id: scopeId };
        }
        const org = await service.partyOrg(scopeId);
        if (scope === 'community') {
          if (!org || org.kind !== 'community') throw notFound('社区不存在');
          if (!isSecretaryOf(p, org.id) && !administersDistrict(p, org.districtId)) throw forbidden('无权查看该社区的吹哨');
          return { scope, id: org.id };
        }
        if (!org || org.kind !== 'unit') throw notFound('单位党组织不存在');
        if (!actsForUnit(p, org.id) && !administersDistrict(p, org.districtId)) throw forbidden('无权查看该单位的吹哨');
        return { scope, id: org.id };
      },
      ['FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED'],
    ),
  };
}
