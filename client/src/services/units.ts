import {
  AgreementListSchema,
  AgreementResponseSchema,
  NeedListSchema,
  OrgIndexSchema,
  NeedResponseSchema,
  ProjectDetailSchema,
  ProjectListSchema,
  ProjectResponseSchema,
  RankingSchema,
  ResourceListSchema,
  ResourceResponseSchema,
  type AgreementCreateBody,
  type AgreementStatus,
  type NeedClaimBody,
  type NeedCreateBody,
  type NeedStatus,
  type ProjectAcceptBody,
  type ProjectStatus,
  type ResourceCreateBody,
  type User,
} from '@pioneer/shared';
import { request } from './http';

/** 组织报到 (contract v3): 共建协议, 需求清单, 资源清单, 项目清单. */

export interface ListFilter {
  unitOrgId?: string;
  communityOrgId?: string;
  limit?: number;
}

export const listAgreements = (f: ListFilter & { status?: AgreementStatus } = {}) =>
  request({ path: '/agreements', query: { limit: 100, ...f }, schema: AgreementListSchema });

export const proposeAgreement = (body: AgreementCreateBody) =>
  request({ method: 'POST', path: '/agreements', data: body, schema: AgreementResponseSchema }).then((r) => r.agreement);

const agreementStep = (id: string, action: 'accept' | 'reject' | 'end', reason?: string) =>
  request({
    method: 'POST',
    path: `/agreements/${id}/${action}`,
    data: reason ? { reason } : {},
    schema: AgreementResponseSchema,
  }).then((r) => r.agreement);

export const acceptAgreement = (id: string) => agreementStep(id, 'accept');
export const rejectAgreement = (id: string, reason: string) => agreementStep(id, 'reject', reason);
export const endAgreement = (id: string, reason?: string) => agreementStep(id, 'end', reason);

export const listNeeds = (f: ListFilter & { status?: NeedStatus } = {}) =>
  request({ path: '/needs', query: { limit: 100, ...f }, schema: NeedListSchema });

export const publishNeed = (body: NeedCreateBody) =>
  request({ method: 'POST', path: '/needs', data: body, schema: NeedResponseSchema }).then((r) => r.need);

export const claimNeed = (id: string, body: NeedClaimBody) =>
  request({ method: 'POST', path: `/needs/${id}/claim`, data: body, schema: ProjectResponseSchema }).then((r) => r.project);

export const listResources = (f: ListFilter = {}) =>
  request({ path: '/resources', query: { limit: 100, ...f }, schema: ResourceListSchema });

export const addResource = (body: ResourceCreateBody) =>
  request({ method: 'POST', path: '/resources', data: body, schema: ResourceResponseSchema }).then((r) => r.resource);

export const listProjects = (f: ListFilter & { status?: ProjectStatus } = {}) =>
  request({ path: '/projects', query: { limit: 100, ...f }, schema: ProjectListSchema });

export const getProject = (id: string) => request({ path: `/projects/${id}`, schema: ProjectDetailSchema });

const projectStep = (id: string, action: 'deliver' | 'accept' | 'close' | 'return', data: unknown) =>
  request({ method: 'POST', path: `/projects/${id}/${action}`, data, schema: ProjectResponseSchema }).then((r) => r.project);

export const deliverProject = (id: string, summary: string) => projectStep(id, 'deliver', { summary });
export const acceptProject = (id: string, body: ProjectAcceptBody) => projectStep(id, 'accept', body);
export const closeProject = (id: string, note?: string) => projectStep(id, 'close', note ? { note } : {});
export const returnProject = (id: string, reason: string) => projectStep(id, 'return', { reason });

/** The side a user acts on in 组织报到: its unit (admin or liaison) and/or the community side. */
export interface UnitSides {
  /** Units the user acts for (unit_admin or unit_liaison). */
  units: string[];
  /** Units the user administers (only a unit admin proposes agreements). */
  adminUnits: string[];
  /** Communities the user is secretary of. */
  communities: string[];
  /** District admin or city admin: reviews agreements, publishes needs, accepts projects of its area. */
  overseer: boolean;
}

export function unitSides(user: User | null): UnitSides {
  const roles = user?.roles ?? [];
  const ids = (...names: string[]) => [...new Set(roles.filter((g) => names.includes(g.role) && g.orgId).map((g) => g.orgId!))];
  return {
    units: ids('unit_admin', 'unit_liaison'),
    adminUnits: ids('unit_admin'),
    communities: ids('secretary'),
    overseer: roles.some((g) => g.role === 'district_admin' || g.role === 'city_admin'),
  };
}

/** Whether the user has any part in 组织报到 (the hub is offered only to them). */
export const takesPartInUnits = (user: User | null) => {
  const s = unitSides(user);
  return s.units.length > 0 || s.communities.length > 0 || s.overseer;
};

/** Today in China time, `offset` days on, as `YYYY-MM-DD`. */
export function chinaDay(offsetDays = 0, now = Date.now()): string {
  return new Date(now + 8 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

/** The actions the user may take on a project in its state (the server's transitions and roles). */
export type ProjectAction = 'post' | 'deliver' | 'return' | 'accept' | 'close';

export function projectActions(
  project: { status: ProjectStatus; unit: { id: string }; community: { id: string } },
  sides: UnitSides,
): ProjectAction[] {
  const unit = sides.units.includes(project.unit.id);
  const community = sides.communities.includes(project.community.id) || sides.overseer;
  const live = project.status === 'claimed' || project.status === 'in_progress';
  const out: ProjectAction[] = [];
  // Posts are published by the unit's admin (POST /tasks: secretary or unit_admin); the first one starts the project.
  if (live && sides.adminUnits.includes(project.unit.id)) out.push('post');
  if (unit && project.status === 'in_progress') out.push('deliver');
  if (unit && live) out.push('return');
  if (community && project.status === 'delivered') out.push('accept');
  if (community && project.status === 'accepted') out.push('close');
  return out;
}

/**
 * 单位报到成效: the month's board of unit party orgs (city and district admins); `limit` and
 * `offset` ask for one page of it (`total` counts every unit), without them every unit.
 */
export const getUnitRanking = (opts: { period?: string; districtId?: string | null; limit?: number; offset?: number }) =>
  request({
    path: '/index/units',
    query: { period: opts.period, districtId: opts.districtId ?? undefined, limit: opts.limit, offset: opts.offset },
    schema: RankingSchema,
  });

/** One unit's score explained part by part (also its own admin and liaisons). */
export const getUnitIndex = (unitOrgId: string, period?: string) =>
  request({ path: `/index/units/${unitOrgId}`, query: { period }, schema: OrgIndexSchema });
