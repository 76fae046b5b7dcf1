import { and, eq, getTableColumns, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Category } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { partyOrgs, tasks } from '../../db/schema';
import type { TaskRow } from './task-mappers';

export interface TaskListCursor {
  /** 0 for the caller's own community when it is listed first, else 1. */
  r: number;
  s: string;
  i: string;
}

interface TaskListFilter {
  communityOrgId?: string;
  districtId?: string;
  category?: Category;
  /** Only open posts that have not ended at this time. */
  openAt?: Date;
  /** Title contains this text. */
  titleContains?: string;
  /** Starts at or after / before these instants. */
  startsFrom?: Date;
  startsBefore?: Date;
  /** The caller's own community, listed first. */
  ownCommunityOrgId?: string | null;
  ascending: boolean;
  after?: TaskListCursor;
  limit: number;
}

const taskColumns = {
  ...getTableColumns(tasks),
  communityName: partyOrgs.name,
  // A directed post names its unit (定向·<unit>); null for every other post.
  audienceUnitName: sql<string | null>`(select au.name from party_orgs au where au.id = ${tasks.audienceUnitOrgId})`,
};

export function tasksRepositoryFactory(db: Db) {
  const byIdQuery = db
    .select(taskColumns)
    .from(tasks)
    .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
    .where(eq(tasks.id, sql.placeholder('id')))
    .prepare('task_by_id');

  return {
    async findById(id: string): Promise<TaskRow | null> {
      const [row] = await byIdQuery.execute({ id });
      return row ?? null;
    },

    /** Posts by id with their community's district, locked, to check they may answer a whistle. */
    async lockForWhistleLink(ids: string[], tx: DbOrTx) {
      if (ids.length === 0) return [];
      return tx
        .select({ id: tasks.id, communityOrgId: tasks.communityOrgId, districtId: partyOrgs.districtId, whistleId: tasks.whistleId })
        .from(tasks)
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(inArray(tasks.id, ids))
        .for('update', { of: tasks });
    },

    /** The posts that answer a whistle point at it. */
    async linkToWhistle(whistleId: string, ids: string[], tx: DbOrTx): Promise<void> {
      if (ids.length) await tx.update(tasks).set({ whistleId }).where(inArray(tasks.id, ids));
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
      // LIKE's own wildcards in the search text match themselves.
      if (f.titleContains) where.push(sql`${tasks.title} ilike ${'%' + f.titleContains.replace(/[\\%_]/g, (c) => '\\' + c) + '%'}`);
      if (f.startsFrom) where.push(sql`${tasks.startsAt} >= ${f.startsFrom.toISOString()}::timestamptz`);
      if (f.startsBefore) where.push(sql`${tasks.startsAt} < ${f.startsBefore.toISOString()}::timestamptz`);
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

    /** Edits an open post that has not started; answers its new version, or null if it may not change. */
    async update(
      id: string,
      changes: Partial<
        Pick<typeof tasks.$inferInsert, 'title' | 'description' | 'location' | 'startsAt' | 'endsAt' | 'contactName' | 'contactPhone'>
      >,
      now: Date,
      tx: DbOrTx = db,
    ): Promise<number | null> {
      const [row] = await tx
        .update(tasks)
        .set(changes)
        .where(and(eq(tasks.id, id), eq(tasks.status, 'open'), sql`${tasks.startsAt} > ${now.toISOString()}::timestamptz`))
        .returning({ version: tasks.version });
      return row ? row.version : null;
    },

    /** Writes down what time already decided: ended posts (their claims are the claims module's). */
    async endPosts(now: Date): Promise<number> {
      const ended = await db
        .update(tasks)
        .set({ status: 'ended' })
        .where(and(eq(tasks.status, 'open'), lte(tasks.endsAt, now)))
        .returning({ id: tasks.id });
      return ended.length;
    },

    async liveCounts(ids: string[]) {
      if (ids.length === 0) return [];
      return db
        .select({
          id: tasks.id,
          claimed: tasks.claimed,
          capacity: tasks.capacity,
          status: tasks.status,
          endsAt: tasks.endsAt,
          version: tasks.version,
        })
        .from(tasks)
        .where(inArray(tasks.id, ids));
    },
  };
}

export type TasksRepository = ReturnType<typeof tasksRepositoryFactory>;
