import { aliasedTable, and, asc, desc, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { demands, needs, partyOrgs, projectEvents, projects, resources, tasks, whistles } from '../../db/schema';

export type NeedRecord = typeof needs.$inferSelect & {
  communityName: string;
  districtId: string;
  project: { id: string; unitOrgId: string; unitName: string; status: (typeof projects.$inferSelect)['status'] } | null;
};
export type ProjectRecord = typeof projects.$inferSelect & {
  needTitle: string;
  unitName: string;
  communityName: string;
  districtId: string;
  resourceTitle: string | null;
};
export type ResourceRecord = typeof resources.$inferSelect & { unitName: string };

const community = aliasedTable(partyOrgs, 'community_org');
const unit = aliasedTable(partyOrgs, 'unit_org');
const liveProject = aliasedTable(projects, 'live_project');
const projectUnit = aliasedTable(partyOrgs, 'project_unit');

type After = { c: string; i: string } | undefined;

/** Where lists look: a community set, a district, or everywhere (city). */
export interface ListScope {
  communityOrgIds?: string[];
  unitOrgIds?: string[];
  districtId?: string;
}

/** The writer of needs (需求清单), resources (资源清单), projects (项目清单) and project events. */
export function projectsRepositoryFactory(db: Db) {
  const selectNeeds = (tx: DbOrTx) =>
    tx
      .select({
        n: needs,
        communityName: community.name,
        districtId: community.districtId,
        projectId: liveProject.id,
        projectUnitId: liveProject.unitOrgId,
        projectStatus: liveProject.status,
        projectUnitName: projectUnit.name,
      })
      .from(needs)
      .innerJoin(community, eq(community.id, needs.communityOrgId))
      .leftJoin(liveProject, and(eq(liveProject.needId, needs.id), ne(liveProject.status, 'returned')))
      .leftJoin(projectUnit, eq(projectUnit.id, liveProject.unitOrgId));
  interface NeedJoin {
    n: typeof needs.$inferSelect;
    communityName: string;
    districtId: string;
    projectId: string | null;
    projectUnitId: string | null;
    projectStatus: (typeof projects.$inferSelect)['status'] | null;
    projectUnitName: string | null;
  }
  const needOf = (r: NeedJoin): NeedRecord => ({
    ...r.n,
    communityName: r.communityName,
    districtId: r.districtId,
    project:
      r.projectId && r.projectUnitId && r.projectStatus
        ? { id: r.projectId, unitOrgId: r.projectUnitId, unitName: r.projectUnitName ?? '', status: r.projectStatus }
        : null,
  });

  const selectProjects = (tx: DbOrTx) =>
    tx
      .select({
        p: projects,
        needTitle: needs.title,
        unitName: unit.name,
        communityName: community.name,
        districtId: community.districtId,
        resourceTitle: resources.title,
      })
      .from(projects)
      .innerJoin(needs, eq(needs.id, projects.needId))
      .innerJoin(unit, eq(unit.id, projects.unitOrgId))
      .innerJoin(community, eq(community.id, projects.communityOrgId))
      .leftJoin(resources, eq(resources.id, projects.resourceId));
  interface ProjectJoin {
    p: typeof projects.$inferSelect;
    needTitle: string;
    unitName: string;
    communityName: string;
    districtId: string;
    resourceTitle: string | null;
  }
  const projectOf = (r: ProjectJoin): ProjectRecord => ({
    ...r.p,
    needTitle: r.needTitle,
    unitName: r.unitName,
    communityName: r.communityName,
    districtId: r.districtId,
    resourceTitle: r.resourceTitle,
  });

  const scopeWhere = (s: ListScope, communityCol: typeof needs.communityOrgId | typeof projects.communityOrgId): SQL[] => {
    const where: SQL[] = [];
    if (s.communityOrgIds) where.push(inArray(communityCol, s.communityOrgIds));
    if (s.districtId) where.push(eq(community.districtId, s.districtId));
    return where;
  };

  return {
    async insertNeed(values: typeof needs.$inferInsert, tx: DbOrTx = db): Promise<string> {
      const [row] = await tx.insert(needs).values(values).returning({ id: needs.id });
      return row.id;
    },

    async findNeed(id: string, tx: DbOrTx = db): Promise<NeedRecord | null> {
      const [row] = await selectNeeds(tx).where(eq(needs.id, id));
      return row ? needOf(row) : null;
    },

    async listNeeds(s: ListScope, status: NeedRecord['status'] | undefined, after: After, limit: number): Promise<NeedRecord[]> {
      const where = scopeWhere(s, needs.communityOrgId);
      if (status) where.push(eq(needs.status, status));
      if (after) where.push(sql`(${needs.createdAt}, ${needs.id}) < (${after.c}::timestamptz, ${after.i}::uuid)`);
      const rows = await selectNeeds(db)
        .where(and(...where))
        .orderBy(desc(needs.createdAt), desc(needs.id))
        .limit(limit);
      return rows.map(needOf);
    },

    /** Takes an open need: false when another claim (or anything else) got there first. */
    async takeNeed(id: string, at: Date, tx: DbOrTx): Promise<boolean> {
      const rows = await tx
        .update(needs)
        .set({ status: 'claimed', claimedAt: at })
        .where(and(eq(needs.id, id), eq(needs.status, 'open')))
        .returning({ id: needs.id });
      return rows.length === 1;
    },

    async setNeedStatus(id: string, status: NeedRecord['status'], tx: DbOrTx): Promise<void> {
      await tx
        .update(needs)
        .set(status === 'open' ? { status, claimedAt: null } : { status })
        .where(eq(needs.id, id));
    },

    async insertResource(values: typeof resources.$inferInsert): Promise<string> {
      const [row] = await db.insert(resources).values(values).returning({ id: resources.id });
      return row.id;
    },

    async findResource(id: string, tx: DbOrTx = db): Promise<ResourceRecord | null> {
      const [row] = await tx
        .select({ r: resources, unitName: unit.name })
        .from(resources)
        .innerJoin(unit, eq(unit.id, resources.unitOrgId))
        .where(eq(resources.id, id));
      return row ? { ...row.r, unitName: row.unitName } : null;
    },

    async listResources(unitOrgIds: string[] | null, after: After, limit: number): Promise<ResourceRecord[]> {
      const where: SQL[] = [];
      if (unitOrgIds) {
        if (unitOrgIds.length === 0) return [];
        where.push(inArray(resources.unitOrgId, unitOrgIds));
      }
      if (after) where.push(sql`(${resources.createdAt}, ${resources.id}) < (${after.c}::timestamptz, ${after.i}::uuid)`);
      const rows = await db
        .select({ r: resources, unitName: unit.name })
        .from(resources)
        .innerJoin(unit, eq(unit.id, resources.unitOrgId))
        .where(and(...where))
        .orderBy(desc(resources.createdAt), desc(resources.id))
        .limit(limit);
      return rows.map((row) => ({ ...row.r, unitName: row.unitName }));
    },

    async insertProject(values: typeof projects.$inferInsert, tx: DbOrTx): Promise<string> {
      const [row] = await tx.insert(projects).values(values).returning({ id: projects.id });
      return row.id;
    },

    async findProject(id: string, tx: DbOrTx = db): Promise<ProjectRecord | null> {
      const [row] = await selectProjects(tx).where(eq(projects.id, id));
      return row ? projectOf(row) : null;
    },

    async lockProject(id: string, tx: DbOrTx) {
      const [row] = await tx.select().from(projects).where(eq(projects.id, id)).for('update');
      return row ?? null;
    },

    async updateProject(id: string, set: Partial<typeof projects.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(projects).set(set).where(eq(projects.id, id));
    },

    async listProjects(s: ListScope, status: ProjectRecord['status'] | undefined, after: After, limit: number): Promise<ProjectRecord[]> {
      const where = scopeWhere(s, projects.communityOrgId);
      if (s.unitOrgIds) where.push(inArray(projects.unitOrgId, s.unitOrgIds));
      if (status) where.push(eq(projects.status, status));
      if (after) where.push(sql`(${projects.claimedAt}, ${projects.id}) < (${after.c}::timestamptz, ${after.i}::uuid)`);
      const rows = await selectProjects(db)
        .where(and(...where))
        .orderBy(desc(projects.claimedAt), desc(projects.id))
        .limit(limit);
      return rows.map(projectOf);
    },

    async insertEvent(values: typeof projectEvents.$inferInsert, tx: DbOrTx): Promise<void> {
      await tx.insert(projectEvents).values(values);
    },

    async events(projectId: string) {
      return db
        .select({ e: projectEvents, orgName: partyOrgs.name })
        .from(projectEvents)
        .leftJoin(partyOrgs, eq(partyOrgs.id, projectEvents.actorOrgId))
        .where(eq(projectEvents.projectId, projectId))
        .orderBy(asc(projectEvents.id));
    },

    /** The project's posts, oldest first (read from the tasks module's table). */
    async tasks(projectId: string) {
      return db
        .select({
          id: tasks.id,
          title: tasks.title,
          startsAt: tasks.startsAt,
          endsAt: tasks.endsAt,
          capacity: tasks.capacity,
          claimed: tasks.claimed,
          audienceUnitOrgId: tasks.audienceUnitOrgId,
          status: tasks.status,
        })
        .from(tasks)
        .where(eq(tasks.projectId, projectId))
        .orderBy(asc(tasks.startsAt), asc(tasks.id));
    },

    /** The community a 居民点单 was sent to, or a whistle's raising community and district. */
    async source(
      kind: 'demand' | 'whistle',
      id: string,
      tx: DbOrTx = db,
    ): Promise<{ communityOrgId: string | null; districtId: string | null } | null> {
      if (kind === 'demand') {
        const [row] = await tx.select({ c: demands.communityOrgId }).from(demands).where(eq(demands.id, id));
        return row ? { communityOrgId: row.c, districtId: null } : null;
      }
      const [row] = await tx
        .select({ c: whistles.raisedByOrgId, d: whistles.raisedByDistrictId })
        .from(whistles)
        .where(eq(whistles.id, id));
      return row ? { communityOrgId: row.c, districtId: row.d } : null;
    },
  };
}

export type ProjectsRepository = ReturnType<typeof projectsRepositoryFactory>;
