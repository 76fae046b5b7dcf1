import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { districts, partyOrgs, tasks, whistleAssignments, whistleEvents, whistleExtensions, whistles } from '../../db/schema';

export type WhistleRow = typeof whistles.$inferSelect;
export type AssignmentRow = typeof whistleAssignments.$inferSelect & { orgName: string };
export type ExtensionRow = typeof whistleExtensions.$inferSelect;
export type WhistleEventRow = typeof whistleEvents.$inferSelect & { orgName: string | null };
export type WhistleWithRaiser = WhistleRow & { raisedByName: string };

interface WhistleListFilter {
  raisedByOrgId?: string;
  districtId?: string;
  unitOrgId?: string;
  status?: WhistleRow['status'];
  assignmentStatus?: AssignmentRow['status'];
  overdueAt?: Date;
  after?: { c: string; i: string };
  limit: number;
}

const raiserName = sql<string>`coalesce(
  (select po.name from party_orgs po where po.id = ${whistles.raisedByOrgId}),
  (select d.name from districts d where d.id = ${whistles.raisedByDistrictId}))`;

const assignmentColumns = {
  id: whistleAssignments.id,
  whistleId: whistleAssignments.whistleId,
  orgId: whistleAssignments.orgId,
  part: whistleAssignments.part,
  status: whistleAssignments.status,
  dueAt: whistleAssignments.dueAt,
  assignedAt: whistleAssignments.assignedAt,
  signedAt: whistleAssignments.signedAt,
  answeredAt: whistleAssignments.answeredAt,
  returnedAt: whistleAssignments.returnedAt,
  answerText: whistleAssignments.answerText,
  answerTaskIds: whistleAssignments.answerTaskIds,
  returnReason: whistleAssignments.returnReason,
  orgName: partyOrgs.name,
};

export function whistlesRepositoryFactory(db: Db) {
  return {
    /** Locks the whistle row: every step on a whistle and its assignments runs under this lock. */
    async lock(id: string, tx: DbOrTx): Promise<WhistleRow | null> {
      const [row] = await tx.select().from(whistles).where(eq(whistles.id, id)).for('update');
      return row ?? null;
    },

    async find(id: string, tx: DbOrTx = db): Promise<WhistleWithRaiser | null> {
      const [row] = await tx.select({ w: whistles, raisedByName: raiserName }).from(whistles).where(eq(whistles.id, id));
      return row ? { ...row.w, raisedByName: row.raisedByName } : null;
    },

    async insert(values: typeof whistles.$inferInsert, tx: DbOrTx): Promise<string> {
      const [row] = await tx.insert(whistles).values(values).returning({ id: whistles.id });
      return row.id;
    },

    async update(id: string, set: Partial<typeof whistles.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(whistles).set(set).where(eq(whistles.id, id));
    },

    async insertAssignments(values: Array<typeof whistleAssignments.$inferInsert>, tx: DbOrTx): Promise<void> {
      if (values.length) await tx.insert(whistleAssignments).values(values);
    },

    async updateAssignment(id: string, set: Partial<typeof whistleAssignments.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(whistleAssignments).set(set).where(eq(whistleAssignments.id, id));
    },

    async assignments(whistleIds: string[], tx: DbOrTx = db): Promise<AssignmentRow[]> {
      if (whistleIds.length === 0) return [];
      return tx
        .select(assignmentColumns)
        .from(whistleAssignments)
        .innerJoin(partyOrgs, eq(partyOrgs.id, whistleAssignments.orgId))
        .where(inArray(whistleAssignments.whistleId, whistleIds))
        .orderBy(sql`case ${whistleAssignments.part} when 'lead' then 0 when 'assist' then 1 else 2 end`, asc(partyOrgs.name));
    },

    async extensions(whistleId: string, tx: DbOrTx = db): Promise<ExtensionRow[]> {
      return tx
        .select()
        .from(whistleExtensions)
        .where(eq(whistleExtensions.whistleId, whistleId))
        .orderBy(asc(whistleExtensions.createdAt));
    },

    async insertExtension(values: typeof whistleExtensions.$inferInsert, tx: DbOrTx): Promise<string> {
      const [row] = await tx.insert(whistleExtensions).values(values).returning({ id: whistleExtensions.id });
      return row.id;
    },

    async findExtension(whistleId: string, extId: string, tx: DbOrTx): Promise<ExtensionRow | null> {
      const [row] = await tx
        .select()
        .from(whistleExtensions)
        .where(and(eq(whistleExtensions.id, extId), eq(whistleExtensions.whistleId, whistleId)));
      return row ?? null;
    },

    async updateExtension(id: string, set: Partial<typeof whistleExtensions.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(whistleExtensions).set(set).where(eq(whistleExtensions.id, id));
    },

    async insertEvent(values: typeof whistleEvents.$inferInsert, tx: DbOrTx): Promise<void> {
      await tx.insert(whistleEvents).values(values);
    },

    async events(whistleId: string, tx: DbOrTx = db): Promise<WhistleEventRow[]> {
      const rows = await tx
        .select({ e: whistleEvents, orgName: partyOrgs.name })
        .from(whistleEvents)
        .leftJoin(partyOrgs, eq(partyOrgs.id, whistleEvents.orgId))
        .where(eq(whistleEvents.whistleId, whistleId))
        .orderBy(asc(whistleEvents.id));
      return rows.map((r) => ({ ...r.e, orgName: r.orgName }));
    },

    async tasks(whistleId: string, tx: DbOrTx = db) {
      return tx
        .select({
          id: tasks.id,
          title: tasks.title,
          communityName: partyOrgs.name,
          startsAt: tasks.startsAt,
          endsAt: tasks.endsAt,
          capacity: tasks.capacity,
          claimed: tasks.claimed,
          status: tasks.status,
          filledAt: tasks.filledAt,
        })
        .from(tasks)
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(eq(tasks.whistleId, whistleId))
        .orderBy(asc(tasks.startsAt));
    },

    async partyOrgs(ids: string[], tx: DbOrTx = db) {
      if (ids.length === 0) return [];
      return tx
        .select({ id: partyOrgs.id, kind: partyOrgs.kind, name: partyOrgs.name, districtId: partyOrgs.districtId })
        .from(partyOrgs)
        .where(inArray(partyOrgs.id, ids));
    },

    async districtName(id: string, tx: DbOrTx = db): Promise<string | null> {
      const [row] = await tx.select({ name: districts.name }).from(districts).where(eq(districts.id, id));
      return row?.name ?? null;
    },

    /** Newest first, keyset on (created_at, id). */
    async list(f: WhistleListFilter, tx: DbOrTx = db): Promise<WhistleWithRaiser[]> {
      const where: SQL[] = [];
      if (f.raisedByOrgId) where.push(eq(whistles.raisedByOrgId, f.raisedByOrgId));
      if (f.districtId) where.push(eq(whistles.raisedByDistrictId, f.districtId));
      if (f.status) where.push(eq(whistles.status, f.status));
      const own: SQL[] = [];
      if (f.unitOrgId) own.push(sql`wa.org_id = ${f.unitOrgId}::uuid`);
      if (f.assignmentStatus) own.push(sql`wa.status = ${f.assignmentStatus}`);
      if (f.overdueAt) own.push(sql`wa.status in ('pending', 'signed') and wa.due_at <= ${f.overdueAt.toISOString()}::timestamptz`);
      if (own.length) {
        where.push(
          sql`exists (select 1 from whistle_assignments wa where wa.whistle_id = ${whistles.id} and ${sql.join(own, sql` and `)})`,
        );
      }
      if (f.after) where.push(sql`(${whistles.createdAt}, ${whistles.id}) < (${f.after.c}::timestamptz, ${f.after.i}::uuid)`);
      const rows = await tx
        .select({ w: whistles, raisedByName: raiserName })
        .from(whistles)
        .where(where.length ? and(...where) : undefined)
        .orderBy(desc(whistles.createdAt), desc(whistles.id))
        .limit(f.limit);
      return rows.map((r) => ({ ...r.w, raisedByName: r.raisedByName }));
    },
  };
}

export type WhistlesRepository = ReturnType<typeof whistlesRepositoryFactory>;
