import type { Task, TaskCreateBody, TaskDetail, TaskList, TaskListQuery } from '@pioneer/shared';
import { z } from 'zod';
import type { Clock } from '../../lib/clock';
import { CursorIdSchema, CursorTimeSchema, decodeCursor, encodeCursor } from '../../lib/cursor';
import { AppError, invalid, notFound } from '../../lib/errors';
import type { Principal } from '../../plugins/auth';
import type { DirectoryRepository } from '../directory/directory-repository';
import type { TaskListCursor, TasksRepository } from './tasks-repository';
import { toClaim, toTask, toTaskListItem, type TaskRow } from './task-mappers';

const DEFAULT_CANCEL_CUTOFF_MINUTES = 60;

const TaskListCursorSchema = z.object({ r: z.union([z.literal(0), z.literal(1)]), s: CursorTimeSchema, i: CursorIdSchema });

export function tasksServiceFactory(deps: {
  tasksRepository: TasksRepository;
  directoryRepository: Pick<DirectoryRepository, 'findPartyOrg'>;
  clock: Clock;
  /** Told after a cancel attempt, so in-process state about the post (the claim gate) drops at once. */
  onCancel?: (taskId: string) => void;
  /** The whistle a post answers (`whistleId`): raised by the post's community or its 板块. */
  findWhistle?: (id: string) => Promise<{ raisedByOrgId: string | null; raisedByDistrictId: string } | null>;
}) {
  const repo = deps.tasksRepository;

  async function load(id: string): Promise<TaskRow> {
    const row = await repo.findById(id);
    if (!row) throw notFound('岗位不存在');
    return row;
  }

  return {
    /** The caller is the community's secretary (checked by the route). */
    async create(userId: string, body: TaskCreateBody): Promise<Task> {
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
      const id = await repo.insert({
        communityOrgId: body.communityOrgId,
        title: body.title,
        category: body.category,
        description: body.description ?? '',
        location: body.location,
        startsAt,
        endsAt: new Date(body.endsAt),
        capacity: body.capacity,
        claimOpensAt: body.claimOpensAt ? new Date(body.claimOpensAt) : now,
        cancelCutoffMinutes: body.cancelCutoffMinutes ?? DEFAULT_CANCEL_CUTOFF_MINUTES,
        createdBy: userId,
        createdAt: now,
        whistleId: body.whistleId ?? null,
      });
      return toTask(await load(id), now);
    },

    async list(p: Principal, q: TaskListQuery): Promise<TaskList> {
      const now = deps.clock.now();
      // Open posts read soonest first; a full history (a secretary's list) newest first.
      const ascending = q.open === true;
      const rows = await repo.list({
        communityOrgId: q.communityOrgId,
        districtId: q.districtId,
        category: q.category,
        openAt: q.open ? now : undefined,
        ownCommunityOrgId: q.communityOrgId ? null : p.memberCommunityOrgId,
        ascending,
        after: q.cursor ? decodeCursor<TaskListCursor>(q.cursor, TaskListCursorSchema) : undefined,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => toTaskListItem(r, now)),
        nextCursor: rows.length > q.limit && last ? encodeCursor({ r: last.rank, s: last.startsAt.toISOString(), i: last.id }) : null,
      };
    },

    async get(p: Principal, id: string): Promise<TaskDetail> {
      const now = deps.clock.now();
      const row = await load(id);
      const mine = p.memberId ? await repo.findMyClaim(id, p.memberId) : null;
      return { task: toTask(row, now), myClaim: mine ? toClaim(mine, now, row.endsAt) : null };
    },

    /** A post by id, for the route's scope check; NOT_FOUND when there is none. */
    load,

    /** The caller is the post's secretary (checked by the route). */
    async cancel(id: string): Promise<Task> {
      const now = deps.clock.now();
      const cancelled = await repo.cancel(id, now).finally(() => deps.onCancel?.(id));
      if (!cancelled) {
        const current = await load(id);
        // Cancelling twice answers like the first time; an ended post stays as it was.
        if (current.status !== 'cancelled') throw new AppError('CLAIM_CLOSED', '岗位已结束，无法取消');
        return toTask(current, now);
      }
      return toTask(await load(id), now);
    },

    sweep() {
      return repo.sweep(deps.clock.now());
    },
  };
}

export type TasksService = ReturnType<typeof tasksServiceFactory>;
