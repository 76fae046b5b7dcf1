import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { LiveAttendance } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { overdueSql } from './action-overdue-sql';
import { MEETING_ATTENDANCE_CHANNEL } from './attendance-channel';
import {
  districts,
  meetingActionEvents,
  meetingActions,
  meetingAttendance,
  meetingInvites,
  meetingLinks,
  meetingMilestones,
  meetings,
  partyOrgs,
  roleGrants,
  whistles,
} from '../../db/schema';

export type MeetingRow = typeof meetings.$inferSelect;
export type ActionRow = typeof meetingActions.$inferSelect;
export type MilestoneRow = typeof meetingMilestones.$inferSelect;
export type ActionEventRow = typeof meetingActionEvents.$inferSelect & { orgName: string | null; milestoneTitle: string | null };
export type MeetingWithConvener = MeetingRow & { convenerName: string };

const convenerName = sql<string>`coalesce(
  (select po.name from party_orgs po where po.id = ${meetings.communityOrgId}),
  (select d.name from districts d where d.id = ${meetings.districtId}))`;

/** Which meetings a list or figure covers. */
export type MeetingScope = { scope: 'city' } | { scope: 'district' | 'community' | 'unit'; id: string };

/** The meetings of a scope as an SQL condition on `meetings` (a unit: invited, or owning or assisting an action). */
function meetingsIn(s: MeetingScope): SQL {
  if (s.scope === 'city') return sql`true`;
  if (s.scope === 'district') return sql`${meetings.districtId} = ${s.id}::uuid`;
  if (s.scope === 'community') return sql`${meetings.communityOrgId} = ${s.id}::uuid`;
  return sql`(exists (select 1 from meeting_invites mi where mi.meeting_id = ${meetings.id} and mi.org_id = ${s.id}::uuid)
    or exists (select 1 from meeting_actions ma where ma.meeting_id = ${meetings.id}
               and (ma.owner_org_id = ${s.id}::uuid or ${s.id}::uuid = any(ma.assist_org_ids))))`;
}

export function meetingsRepositoryFactory(db: Db) {
  return {
    async partyOrgs(ids: string[], tx: DbOrTx = db) {
      if (ids.length === 0) return [];
      return tx
        .select({ id: partyOrgs.id, kind: partyOrgs.kind, name: partyOrgs.name, districtId: partyOrgs.districtId })
        .from(partyOrgs)
        .where(inArray(partyOrgs.id, ids));
    },

    async districtExists(id: string, tx: DbOrTx = db): Promise<boolean> {
      const [row] = await tx.select({ id: districts.id }).from(districts).where(eq(districts.id, id));
      return Boolean(row);
    },

    /** A whistle of a community by title (the demo seed links its meetings to the seeded whistles). */
    async whistleIdByTitle(communityOrgId: string, title: string, tx: DbOrTx = db): Promise<string | null> {
      const [row] = await tx
        .select({ id: whistles.id })
        .from(whistles)
        .where(and(eq(whistles.raisedByOrgId, communityOrgId), eq(whistles.title, title)));
      return row?.id ?? null;
    },

    /** The demo seed's lookup of a need (the units module owns the table; this only links to it). */
    async needIdByTitle(communityOrgId: string, title: string, tx: DbOrTx = db): Promise<string | null> {
      const { rows } = await tx.execute<{ id: string }>(
        sql`select id from needs where community_org_id = ${communityOrgId}::uuid and title = ${title} order by created_at limit 1`,
      );
      return rows[0]?.id ?? null;
    },

    async whistlesForLink(ids: string[], tx: DbOrTx) {
      if (ids.length === 0) return [];
      return tx
        .select({ id: whistles.id, title: whistles.title, raisedByOrgId: whistles.raisedByOrgId, districtId: whistles.raisedByDistrictId })
        .from(whistles)
        .where(inArray(whistles.id, ids));
    },

    /**
     * Needs (需求清单) by id with their community, read only if the units module's table is there
     * (it owns it; this module only links to it).
     */
    async needsForLink(ids: string[], tx: DbOrTx): Promise<Array<{ id: string; communityOrgId: string; districtId: string }> | null> {
      if (ids.length === 0) return [];
      const exists = await tx.execute<{ t: string | null }>(sql`select to_regclass('public.needs')::text as t`);
      if (!exists.rows[0]?.t) return null;
      const { rows } = await tx.execute<{ id: string; communityOrgId: string; districtId: string }>(
        sql`select n.id, n.community_org_id as "communityOrgId", po.district_id as "districtId"
              from needs n join party_orgs po on po.id = n.community_org_id
             where n.id = any(${sql.param(ids)}::uuid[])`,
      );
      return rows;
    },

    async insertMeeting(values: typeof meetings.$inferInsert, tx: DbOrTx): Promise<string> {
      const [row] = await tx.insert(meetings).values(values).returning({ id: meetings.id });
      return row.id;
    },

    async insertInvites(meetingId: string, orgIds: string[], tx: DbOrTx): Promise<void> {
      if (orgIds.length) await tx.insert(meetingInvites).values(orgIds.map((orgId) => ({ meetingId, orgId })));
    },

    async insertLinks(meetingId: string, kind: 'whistle' | 'need', ids: string[], tx: DbOrTx): Promise<void> {
      if (ids.length) await tx.insert(meetingLinks).values(ids.map((refId) => ({ meetingId, kind, refId })));
    },

    async lockMeeting(id: string, tx: DbOrTx): Promise<MeetingRow | null> {
      const [row] = await tx.select().from(meetings).where(eq(meetings.id, id)).for('update');
      return row ?? null;
    },

    async findMeeting(id: string, tx: DbOrTx = db): Promise<MeetingWithConvener | null> {
      const [row] = await tx.select({ m: meetings, convenerName }).from(meetings).where(eq(meetings.id, id));
      return row ? { ...row.m, convenerName: row.convenerName } : null;
    },

    async updateMeeting(id: string, set: Partial<typeof meetings.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(meetings).set(set).where(eq(meetings.id, id));
    },

    /** Newest start first, keyset on (starts_at, id). */
    async listMeetings(
      f: { scope: MeetingScope; status?: MeetingRow['status']; after?: { c: string; i: string }; limit: number; ids?: string[] },
      tx: DbOrTx = db,
    ): Promise<MeetingWithConvener[]> {
      const where: SQL[] = [meetingsIn(f.scope)];
      if (f.status) where.push(eq(meetings.status, f.status));
      if (f.ids) where.push(f.ids.length ? inArray(meetings.id, f.ids) : sql`false`);
      if (f.after) where.push(sql`(${meetings.startsAt}, ${meetings.id}) < (${f.after.c}::timestamptz, ${f.after.i}::uuid)`);
      const rows = await tx
        .select({ m: meetings, convenerName })
        .from(meetings)
        .where(and(...where))
        .orderBy(desc(meetings.startsAt), desc(meetings.id))
        .limit(f.limit);
      return rows.map((r) => ({ ...r.m, convenerName: r.convenerName }));
    },

    async invites(meetingIds: string[], tx: DbOrTx = db) {
      if (meetingIds.length === 0) return [];
      return tx
        .select({ meetingId: meetingInvites.meetingId, id: partyOrgs.id, name: partyOrgs.name })
        .from(meetingInvites)
        .innerJoin(partyOrgs, eq(partyOrgs.id, meetingInvites.orgId))
        .where(inArray(meetingInvites.meetingId, meetingIds))
        .orderBy(asc(partyOrgs.name));
    },

    async links(meetingIds: string[], tx: DbOrTx = db) {
      if (meetingIds.length === 0) return [];
      return tx
        .select({ meetingId: meetingLinks.meetingId, kind: meetingLinks.kind, refId: meetingLinks.refId, whistleTitle: whistles.title })
        .from(meetingLinks)
        .leftJoin(whistles, and(eq(meetingLinks.kind, 'whistle'), eq(whistles.id, meetingLinks.refId)))
        .where(inArray(meetingLinks.meetingId, meetingIds));
    },

    /** The meetings linked to a whistle or need. */
    async meetingsLinkedTo(
      kind: 'whistle' | 'need',
      refIds: string[],
      tx: DbOrTx = db,
    ): Promise<Array<{ meetingId: string; refId: string }>> {
      if (refIds.length === 0) return [];
      return tx
        .select({ meetingId: meetingLinks.meetingId, refId: meetingLinks.refId })
        .from(meetingLinks)
        .where(and(eq(meetingLinks.kind, kind), inArray(meetingLinks.refId, refIds)));
    },

    async attendanceCounts(meetingIds: string[], tx: DbOrTx = db): Promise<Map<string, number>> {
      if (meetingIds.length === 0) return new Map();
      const rows = await tx
        .select({ meetingId: meetingAttendance.meetingId, n: sql<number>`count(*)::int` })
        .from(meetingAttendance)
        .where(inArray(meetingAttendance.meetingId, meetingIds))
        .groupBy(meetingAttendance.meetingId);
      return new Map(rows.map((r) => [r.meetingId, r.n]));
    },

    async attendance(meetingId: string, tx: DbOrTx = db) {
      return tx
        .select({ orgId: meetingAttendance.orgId, orgName: partyOrgs.name, role: meetingAttendance.role, at: meetingAttendance.at })
        .from(meetingAttendance)
        .innerJoin(partyOrgs, eq(partyOrgs.id, meetingAttendance.orgId))
        .where(eq(meetingAttendance.meetingId, meetingId))
        .orderBy(asc(meetingAttendance.at), asc(meetingAttendance.userId));
    },

    /** Records one attendance per person; answers false when the person was already recorded. */
    async insertAttendance(values: typeof meetingAttendance.$inferInsert, tx: DbOrTx): Promise<boolean> {
      const rows = await tx.insert(meetingAttendance).values(values).onConflictDoNothing().returning({ at: meetingAttendance.at });
      return rows.length > 0;
    },

    /** Tells every process's live listener (delivered when `tx` commits): the convener's QR screen lists it at once. */
    async notifyAttendance(payload: LiveAttendance, tx: DbOrTx): Promise<void> {
      await tx.execute(sql`select pg_notify(${MEETING_ATTENDANCE_CHANNEL}, ${JSON.stringify(payload)})`);
    },

    async findAttendance(meetingId: string, userId: string, tx: DbOrTx = db) {
      const [row] = await tx
        .select({ orgId: meetingAttendance.orgId, orgName: partyOrgs.name, role: meetingAttendance.role, at: meetingAttendance.at })
        .from(meetingAttendance)
        .innerJoin(partyOrgs, eq(partyOrgs.id, meetingAttendance.orgId))
        .where(and(eq(meetingAttendance.meetingId, meetingId), eq(meetingAttendance.userId, userId)));
      return row ?? null;
    },

    /** The staff grants (secretary, unit admin, 红色代办员) a user holds for these orgs. */
    async staffGrants(userId: string, orgIds: string[], tx: DbOrTx = db) {
      if (orgIds.length === 0) return [];
      return tx
        .select({ orgId: roleGrants.orgId, role: roleGrants.role })
        .from(roleGrants)
        .where(
          and(
            eq(roleGrants.userId, userId),
            inArray(roleGrants.orgId, orgIds),
            inArray(roleGrants.role, ['secretary', 'unit_admin', 'unit_liaison']),
          ),
        );
    },

    async insertAction(values: typeof meetingActions.$inferInsert, tx: DbOrTx): Promise<string> {
      const [row] = await tx.insert(meetingActions).values(values).returning({ id: meetingActions.id });
      return row.id;
    },

    async insertMilestones(values: Array<typeof meetingMilestones.$inferInsert>, tx: DbOrTx): Promise<void> {
      if (values.length) await tx.insert(meetingMilestones).values(values);
    },

    async lockAction(id: string, tx: DbOrTx): Promise<ActionRow | null> {
      const [row] = await tx.select().from(meetingActions).where(eq(meetingActions.id, id)).for('update');
      return row ?? null;
    },

    async findAction(id: string, tx: DbOrTx = db): Promise<ActionRow | null> {
      const [row] = await tx.select().from(meetingActions).where(eq(meetingActions.id, id));
      return row ?? null;
    },

    async updateAction(id: string, set: Partial<typeof meetingActions.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(meetingActions).set(set).where(eq(meetingActions.id, id));
    },

    async markMilestoneDone(id: string, at: Date, tx: DbOrTx): Promise<void> {
      await tx.update(meetingMilestones).set({ doneAt: at }).where(eq(meetingMilestones.id, id));
    },

    async insertActionEvent(values: typeof meetingActionEvents.$inferInsert, tx: DbOrTx): Promise<void> {
      await tx.insert(meetingActionEvents).values(values);
    },

    /** The latest progress the owner reported (a reopened action goes back to it). */
    async lastReportedProgress(actionId: string, tx: DbOrTx): Promise<number> {
      const [row] = await tx
        .select({ progress: meetingActionEvents.progress })
        .from(meetingActionEvents)
        .where(and(eq(meetingActionEvents.actionId, actionId), eq(meetingActionEvents.kind, 'progress')))
        .orderBy(desc(meetingActionEvents.id))
        .limit(1);
      return row?.progress ?? 0;
    },

    async actionsOf(meetingIds: string[], tx: DbOrTx = db): Promise<ActionRow[]> {
      if (meetingIds.length === 0) return [];
      return tx
        .select()
        .from(meetingActions)
        .where(inArray(meetingActions.meetingId, meetingIds))
        .orderBy(asc(meetingActions.createdAt), asc(meetingActions.id));
    },

    /** Actions of a unit (or of every unit in reach when `ownerOrgIds` is null), overdue first, then by due time. */
    async listActions(f: { ownerOrgIds: string[] | null; status?: ActionRow['status']; overdueAt?: Date; now: Date }, tx: DbOrTx = db) {
      const t = sql`${f.now.toISOString()}::timestamptz`;
      const where: SQL[] = [];
      if (f.ownerOrgIds) where.push(f.ownerOrgIds.length ? inArray(meetingActions.ownerOrgId, f.ownerOrgIds) : sql`false`);
      if (f.status) where.push(eq(meetingActions.status, f.status));
      if (f.overdueAt !== undefined) where.push(overdueSql('meeting_actions', t));
      return tx
        .select()
        .from(meetingActions)
        .where(where.length ? and(...where) : undefined)
        .orderBy(sql`case when ${overdueSql('meeting_actions', t)} then 0 else 1 end`, asc(meetingActions.dueAt), asc(meetingActions.id))
        .limit(200);
    },

    async milestones(actionIds: string[], tx: DbOrTx = db): Promise<MilestoneRow[]> {
      if (actionIds.length === 0) return [];
      return tx
        .select()
        .from(meetingMilestones)
        .where(inArray(meetingMilestones.actionId, actionIds))
        .orderBy(asc(meetingMilestones.actionId), asc(meetingMilestones.position));
    },

    async actionEvents(actionIds: string[], tx: DbOrTx = db): Promise<ActionEventRow[]> {
      if (actionIds.length === 0) return [];
      const rows = await tx
        .select({ e: meetingActionEvents, orgName: partyOrgs.name, milestoneTitle: meetingMilestones.title })
        .from(meetingActionEvents)
        .leftJoin(partyOrgs, eq(partyOrgs.id, meetingActionEvents.actorOrgId))
        .leftJoin(meetingMilestones, eq(meetingMilestones.id, meetingActionEvents.milestoneId))
        .where(inArray(meetingActionEvents.actionId, actionIds))
        .orderBy(asc(meetingActionEvents.id));
      return rows.map((r) => ({ ...r.e, orgName: r.orgName, milestoneTitle: r.milestoneTitle }));
    },

    async meetingTitles(
      ids: string[],
      tx: DbOrTx = db,
    ): Promise<Map<string, { title: string; districtId: string; communityOrgId: string | null }>> {
      if (ids.length === 0) return new Map();
      const rows = await tx
        .select({ id: meetings.id, title: meetings.title, districtId: meetings.districtId, communityOrgId: meetings.communityOrgId })
        .from(meetings)
        .where(inArray(meetings.id, ids));
      return new Map(rows.map((r) => [r.id, r]));
    },

    /**
     * Marks overdue actions escalated, at most once each: the conditional update is the
     * guarantee (an action already marked is not matched again, and a concurrent run waits on the
     * row lock, re-checks `escalated_at is null`, and skips it).
     */
    async markEscalated(now: Date, tx: DbOrTx) {
      const t = sql`${now.toISOString()}::timestamptz`;
      const { rows } = await tx.execute<{
        id: string;
        meetingId: string;
        title: string;
        ownerOrgId: string;
        dueAt: string;
        districtId: string;
      }>(sql`
        update meeting_actions a set escalated_at = ${t}
          from meetings m
         where m.id = a.meeting_id and a.escalated_at is null and ${overdueSql('a', t)}
        returning a.id, a.meeting_id as "meetingId", a.title, a.owner_org_id as "ownerOrgId", a.due_at as "dueAt", m.district_id as "districtId"`);
      return rows;
    },

    /** Figures of a scope, straight from the rows (see MeetingStats). */
    async figures(s: MeetingScope, now: Date, tx: DbOrTx = db) {
      const t = sql`${now.toISOString()}::timestamptz`;
      const unitOnly = s.scope === 'unit' ? sql`and a.owner_org_id = ${s.id}::uuid` : sql``;
      const { rows } = await tx.execute<{ held: number; actions: number; onTime: number; overdue: number; handled: number }>(sql`
        with m as (select ${meetings.id} as id, ${meetings.status} as status, ${meetings.handledTotal} as handled_total
                     from ${meetings} where ${meetingsIn(s)}),
        a as (select a.* from meeting_actions a where a.meeting_id in (select id from m) ${unitOnly})
        select
          (select count(*)::int from m where status = 'held') as "held",
          (select count(*)::int from a) as "actions",
          (select count(*)::int from a where a.status in ('done', 'confirmed') and a.done_at <= a.due_at) as "onTime",
          (select count(*)::int from a where ${overdueSql('a', t)}) as "overdue",
          (select coalesce(sum(handled_total), 0)::int from m where status = 'held') as "handled"`);
      return rows[0];
    },

    /** Held meetings about a community: convened for it, or about one of its whistles (or needs). */
    async publicMeetingIds(communityOrgId: string, tx: DbOrTx = db): Promise<string[]> {
      const { rows } = await tx.execute<{ id: string }>(sql`
        select m.id from meetings m
         where m.status = 'held' and (
           m.community_org_id = ${communityOrgId}::uuid
           or exists (select 1 from meeting_links l join whistles w on w.id = l.ref_id
                       where l.meeting_id = m.id and l.kind = 'whistle' and w.raised_by_org_id = ${communityOrgId}::uuid))
         order by m.starts_at desc limit 50`);
      return rows.map((r) => r.id);
    },

    async whistleStatuses(ids: string[], tx: DbOrTx = db) {
      if (ids.length === 0) return [];
      return tx.select({ id: whistles.id, title: whistles.title, status: whistles.status }).from(whistles).where(inArray(whistles.id, ids));
    },
  };
}

export type MeetingsRepository = ReturnType<typeof meetingsRepositoryFactory>;
