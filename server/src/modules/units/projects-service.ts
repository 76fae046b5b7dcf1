import type {
  LinkedMeeting,
  NeedMeeting,
  Need,
  NeedClaimBody,
  NeedCreateBody,
  NeedList,
  NeedListQuery,
  Project,
  ProjectDetail,
  ProjectList,
  ProjectListQuery,
  Resource,
  ResourceCreateBody,
  ResourceList,
  ResourceListQuery,
} from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { decodeCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { DirectoryPort } from '../directory/directory-port';
import type { Notifier } from '../notifications';
import type { AgreementsService } from './agreements-service';
import type { ListScope, ProjectRecord, ProjectsRepository } from './projects-repository';
import { projectStep, type ProjectAction } from './unit-transitions';
import { page, PROJECT_PHRASES, toNeed, toProject, toResource } from './unit-mappers';
import { ownListScope } from './unit-list-scope';
import { actsForUnit, communitySide, districtsOf, isCityAdmin, secretaryCommunitiesOf, unitOrgsOf } from './unit-scope';

/**
 * 需求清单, 资源清单 and 项目清单: needs published by communities, claimed by their reported units.
 * Over 400 lines because needs, resources and projects share one state machine and one set of
 * scope rules (unit-transitions.ts, unit-scope.ts); the mappers above are its response shapes.
 */
export function projectsServiceFactory(deps: {
  db: Db;
  projectsRepository: ProjectsRepository;
  agreements: Pick<AgreementsService, 'reported' | 'communitiesOf' | 'unitsOf'>;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg'>;
  notifier: Notifier;
  clock: Clock;
  /** 共商共办: the meetings convened about a need, with their actions (modules/meetings). */
  linkedMeetings?: (needId: string) => Promise<LinkedMeeting[]>;
  /** 共商共办: the needs board's view of the meetings about each need (modules/meetings). */
  meetingsOfNeeds?: (p: Principal, needIds: string[]) => Promise<Map<string, NeedMeeting[]>>;
}) {
  const repo = deps.projectsRepository;
  const after = (cursor?: string) => (cursor ? decodeCursor(cursor, TimeIdCursorSchema) : undefined);

  async function community(id: string) {
    const org = await deps.directoryRepository.findPartyOrg(id);
    if (!org || org.kind !== 'community') throw notFound('社区不存在');
    return org;
  }
  async function unit(id: string) {
    const org = await deps.directoryRepository.findPartyOrg(id);
    if (!org || org.kind !== 'unit') throw notFound('单位党组织不存在');
    return org;
  }

  async function loadProject(id: string): Promise<ProjectRecord> {
    const r = await repo.findProject(id);
    if (!r) throw notFound('项目不存在');
    return r;
  }

  const projectCommunitySide = (p: Principal, r: ProjectRecord) => communitySide(p, { id: r.communityOrgId, districtId: r.districtId });

  async function announceProject(tx: DbOrTx, r: ProjectRecord, action: string, actorUserId: string | null, note: string | null) {
    const line =
      action === 'claim'
        ? `${r.unitName}认领了「${r.needTitle}」。`
        : action === 'deliver'
          ? `${r.unitName}已完成「${r.needTitle}」，请验收。`
          : action === 'return'
            ? `${r.unitName}退回了「${r.needTitle}」，需求已重新开放认领。`
            : `「${r.needTitle}」${PROJECT_PHRASES[action]}。`;
    await deps.notifier.enqueue(tx, {
      kind: 'unit_update',
      ref: `project:${r.id}:${action}`,
      title: r.needTitle,
      status: PROJECT_PHRASES[action],
      body: note ? `${line}${note}` : line,
      // Steps of the unit tell the community; steps of the community tell the unit.
      unitOrgIds: action === 'accept' || action === 'close' ? [r.unitOrgId] : [],
      communityOrgIds: action === 'accept' || action === 'close' ? [] : [r.communityOrgId],
      actorUserId,
      projectId: r.id,
    });
  }

  return {
    loadProject,

    /** A project's community, unit and status, for publishing its posts; null when there is none. */
    async findProject(id: string) {
      const r = await repo.findProject(id);
      return r ? { communityOrgId: r.communityOrgId, unitOrgId: r.unitOrgId, status: r.status } : null;
    },

    /** 需求清单: the community's secretary or its district's admin (the route checked the role). */
    async publishNeed(p: Principal, body: NeedCreateBody): Promise<Need> {
      const c = await community(body.communityOrgId);
      if (!communitySide(p, c)) throw forbidden('只能为本社区发布需求');
      if (body.source) {
        const s = await repo.source(body.source.kind, body.source.id);
        const own =
          s &&
          (s.communityOrgId === c.id || (body.source.kind === 'whistle' && s.communityOrgId === null && s.districtId === c.districtId));
        if (!own) {
          throw invalid(
            'source.id',
            `not a ${body.source.kind} of this community`,
            body.source.kind === 'demand' ? '所选居民点单不属于本社区' : '所选吹哨事项不属于本社区',
          );
        }
      }
      const now = deps.clock.now();
      const units = await deps.agreements.unitsOf([c.id]);
      const id = await transaction(deps.db, async (tx) => {
        const needId = await repo.insertNeed(
          {
            communityOrgId: c.id,
            title: body.title,
            category: body.category,
            description: body.description,
            peopleNeeded: body.peopleNeeded ?? null,
            dueAt: body.dueAt ? new Date(body.dueAt) : null,
            sourceKind: body.source?.kind ?? null,
            sourceId: body.source?.id ?? null,
            createdBy: p.userId,
            createdAt: now,
          },
          tx,
        );
        await deps.notifier.enqueue(tx, {
          kind: 'unit_update',
          ref: `need:${needId}:publish`,
          title: body.title,
          status: '新需求',
          body: `${c.name}发布了新需求「${body.title}」，欢迎认领。`,
          unitOrgIds: units,
          communityOrgIds: [],
          actorUserId: p.userId,
        });
        return needId;
      });
      return toNeed((await repo.findNeed(id))!);
    },

    /**
     * The needs the caller may see: a community's (its overseers, its reported units), those of
     * the communities a unit is reported to, or by default the caller's own.
     */
    async listNeeds(p: Principal, q: NeedListQuery): Promise<NeedList> {
      const scope: ListScope = {};
      if (q.communityOrgId) {
        const c = await community(q.communityOrgId);
        if (!communitySide(p, c)) {
          const mine = unitOrgsOf(p);
          const reported = mine.length > 0 && (await deps.agreements.communitiesOf(mine)).includes(c.id);
          if (!reported) throw mine.length > 0 ? new AppError('NOT_REPORTED') : forbidden('无权查看该社区的需求');
        }
        scope.communityOrgIds = [c.id];
      }
      if (q.unitOrgId) {
        const u = await unit(q.unitOrgId);
        if (!actsForUnit(p, u.id) && !isCityAdmin(p) && !districtsOf(p).includes(u.districtId))
          throw forbidden('只能查看本单位报到社区的需求');
        const communities = await deps.agreements.communitiesOf([u.id]);
        scope.communityOrgIds = scope.communityOrgIds ? scope.communityOrgIds.filter((id) => communities.includes(id)) : communities;
      }
      if (!q.communityOrgId && !q.unitOrgId) Object.assign(scope, await ownScope(p));
      const rows = await repo.listNeeds(scope, q.status, after(q.cursor), q.limit + 1);
      const list = page(rows, q.limit, (r) => r.createdAt, toNeed);
      if (!deps.meetingsOfNeeds) return list;
      const meetings = await deps.meetingsOfNeeds(
        p,
        list.items.map((n) => n.id),
      );
      return { ...list, items: list.items.map((n) => ({ ...n, meetings: meetings.get(n.id) ?? [] })) };
    },

    /** 认领: the need becomes a project of the unit, once, only while the unit is 已报到 there. */
    async claim(p: Principal, needId: string, body: NeedClaimBody): Promise<Project> {
      if (!actsForUnit(p, body.unitOrgId)) throw forbidden('只能以本单位名义认领');
      const need = await repo.findNeed(needId);
      if (!need) throw notFound('需求不存在');
      if (body.resourceId) {
        const r = await repo.findResource(body.resourceId);
        if (!r || r.unitOrgId !== body.unitOrgId) throw invalid('resourceId', 'not a resource of this unit', '所选资源不属于本单位');
      }
      const now = deps.clock.now();
      const id = await transaction(deps.db, async (tx) => {
        if (!(await deps.agreements.reported(body.unitOrgId, need.communityOrgId, tx))) throw new AppError('NOT_REPORTED');
        // The conditional update is the arbiter between units claiming at once; the partial unique
        // index on projects backs it whatever the code does.
        if (!(await repo.takeNeed(needId, now, tx))) throw new AppError('CONFLICT', '该需求已被认领');
        const projectId = await repo.insertProject(
          {
            needId,
            unitOrgId: body.unitOrgId,
            communityOrgId: need.communityOrgId,
            resourceId: body.resourceId ?? null,
            plan: body.plan,
            startsOn: body.startsOn,
            endsOn: body.endsOn,
            claimedBy: p.userId,
            claimedAt: now,
          },
          tx,
        );
        await repo.insertEvent({ projectId, at: now, action: 'claim', actorUserId: p.userId, actorOrgId: body.unitOrgId, data: {} }, tx);
        await announceProject(tx, (await repo.findProject(projectId, tx))!, 'claim', p.userId, null);
        return projectId;
      });
      return toProject((await repo.findProject(id))!);
    },

    /** deliver / return (the unit) and accept / close (the community), under the project's row lock. */
    async step(
      p: Principal,
      id: string,
      action: Exclude<ProjectAction, 'start'>,
      body: { summary?: string; rating?: number; note?: string; reason?: string },
    ): Promise<Project> {
      const r = await loadProject(id);
      const unitSide = actsForUnit(p, r.unitOrgId);
      const communitySideOk = projectCommunitySide(p, r);
      if (!unitSide && !communitySideOk) throw notFound('项目不存在');
      const byUnit = action === 'deliver' || action === 'return';
      if (byUnit ? !unitSide : !communitySideOk) throw forbidden(byUnit ? '只有认领单位可以进行此操作' : '只有社区可以验收或销号');
      const now = deps.clock.now();
      await transaction(deps.db, async (tx) => {
        const row = await repo.lockProject(id, tx);
        if (!row) throw notFound('项目不存在');
        const to = projectStep(action, row.status);
        const set =
          action === 'deliver'
            ? { status: to, deliveredAt: now, summary: body.summary ?? null }
            : action === 'accept'
              ? { status: to, acceptedAt: now, rating: body.rating ?? null, ratingNote: body.note ?? null }
              : action === 'close'
                ? { status: to, closedAt: now }
                : { status: to, returnedAt: now, returnReason: body.reason ?? null };
        await repo.updateProject(id, set, tx);
        if (action === 'return') await repo.setNeedStatus(row.needId, 'open', tx);
        if (action === 'close') await repo.setNeedStatus(row.needId, 'closed', tx);
        const data: Record<string, unknown> = {};
        if (body.summary) data.summary = body.summary;
        if (body.rating) data.rating = body.rating;
        if (body.note) data.note = body.note;
        if (body.reason) data.reason = body.reason;
        await repo.insertEvent(
          { projectId: id, at: now, action, actorUserId: p.userId, actorOrgId: byUnit ? r.unitOrgId : r.communityOrgId, data },
          tx,
        );
        await announceProject(tx, r, action, p.userId, body.reason ?? body.note ?? null);
      });
      return toProject((await repo.findProject(id))!);
    },

    /**
     * A post of the project was published (in the tasks module's transaction): the first one
     * makes a claimed project `in_progress`. A project past that stays as it is.
     */
    async postPublished(projectId: string, tx: DbOrTx): Promise<void> {
      const row = await repo.lockProject(projectId, tx);
      if (!row) throw notFound('项目不存在');
      // Delivered (or returned) while the post was being published: the post goes with it.
      if (row.status !== 'claimed' && row.status !== 'in_progress') projectStep('start', row.status);
      if (row.status !== 'claimed') return;
      const now = deps.clock.now();
      await repo.updateProject(projectId, { status: projectStep('start', row.status), startedAt: now }, tx);
      await repo.insertEvent({ projectId, at: now, action: 'start', actorUserId: null, actorOrgId: row.unitOrgId, data: {} }, tx);
    },

    async listProjects(p: Principal, q: ProjectListQuery): Promise<ProjectList> {
      const scope: ListScope = {};
      if (q.unitOrgId) {
        const u = await unit(q.unitOrgId);
        if (!actsForUnit(p, u.id) && !isCityAdmin(p) && !districtsOf(p).includes(u.districtId) && secretaryCommunitiesOf(p).length === 0) {
          throw forbidden('无权查看该单位的项目');
        }
        scope.unitOrgIds = [u.id];
        // Secretaries see a unit's projects in their communities only.
        if (!actsForUnit(p, u.id) && !isCityAdmin(p) && !districtsOf(p).includes(u.districtId))
          scope.communityOrgIds = secretaryCommunitiesOf(p);
      }
      if (q.communityOrgId) {
        const c = await community(q.communityOrgId);
        if (communitySide(p, c)) scope.communityOrgIds = [c.id];
        else {
          const mine = unitOrgsOf(p);
          if (mine.length === 0) throw forbidden('无权查看该社区的项目');
          scope.communityOrgIds = [c.id];
          scope.unitOrgIds = scope.unitOrgIds ?? mine;
        }
      }
      if (!q.communityOrgId && !q.unitOrgId) {
        const own = await ownScope(p);
        const units = unitOrgsOf(p);
        // A unit's staff see their own projects; community staff those in their communities.
        if (units.length > 0 && secretaryCommunitiesOf(p).length === 0 && districtsOf(p).length === 0 && !isCityAdmin(p))
          scope.unitOrgIds = units;
        else Object.assign(scope, own);
      }
      const rows = await repo.listProjects(scope, q.status, after(q.cursor), q.limit + 1);
      return page(rows, q.limit, (r) => r.claimedAt, toProject);
    },

    async detail(p: Principal, id: string): Promise<ProjectDetail> {
      const r = await loadProject(id);
      if (!actsForUnit(p, r.unitOrgId) && !projectCommunitySide(p, r)) throw notFound('项目不存在');
      const [need, tasks, events, meetings] = await Promise.all([
        repo.findNeed(r.needId),
        repo.tasks(id),
        repo.events(id),
        deps.linkedMeetings ? deps.linkedMeetings(r.needId) : Promise.resolve(undefined),
      ]);
      return {
        ...(meetings ? { meetings } : {}),
        project: toProject(r),
        need: toNeed(need!),
        tasks: tasks.map((t) => ({
          id: t.id,
          title: t.title,
          startsAt: t.startsAt.toISOString(),
          endsAt: t.endsAt.toISOString(),
          capacity: t.capacity,
          claimed: t.claimed,
          audience: t.audienceUnitOrgId ? 'unit' : 'community',
          status: t.status,
        })),
        events: events.map(({ e, orgName }) => ({
          at: e.at.toISOString(),
          action: e.action,
          org: e.actorOrgId && orgName ? { id: e.actorOrgId, name: orgName } : null,
          data: e.data as Record<string, unknown>,
        })),
      };
    },

    /** 资源清单: a unit's admin or liaison lists what the unit offers. */
    async addResource(p: Principal, body: ResourceCreateBody): Promise<Resource> {
      const u = await deps.directoryRepository.findPartyOrg(body.unitOrgId);
      if (!u || u.kind !== 'unit') throw invalid('unitOrgId', 'not a unit party org', '请选择单位党组织');
      if (!actsForUnit(p, u.id)) throw forbidden('只能登记本单位的资源');
      const id = await repo.insertResource({
        unitOrgId: u.id,
        title: body.title,
        category: body.category,
        description: body.description,
        capacity: body.capacity ?? null,
        createdBy: p.userId,
        createdAt: deps.clock.now(),
      });
      return toResource((await repo.findResource(id))!);
    },

    /** A unit's resources (its staff, overseers of its reported communities), or those of a community's reported units. */
    async listResources(p: Principal, q: ResourceListQuery): Promise<ResourceList> {
      let units: string[] | null = null;
      if (q.communityOrgId) {
        const c = await community(q.communityOrgId);
        if (!communitySide(p, c)) throw forbidden('无权查看该社区报到单位的资源');
        units = await deps.agreements.unitsOf([c.id]);
      }
      if (q.unitOrgId) {
        const u = await unit(q.unitOrgId);
        if (!actsForUnit(p, u.id) && !isCityAdmin(p)) {
          const overseen = [...secretaryCommunitiesOf(p)];
          const reportedTo = await deps.agreements.communitiesOf([u.id]);
          const districts = districtsOf(p);
          const sees =
            reportedTo.some((c) => overseen.includes(c)) ||
            (districts.length > 0 &&
              (await Promise.all(reportedTo.map((c) => deps.directoryRepository.findPartyOrg(c)))).some(
                (c) => c && districts.includes(c.districtId),
              ));
          if (!sees) throw forbidden('无权查看该单位的资源');
        }
        units = units ? units.filter((id) => id === u.id) : [u.id];
      }
      if (!q.communityOrgId && !q.unitOrgId) {
        if (isCityAdmin(p)) units = null;
        else {
          const mine = unitOrgsOf(p);
          const communities = secretaryCommunitiesOf(p);
          units = [...new Set([...mine, ...(await deps.agreements.unitsOf(communities))])];
        }
      }
      const rows = await repo.listResources(units, after(q.cursor), q.limit + 1);
      return page(rows, q.limit, (r) => r.createdAt, toResource);
    },
  };

  function ownScope(p: Principal) {
    return ownListScope(p, deps.agreements.communitiesOf);
  }
}

export type ProjectsService = ReturnType<typeof projectsServiceFactory>;
