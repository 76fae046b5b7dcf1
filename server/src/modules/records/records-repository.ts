import { and, desc, eq, getTableColumns, inArray, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { claims, members, partyOrgs, recordAmendments, recordCorrections, tasks } from '../../db/schema';
import type { RecordState } from '../../db/schema/records';
import type { ClaimRow } from '../claims/claim-mappers';
import type { TaskRow } from '../tasks/task-mappers';

export type CorrectionRow = typeof recordCorrections.$inferSelect & { memberName: string; taskTitle: string; taskStartsAt: Date };
type AmendmentRow = typeof recordAmendments.$inferSelect & { actorName: string | null };
type RecordItemRow = { task: TaskRow; claim: ClaimRow };

const NOT_LIVE = ['cancelled', 'released'] as const;
const taskColumns = { ...getTableColumns(tasks), communityName: partyOrgs.name };
/** China-time calendar day of a post's start (records' `from`/`to` are days in China time). */
const startDay = sql`(${tasks.startsAt} at time zone 'Asia/Shanghai')::date`;

/** Days bounding a member's records: `from`/`to` inclusive, either open. */
interface DayRange {
  from?: string;
  to?: string;
}
const inRange = (r: DayRange): SQL[] => [
  ...(r.from ? [sql`${startDay} >= ${r.from}::date`] : []),
  ...(r.to ? [sql`${startDay} <= ${r.to}::date`] : []),
];

/** The records module's tables (corrections and the amendment history); records themselves are claims, read here. */
export function recordsRepositoryFactory(db: Db) {
  const correctionSelect = (tx: DbOrTx) =>
    tx
      .select({
        c: recordCorrections,
        memberName: sql<string>`coalesce(${members.name}, '')`,
        taskTitle: tasks.title,
        taskStartsAt: tasks.startsAt,
      })
      .from(recordCorrections)
      .innerJoin(tasks, eq(tasks.id, recordCorrections.taskId))
      .leftJoin(members, eq(members.id, recordCorrections.memberId));
  const flat = (r: {
    c: typeof recordCorrections.$inferSelect;
    memberName: string;
    taskTitle: string;
    taskStartsAt: Date;
  }): CorrectionRow => ({
    ...r.c,
    memberName: r.memberName,
    taskTitle: r.taskTitle,
    taskStartsAt: r.taskStartsAt,
  });

  return {
    async insertCorrection(tx: DbOrTx, values: typeof recordCorrections.$inferInsert): Promise<string> {
      const [row] = await tx.insert(recordCorrections).values(values).returning({ id: recordCorrections.id });
      return row.id;
    },

    async findCorrection(id: string, tx: DbOrTx = db): Promise<CorrectionRow | null> {
      const [row] = await correctionSelect(tx).where(eq(recordCorrections.id, id));
      return row ? flat(row) : null;
    },

    async lockCorrection(tx: DbOrTx, id: string) {
      const [row] = await tx.select().from(recordCorrections).where(eq(recordCorrections.id, id)).for('update');
      return row ?? null;
    },

    async decideCorrection(
      tx: DbOrTx,
      id: string,
      set: Pick<typeof recordCorrections.$inferInsert, 'status' | 'decidedBy' | 'decidedAt' | 'note' | 'approvedMinutes' | 'claimId'>,
    ): Promise<void> {
      await tx.update(recordCorrections).set(set).where(eq(recordCorrections.id, id));
    },

    async correctionsOf(where: { communityOrgId?: string; memberId?: string; status?: CorrectionRow['status'] }): Promise<CorrectionRow[]> {
      const rows = await correctionSelect(db)
        .where(
          and(
            where.communityOrgId ? eq(recordCorrections.communityOrgId, where.communityOrgId) : undefined,
            where.memberId ? eq(recordCorrections.memberId, where.memberId) : undefined,
            where.status ? eq(recordCorrections.status, where.status) : undefined,
          ),
        )
        .orderBy(desc(recordCorrections.createdAt))
        .limit(200);
      return rows.map(flat);
    },

    /** 注销: the member's requests move to the anonymous id. */
    async relabel(tx: DbOrTx, memberId: string, anonymous: string): Promise<void> {
      await tx.update(recordCorrections).set({ memberId: anonymous }).where(eq(recordCorrections.memberId, memberId));
    },

    async appendAmendment(
      tx: DbOrTx,
      values: {
        claimId: string;
        version: number;
        source: 'secretary' | 'correction' | 'supplement';
        before: RecordState | null;
        after: RecordState;
        actorUserId: string | null;
        reason: string;
        correctionId?: string | null;
        createdAt: Date;
      },
    ): Promise<void> {
      await tx.insert(recordAmendments).values(values);
    },

    async history(claimId: string): Promise<AmendmentRow[]> {
      const rows = await db
        .select({ a: recordAmendments, actorName: members.name })
        .from(recordAmendments)
        .leftJoin(members, eq(members.userId, recordAmendments.actorUserId))
        .where(eq(recordAmendments.claimId, claimId))
        .orderBy(recordAmendments.version, recordAmendments.createdAt);
      return rows.map((r) => ({ ...r.a, actorName: r.actorName }));
    },

    /** A record with its post (for the history's reader checks). */
    async findRecord(claimId: string): Promise<RecordItemRow | null> {
      const [row] = await db
        .select({ task: taskColumns, claim: getTableColumns(claims) })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(eq(claims.id, claimId));
      return row ?? null;
    },

    /**
     * The member's service, done or under way (completed and checked-in claims: an upcoming or missed post
     * is no service), in the range, newest post first, after the keyset `after`. 我的 shows a check-in as 已签到.
     */
    async recordsPage(
      memberId: string,
      range: DayRange,
      after: { startsAt: Date; id: string } | null,
      limit: number,
    ): Promise<RecordItemRow[]> {
      return db
        .select({ task: taskColumns, claim: getTableColumns(claims) })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(
          and(
            eq(claims.memberId, memberId),
            inArray(claims.status, ['checked_in', 'completed']),
            ...inRange(range),
            after ? sql`(${tasks.startsAt}, ${claims.id}) < (${after.startsAt}, ${after.id})` : undefined,
          ),
        )
        .orderBy(desc(tasks.startsAt), desc(claims.id))
        .limit(limit);
    },

    /** Records (completed claims) and their minutes in the range (all time without one). */
    async totals(memberId: string, range: DayRange = {}): Promise<{ tasks: number; minutes: number }> {
      const [row] = await db
        .select({
          tasks: sql<number>`count(*)::int`,
          minutes: sql<number>`coalesce(sum(${claims.minutes}), 0)::bigint`,
        })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .where(and(eq(claims.memberId, memberId), eq(claims.status, 'completed'), ...inRange(range)));
      return { tasks: row.tasks, minutes: Number(row.minutes) };
    },

    /** The member's live claims on posts not over at `now`, soonest first (the home page's 我的近期岗位 and its markers). */
    async upcomingClaims(memberId: string, now: Date, limit: number): Promise<RecordItemRow[]> {
      return db
        .select({ task: taskColumns, claim: getTableColumns(claims) })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(and(eq(claims.memberId, memberId), notInArray(claims.status, [...NOT_LIVE]), sql`${tasks.endsAt} > ${now}`))
        .orderBy(tasks.startsAt, claims.id)
        .limit(limit);
    },

    /** All-time completed minutes per member (exports, star levels). */
    async minutesOf(memberIds: string[]): Promise<Map<string, number>> {
      if (memberIds.length === 0) return new Map();
      const rows = await db
        .select({ memberId: claims.memberId, minutes: sql<number>`coalesce(sum(${claims.minutes}), 0)::bigint` })
        .from(claims)
        .where(and(inArray(claims.memberId, memberIds), eq(claims.status, 'completed')))
        .groupBy(claims.memberId);
      return new Map(rows.map((r) => [r.memberId, Number(r.minutes)]));
    },

    /** Completed records of a member in a day range, oldest first (certificates). */
    async completedIn(memberId: string, range: DayRange, communityOrgId?: string): Promise<RecordItemRow[]> {
      return db
        .select({ task: taskColumns, claim: getTableColumns(claims) })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(
          and(
            eq(claims.memberId, memberId),
            eq(claims.status, 'completed'),
            sql`${claims.minutes} > 0`,
            communityOrgId ? eq(tasks.communityOrgId, communityOrgId) : undefined,
            ...inRange(range),
          ),
        )
        .orderBy(tasks.startsAt, claims.id);
    },
  };
}

export type RecordsRepository = ReturnType<typeof recordsRepositoryFactory>;
