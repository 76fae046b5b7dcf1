import { and, desc, eq, getTableColumns, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Category } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { claims, partyOrgs, tasks } from '../../db/schema';
import type { ClaimRow, TaskRow } from './task-mappers';

export interface TaskListCursor {
  /** 0 for the caller's own community when it is listed first, else 1. */
  r: number;
  s: string;
  i: string;
}

export interface TaskListFilter {
  communityOrgId?: string;
  districtId?: string;
  category?: Category;
  /** Only open posts that have not ended at this time. */
  openAt?: Date;
  /** The caller's own community, listed first. */
  ownCommunityOrgId?: string | null;
  ascending: boolean;
  after?: TaskListCursor;
  limit: number;
}

const taskColumns = { ...getTableColumns(tasks), communityName: partyOrgs.name };

export function tasksRepositoryFactory(db: Db) {
  const byIdQuery = db
    .select(taskColumns)
    .from(tasks)
    .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
    .where(eq(tasks.id, sql.placeholder('id')))
    .prepare('task_by_id');

  const myClaimQuery = db
    .select()
    .from(claims)
    .where(and(eq(claims.taskId, sql.placeholder('taskId')), eq(claims.memberId, sql.placeholder('memberId'))))
    .orderBy(sql`(${claims.status} <> 'cancelled') desc`, desc(claims.claimedAt))
    .limit(1)
    .prepare('my_claim_on_task');

  return {
    async findById(id: string): Promise<TaskRow | null> {
      const [row] = await byIdQuery.execute({ id });
      return row ?? null;
    },

    /** The member's live claim on the task, else its latest cancelled one. */
    async findMyClaim(taskId: string, memberId: string): Promise<ClaimRow | null> {
      const [row] = await myClaimQuery.execute({ taskId, memberId });
      return row ?? null;
    },


    async insert(values: typeof tasks.$inferInsert, tx: DbOrTx = db): Promise<string> {
      const [row] = await tx.insert(tasks).values(values).returning({ id: tasks.id });
      return row.id;
    },

    async list(f: TaskListFilter, tx: DbOrTx = db): Promise<Array<TaskRow & { rank: number }>> {
      const rank: SQL<number> = f.ownCommunityOrgId
        ? sql<number>`(case when ${tasks.communityOrgId} = ${f.ownCommunityOrgId}::uuid then 0 else 1 end)`
        : sql<number>`0`;
      const where: SQL[] = [];
      if (f.communityOrgId) where.push(eq(tasks.communityOrgId, f.communityOrgId));
      if (f.districtId) where.push(eq(partyOrgs.districtId, f.districtId));
      if (f.category) where.push(eq(tasks.category, f.category));
      if (f.openAt) where.push(sql`${tasks.status} = 'open' and ${tasks.endsAt} > ${f.openAt.toISOString()}::timestamptz`);
      if (f.after) {
        const { r, s, i } = f.after;
        where.push(
          f.ascending
            ? sql`(${rank}, ${tasks.startsAt}, ${tasks.id}) > (${r}::int, ${s}::timestamptz, ${i}::uuid)`
            : sql`(${rank} > ${r}::int or (${rank} = ${r}::int and (${tasks.startsAt}, ${tasks.id}) < (${s}::timestamptz, ${i}::uuid)))`,
        );
      }
      const dir = f.ascending ? sql`asc` : sql`desc`;
      return tx
        .select({ ...taskColumns, rank: sql<number>`${rank}`.mapWith(Number) })
        .from(tasks)
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(where.length ? and(...where) : undefined)
        .orderBy(...(f.ownCommunityOrgId ? [sql`${rank} asc`] : []), sql`${tasks.startsAt} ${dir}`, sql`${tasks.id} ${dir}`)
        .limit(f.limit);
    },

    /**
     * Cancels an open post and ends its live claims in one transaction. The post's row is
     * locked first, as the claim statements lock it first, so the two never deadlock; the
     * second statement runs after the lock and so sees every claim committed before it.
     */
    async cancel(id: string, now: Date): Promise<boolean> {
      return db.transaction(async (tx) => {
        const locked = await tx
          .update(tasks)
          .set({ status: 'cancelled', cancelledAt: now })
          .where(and(eq(tasks.id, id), eq(tasks.status, 'open'), sql`${tasks.endsAt} > ${now.toISOString()}::timestamptz`))
          .returning({ id: tasks.id });
        if (locked.length === 0) return false;
        await tx.execute(sql`
          with c as (
            update claims set status = 'cancelled', cancelled_at = ${now.toISOString()}::timestamptz
            where task_id = ${id}::uuid and status in ('claimed', 'checked_in')
            returning 1
          ), t as (
            update tasks set claimed = claimed - (select count(*) from c)::int
            where id = ${id}::uuid
            returning id, claimed, capacity, status, version
          )
          select pg_notify('task_counts', json_build_object(
            'taskId', t.id, 'claimed', t.claimed, 'remaining', t.capacity - t.claimed, 'status', t.status, 'version', t.version)::text)
          from t`);
        return true;
      });
    },

    /** Writes down what time already decided: ended posts, and no-shows on them. */
    async sweep(now: Date): Promise<{ ended: number; noShows: number }> {
      const ended = await db
        .update(tasks)
        .set({ status: 'ended' })
        .where(and(eq(tasks.status, 'open'), lte(tasks.endsAt, now)))
        .returning({ id: tasks.id });
      const noShows = await db.execute(sql`
        update claims c set status = 'no_show'
        from tasks t
        where c.task_id = t.id and c.status = 'claimed' and t.ends_at <= ${now.toISOString()}::timestamptz`);
      return { ended: ended.length, noShows: noShows.rowCount ?? 0 };
    },

    async liveCounts(ids: string[]) {
      if (ids.length === 0) return [];
      return db
        .select({ id: tasks.id, claimed: tasks.claimed, capacity: tasks.capacity, status: tasks.status, endsAt: tasks.endsAt, version: tasks.version })
        .from(tasks)
        .where(inArray(tasks.id, ids));
    },
  };
}

export type TasksRepository = ReturnType<typeof tasksRepositoryFactory>;
