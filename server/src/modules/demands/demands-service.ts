import type { Category, Demand, DemandCreateBody, DemandList, DemandListQuery, DemandMineQuery, DemandTriageBody } from '@pioneer/shared';
import type { Db } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { invalid, notFound } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { DirectoryPort } from '../directory/directory-port';
import { demandStep } from '../whistles/whistle-transitions';
import type { ContentCheck } from './content-check';
import type { DemandRow, DemandsRepository } from './demands-repository';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toDemand(r: DemandRow): Demand {
  return {
    id: r.id,
    community: { id: r.communityOrgId, name: r.communityName },
    text: r.text,
    category: (r.category as Category | null) ?? null,
    status: r.status,
    note: r.note,
    task: r.taskId && r.taskTitle ? { id: r.taskId, name: r.taskTitle } : null,
    whistle: r.whistleId && r.whistleTitle ? { id: r.whistleId, name: r.whistleTitle } : null,
    createdAt: r.createdAt.toISOString(),
    triagedAt: iso(r.triagedAt),
  };
}

function page(rows: DemandRow[], limit: number): DemandList {
  const items = rows.slice(0, limit);
  return {
    items: items.map(toDemand),
    nextCursor: rows.length > limit ? encodeTimeIdCursor(items[items.length - 1].createdAt, items[items.length - 1].id) : null,
  };
}

export function demandsServiceFactory(deps: {
  db: Db;
  demandsRepository: DemandsRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg'>;
  contentCheck: ContentCheck;
  clock: Clock;
}) {
  const repo = deps.demandsRepository;

  async function community(id: string) {
    const org = await deps.directoryRepository.findPartyOrg(id);
    if (!org || org.kind !== 'community') throw notFound('社区不存在');
    return org;
  }

  return {
    /** The community a list names (NOT_FOUND otherwise), for the route's scope guard. */
    community,

    /** A demand (NOT_FOUND otherwise), for the route's scope guard: its community never changes. */
    async find(id: string): Promise<DemandRow> {
      const d = await repo.find(id);
      if (!d) throw notFound('点单不存在');
      return d;
    },

    /** 居民点单: any signed-in user; the text passes WeChat's content check first. */
    async create(p: Principal, body: DemandCreateBody): Promise<Demand> {
      await community(body.communityOrgId);
      if (deps.contentCheck.kind !== 'none') {
        const openid = await repo.openid(p.userId);
        if (openid) await deps.contentCheck.check(body.text, openid, 'text');
      }
      const id = await repo.insert({
        communityOrgId: body.communityOrgId,
        userId: p.userId,
        text: body.text,
        category: body.category ?? null,
        createdAt: deps.clock.now(),
      });
      return toDemand((await repo.find(id))!);
    },

    /** The demands of a community the route's guard let the caller see. */
    async list(q: DemandListQuery): Promise<DemandList> {
      const rows = await repo.list({
        communityOrgId: q.communityOrgId,
        status: q.status,
        after: q.cursor ? decodeCursor(q.cursor, TimeIdCursorSchema) : undefined,
        limit: q.limit + 1,
      });
      return page(rows, q.limit);
    },

    async mine(p: Principal, q: DemandMineQuery): Promise<DemandList> {
      const rows = await repo.list({
        userId: p.userId,
        after: q.cursor ? decodeCursor(q.cursor, TimeIdCursorSchema) : undefined,
        limit: q.limit + 1,
      });
      return page(rows, q.limit);
    },

    /** That community's secretary (the route's guard) turns a new demand into a post, a whistle, or a rejection. */
    async triage(userId: string, id: string, body: DemandTriageBody): Promise<Demand> {
      await deps.db.transaction(async (tx) => {
        const d = await repo.lock(id, tx);
        if (!d) throw notFound('点单不存在');
        const to = demandStep(body.action, d.status);
        let taskId: string | null = null;
        let whistleId: string | null = null;
        if (body.action === 'post') {
          const task = await repo.task(body.taskId!, tx);
          if (!task || task.communityOrgId !== d.communityOrgId)
            throw invalid('taskId', 'not a post of this community', '所选岗位不属于本社区');
          taskId = task.id;
        } else if (body.action === 'whistle') {
          const w = await repo.whistle(body.whistleId!, tx);
          if (!w || w.raisedByOrgId !== d.communityOrgId)
            throw invalid('whistleId', 'not a whistle of this community', '所选吹哨事项不属于本社区');
          whistleId = w.id;
        }
        await repo.update(
          id,
          { status: to, note: body.note ?? null, taskId, whistleId, triagedAt: deps.clock.now(), triagedBy: userId },
          tx,
        );
      });
      return toDemand((await repo.find(id))!);
    },
  };
}

export type DemandsService = ReturnType<typeof demandsServiceFactory>;
