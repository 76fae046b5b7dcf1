import type { MyEntry, MyWaitlist, Task, TaskCreateBody, TaskDetail, TaskList, TaskListQuery, TaskUpdateBody } from '@pioneer/shared';
import { z } from 'zod';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { CursorIdSchema, CursorTimeSchema, decodeCursor, encodeCursor } from '../../lib/cursor';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { DirectoryPort } from '../directory/directory-port';
import type { Notifier } from '../notifications';
import type { TaskListCursor, TasksRepository } from './tasks-repository';
import { toClaim } from '../claims/claim-mappers';
import type { ClaimsPort } from '../claims/claims-port';
import { commitmentOf, newSeed } from '../waitlist/draw';
import { taskStatus, toTask, toTaskListItem, type TaskRow } from './task-mappers';

const DEFAULT_CANCEL_CUTOFF_MINUTES = 60;
const DEFAULT_OFFER_MINUTES = 30;

const TaskListCursorSchema = z.object({ r: z.union([z.literal(0), z.literal(1)]), s: CursorTimeSchema, i: CursorIdSchema });

export function tasksServiceFactory(deps: {
  db: Db;
  /** Writes notification events in the transaction of the change that causes them. */
  notifier?: Notifier;
  tasksRepository: TasksRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg'>;
  /** Claim rows are the claims module's: a post's cancel ends them, a detail shows the caller's. */
  claimsRepository: Pick<ClaimsPort, 'cancelPost' | 'findMyClaim'>;
  clock: Clock;
  /** The caller's waitlist and draw entries on a post (the claims module's waitlist). */
  mine?: (taskId: string, memberId: string) => Promise<{ myWaitlist: MyWaitlist | null; myEntry: MyEntry | null }>;
  /** Writes down the no-shows of ended posts (and what they mean for their members); the number written. */
  settleNoShows?: () => Promise<number>;
  /** Told after a cancel attempt, so in-process state about the post (the claim gate) drops at once. */
  onCancel?: (taskId: string) => void;
  /** The whistle a post answers (`whistleId`): raised by the post's community or its 板块. */
  findWhistle?: (id: string) => Promise<{ raisedByOrgId: string | null; raisedByDistrictId: string } | null>;
  /** The unit project a post serves (the units module's), and what publishing a post does to it, in the post's transaction. */
  projects?: {
    find(id: string): Promise<{ communityOrgId: string; unitOrgId: string; status: string } | null>;
    postPublished(projectId: string, tx: DbOrTx): Promise<void>;
  };
}) {
  const repo = deps.tasksRepository;

  async function load(id: string): Promise<TaskRow> {
    const row = await repo.findById(id);
    if (!row) throw notFound('岗位不存在');
    return row;
  }

  async function publish(userId: string, body: TaskCreateBody, outer?: DbOrTx): Promise<string> {
    const community = await deps.directoryRepository.findPartyOrg(body.communityOrgId);
    if (!community || community.kind !== 'community') throw notFound('社区不存在');
    const now = deps.clock.now();
    const startsAt = new Date(body.startsAt);
    if (startsAt.getTime() <= now.getTime()) throw invalid('startsAt', 'must be in the future', '开始时间必须晚于当前时间');
    if (body.whistleId) {
      const w = await deps.findWhistle?.(body.whistleId);
      const ours = w && (w.raisedByOrgId ? w.raisedByOrgId === community.id : w.raisedByDistrictId === community.districtId);
      if (!ours) throw invalid('whistleId', 'not a whistle of this community or its district', '所选吹哨事项不属于本社区');
    }
    const claimOpensAt = body.claimOpensAt ? new Date(body.claimOpensAt) : now;
    const drawAt = body.allocation === 'draw' && body.drawAt ? new Date(body.drawAt) : null;
    if (drawAt && drawAt.getTime() <= Math.max(now.getTime(), claimOpensAt.getTime())) {
      throw invalid('drawAt', 'must be after claimOpensAt and in the future', '开奖时间必须晚于报名开始时间');
    }
    const project = body.projectId ? await deps.projects?.find(body.projectId) : null;
    // The seed stays secret until the draw; its hash is published now, before anyone enters.
    const drawSeed = drawAt ? newSeed() : null;
    // The followers' notification is one outbox row in the post's transaction: fan-out happens later.
    const write = async (tx: DbOrTx) => {
      const taskId = await repo.insert(
        {
          communityOrgId: body.communityOrgId,
          title: body.title,
          category: body.category,
          description: body.description ?? '',
          location: body.location,
          startsAt,
          endsAt: new Date(body.endsAt),
          capacity: body.capacity,
          claimOpensAt,
          cancelCutoffMinutes: body.cancelCutoffMinutes ?? DEFAULT_CANCEL_CUTOFF_MINUTES,
          offerMinutes: body.offerMinutes ?? DEFAULT_OFFER_MINUTES,
          allocation: body.allocation ?? 'first_come',
          drawAt,
          drawSeed,
          drawCommitment: drawSeed ? commitmentOf(drawSeed) : null,
          createdBy: userId,
          createdAt: now,
          whistleId: body.whistleId ?? null,
          projectId: body.projectId ?? null,
          audienceUnitOrgId: body.projectId && body.audience === 'unit' ? project!.unitOrgId : null,
          contactName: body.contactName ?? null,
          contactPhone: body.contactPhone ?? null,
        },
        tx,
      );
      if (body.projectId) await deps.projects!.postPublished(body.projectId, tx);
      await deps.notifier?.enqueue(tx, { kind: 'new_task', taskId });
      return taskId;
    };
    return outer ? write(outer) : transaction(deps.db, write);
  }

  return {
    /**
     * Who may publish: the community's secretary, or for a post of a project (组织报到) also that
     * project's unit admin. A project takes posts while it is claimed or in progress.
     */
    async mayPublish(p: Principal, body: TaskCreateBody): Promise<void> {
      const secretary = p.roles.some((g) => g.role === 'secretary' && g.orgId === body.communityOrgId);
      if (!body.projectId) {
        if (!secretary) throw forbidden('只有本社区书记可以发布岗位');
        return;
      }
      const project = await deps.projects?.find(body.projectId);
      if (!project) throw invalid('projectId', 'no such project', '所选项目不存在');
      const unitAdmin = p.roles.some((g) => g.role === 'unit_admin' && g.orgId === project.unitOrgId);
      if (!secretary && !unitAdmin) throw forbidden('只有本社区书记或项目认领单位管理员可以发布岗位');
      if (project.communityOrgId !== body.communityOrgId)
        throw invalid('projectId', 'a project of another community', '所选项目不属于该社区');
      if (project.status !== 'claimed' && project.status !== 'in_progress') {
        throw new AppError('INVALID_TRANSITION', '项目已交付或结束，不能再发布岗位', {
          details: [{ path: 'projectId', reason: `project ${project.status}` }],
        });
      }
    },

    /** The caller may publish it (`mayPublish`, called by the route). */
    async create(userId: string, body: TaskCreateBody): Promise<Task> {
      const id = await publish(userId, body);
      return toTask(await load(id), deps.clock.now());
    },

    /**
     * Publishes a post inside the caller's transaction (a demand turned into a post in one step)
     * and answers its id; the same checks as `create`. The caller is its community's secretary.
     */
    publishIn: (tx: DbOrTx, userId: string, body: TaskCreateBody): Promise<string> => publish(userId, body, tx),

    async list(p: Principal, q: TaskListQuery): Promise<TaskList> {
      const now = deps.clock.now();
      // Open posts read soonest first; a full history (a secretary's list) newest first.
      const ascending = q.open === true;
      const rows = await repo.list({
        communityOrgId: q.communityOrgId,
        districtId: q.districtId,
        category: q.category,
        titleContains: q.q,
        // Days are China time (UTC+8, no daylight saving): `to` includes its whole day.
        startsFrom: q.from ? new Date(`${q.from}T00:00:00+08:00`) : undefined,
        startsBefore: q.to ? new Date(Date.parse(`${q.to}T00:00:00+08:00`) + 86_400_000) : undefined,
        openAt: q.open ? now : undefined,
        ownCommunityOrgId: q.communityOrgId ? null : p.memberCommunityOrgId,
        ascending,
        after: q.cursor ? decodeCursor<TaskListCursor>(q.cursor, TaskListCursorSchema) : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      const memberId = p.memberId;
      // The member's own state on each listed post, so the list shows 已抢到 / 候补第 N 位 / an offer
      // instead of a button the server would refuse (one page: at most `limit` small indexed reads).
      const mine = memberId
        ? await Promise.all(
            page.map(async (r) => {
              const [claim, entries] = await Promise.all([
                deps.claimsRepository.findMyClaim(r.id, memberId),
                deps.mine ? deps.mine(r.id, memberId) : { myWaitlist: null, myEntry: null },
              ]);
              const claimStatus =
                claim && claim.status !== 'cancelled' && claim.status !== 'released' ? toClaim(claim, now, r.endsAt).status : null;
              if (!claimStatus && !entries.myWaitlist && !entries.myEntry) return null;
              return { claimStatus, waitlist: entries.myWaitlist, entry: entries.myEntry };
            }),
          )
        : null;
      return {
        items: page.map((r, i) => (mine ? { ...toTaskListItem(r, now), mine: mine[i] } : toTaskListItem(r, now))),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ r: last.rank, s: last.startsAt.toISOString(), i: last.id }) : null,
      };
    },

    async get(p: Principal, id: string): Promise<TaskDetail> {
      const now = deps.clock.now();
      const row = await load(id);
      if (!p.memberId) return { task: toTask(row, now), myClaim: null, myWaitlist: null, myEntry: null };
      const [mine, entries] = await Promise.all([
        deps.claimsRepository.findMyClaim(id, p.memberId),
        deps.mine ? deps.mine(id, p.memberId) : { myWaitlist: null, myEntry: null },
      ]);
      return { task: toTask(row, now), myClaim: mine ? toClaim(mine, now, row.endsAt) : null, ...entries };
    },

    /** A post by id, for the route's scope check; NOT_FOUND when there is none. */
    load,

    /** The caller is the post's secretary (checked by the route). */
    async cancel(id: string): Promise<Task> {
      const now = deps.clock.now();
      const cancelled = await deps.claimsRepository
        .cancelPost(id, now, async (c) => deps.notifier?.enqueue(c, { kind: 'task_changed', taskId: id, change: 'cancelled' }))
        .finally(() => deps.onCancel?.(id));
      if (!cancelled) {
        const current = await load(id);
        // Cancelling twice answers like the first time; an ended post stays as it was.
        if (current.status !== 'cancelled') throw new AppError('CLAIM_CLOSED', '岗位已结束，无法取消');
        return toTask(current, now);
      }
      return toTask(await load(id), now);
    },

    /**
     * The post's secretary (checked by the route) edits an open post that has not started. Its
     * claimants are told in the same transaction (their reminders follow the new time by
     * themselves: see the reminder sweep).
     */
    async update(id: string, body: TaskUpdateBody): Promise<Task> {
      const row = await load(id);
      const now = deps.clock.now();
      if (taskStatus(row, now) !== 'open' || row.startsAt.getTime() <= now.getTime()) {
        throw new AppError(row.status === 'cancelled' ? 'TASK_CANCELLED' : 'CLAIM_CLOSED', '岗位已开始或已结束，无法修改');
      }
      const startsAt = body.startsAt ? new Date(body.startsAt) : row.startsAt;
      const endsAt = body.endsAt ? new Date(body.endsAt) : row.endsAt;
      if (body.startsAt && startsAt.getTime() <= now.getTime())
        throw invalid('startsAt', 'must be in the future', '开始时间必须晚于当前时间');
      if (endsAt.getTime() <= startsAt.getTime()) throw invalid('endsAt', 'must be after startsAt', '结束时间必须晚于开始时间');
      if (row.claimOpensAt.getTime() >= endsAt.getTime()) throw invalid('endsAt', 'must be after claimOpensAt', '结束时间必须晚于开抢时间');
      const changes = {
        ...(body.title !== undefined && body.title !== row.title ? { title: body.title } : {}),
        ...(body.description !== undefined && body.description !== row.description ? { description: body.description } : {}),
        ...(body.location !== undefined && body.location !== row.location ? { location: body.location } : {}),
        ...(body.contactName !== undefined && (body.contactName || null) !== row.contactName
          ? { contactName: body.contactName || null }
          : {}),
        ...(body.contactPhone !== undefined && (body.contactPhone || null) !== row.contactPhone
          ? { contactPhone: body.contactPhone || null }
          : {}),
        ...(startsAt.getTime() !== row.startsAt.getTime() ? { startsAt } : {}),
        ...(endsAt.getTime() !== row.endsAt.getTime() ? { endsAt } : {}),
      };
      if (Object.keys(changes).length === 0) return toTask(row, now);
      const moved = 'startsAt' in changes || 'endsAt' in changes;
      await transaction(deps.db, async (tx) => {
        const version = await repo.update(id, changes, now, tx);
        if (version === null) throw new AppError('CLAIM_CLOSED', '岗位已开始或已结束，无法修改');
        await deps.notifier?.enqueue(tx, { kind: 'task_changed', taskId: id, change: moved ? 'moved' : 'updated', version });
      });
      return toTask(await load(id), now);
    },

    async sweep(): Promise<{ ended: number; noShows: number }> {
      const noShows = deps.settleNoShows ? await deps.settleNoShows() : 0;
      return { ended: await repo.endPosts(deps.clock.now()), noShows };
    },
  };
}

export type TasksService = ReturnType<typeof tasksServiceFactory>;
