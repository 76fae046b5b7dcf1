import type { Category, Need, Project, Resource } from '@pioneer/shared';
import { encodeTimeIdCursor } from '../../lib/cursor';
import type { NeedRecord, ProjectRecord, ResourceRecord } from './projects-repository';

/** Needs, projects and resources as the wire contract has them. */
const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toNeed(r: NeedRecord): Need {
  return {
    id: r.id,
    community: { id: r.communityOrgId, name: r.communityName },
    title: r.title,
    category: r.category as Category,
    description: r.description,
    peopleNeeded: r.peopleNeeded,
    dueAt: iso(r.dueAt),
    source: r.sourceKind && r.sourceId ? { kind: r.sourceKind, id: r.sourceId } : null,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    project: r.project ? { id: r.project.id, unit: { id: r.project.unitOrgId, name: r.project.unitName }, status: r.project.status } : null,
  };
}

export function toProject(r: ProjectRecord): Project {
  return {
    id: r.id,
    need: { id: r.needId, name: r.needTitle },
    unit: { id: r.unitOrgId, name: r.unitName },
    community: { id: r.communityOrgId, name: r.communityName },
    resource: r.resourceId && r.resourceTitle ? { id: r.resourceId, name: r.resourceTitle } : null,
    plan: r.plan,
    startsOn: r.startsOn,
    endsOn: r.endsOn,
    status: r.status,
    summary: r.summary,
    rating: r.rating,
    ratingNote: r.ratingNote,
    returnReason: r.returnReason,
    claimedAt: r.claimedAt.toISOString(),
    startedAt: iso(r.startedAt),
    deliveredAt: iso(r.deliveredAt),
    acceptedAt: iso(r.acceptedAt),
    closedAt: iso(r.closedAt),
    returnedAt: iso(r.returnedAt),
  };
}

export function toResource(r: ResourceRecord): Resource {
  return {
    id: r.id,
    unit: { id: r.unitOrgId, name: r.unitName },
    title: r.title,
    category: r.category as Category,
    description: r.description,
    capacity: r.capacity,
    createdAt: r.createdAt.toISOString(),
  };
}

/** One page of a keyset list: the items, and a cursor when more follow. */
export function page<R extends { id: string }, T>(rows: R[], limit: number, at: (r: R) => Date, map: (r: R) => T) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(map), nextCursor: rows.length > limit ? encodeTimeIdCursor(at(last), last.id) : null };
}

/** What each project step is called in a message (a WeChat `phrase`). */
export const PROJECT_PHRASES: Record<string, string> = {
  claim: '需求已认领',
  start: '项目实施中',
  deliver: '待验收',
  accept: '已验收',
  close: '已销号',
  return: '需求退回',
};
