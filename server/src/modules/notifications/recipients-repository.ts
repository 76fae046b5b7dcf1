import { and, eq, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../../db/client';
import { claims, meetings, members, partyOrgs, roleGrants, tasks, waitlistEntries } from '../../db/schema';
import { arrayParam, dateOf } from '../../db/sql-text';
import type { TaskFacts } from './templates';

export type TaskFactsRow = TaskFacts & { status: string };

export interface ClaimFacts {
  userId: string;
  memberId: string;
  status: string;
  claimedAt: Date;
  minutes: number | null;
  checkedOutAt: Date | null;
  task: TaskFactsRow;
}

/** A post as its messages name it (title, place, times, community). */
const taskFactColumns = {
  id: tasks.id,
  title: tasks.title,
  category: tasks.category,
  location: tasks.location,
  startsAt: tasks.startsAt,
  endsAt: tasks.endsAt,
  capacity: tasks.capacity,
  status: tasks.status,
  communityName: partyOrgs.name,
};

/** `column = any($n::uuid[])`: the list goes as ONE array parameter, however long. */
const anyUuid = (column: AnyPgColumn, ids: readonly string[]) => sql`${column} = any(${arrayParam(ids)}::uuid[])`;

const userIdsOf = (rows: Array<{ userId: string }>) => rows.map((r) => r.userId);

/**
 * What a notification event is about and who hears of it, read by the pipeline when it processes
 * the event (from the rows as they are then). Reads only: the tables are other modules'.
 */
export function recipientsRepositoryFactory(db: DbOrTx) {
  return {
    async taskFacts(taskId: string): Promise<TaskFactsRow | null> {
      const [row] = await db
        .select(taskFactColumns)
        .from(tasks)
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(eq(tasks.id, taskId));
      return row ?? null;
    },

    async claimFacts(claimId: string): Promise<ClaimFacts | null> {
      const [row] = await db
        .select({
          userId: members.userId,
          memberId: claims.memberId,
          status: claims.status,
          claimedAt: claims.claimedAt,
          minutes: claims.minutes,
          checkedOutAt: claims.checkedOutAt,
          task: taskFactColumns,
        })
        .from(claims)
        .innerJoin(members, eq(members.id, claims.memberId))
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(eq(claims.id, claimId));
      return row ?? null;
    },

    async usersOfMembers(memberIds: string[]): Promise<string[]> {
      if (memberIds.length === 0) return [];
      return userIdsOf(await db.select({ userId: members.userId }).from(members).where(anyUuid(members.id, memberIds)));
    },

    /** The member's user while its offer on the post with this deadline is still open (not yet accepted, declined or expired). */
    async openOfferUsers(taskId: string, memberId: string, offerExpiresAt: Date): Promise<string[]> {
      const rows = await db
        .select({ userId: members.userId })
        .from(waitlistEntries)
        .innerJoin(members, eq(members.id, waitlistEntries.memberId))
        .where(
          and(
            eq(waitlistEntries.taskId, taskId),
            eq(waitlistEntries.memberId, memberId),
            eq(waitlistEntries.status, 'offered'),
            eq(waitlistEntries.offerExpiresAt, offerExpiresAt),
          ),
        );
      return userIdsOf(rows);
    },

    /** Members holding a claim that is still ahead of them (claimed or checked in). */
    async liveClaimantUsers(taskId: string): Promise<string[]> {
      const rows = await db
        .select({ userId: members.userId })
        .from(claims)
        .innerJoin(members, eq(members.id, claims.memberId))
        .where(and(eq(claims.taskId, taskId), inArray(claims.status, ['claimed', 'checked_in'])));
      return userIdsOf(rows);
    },

    /** Members of the post's community who follow its category (GIN index on the categories). */
    async followerUsers(taskId: string): Promise<string[]> {
      const { rows } = await db.execute<{ userId: string }>(sql`select m.user_id as "userId"
           from tasks t
           join member_preferences p on p.follow_categories @> array[t.category]
           join members m on m.id = p.member_id and m.community_org_id = t.community_org_id
          where t.id = ${taskId}::uuid`);
      return userIdsOf(rows);
    },

    /** The secretaries of the communities. */
    async secretaryUsers(communityOrgIds: string[]): Promise<string[]> {
      if (communityOrgIds.length === 0) return [];
      const rows = await db
        .selectDistinct({ userId: roleGrants.userId })
        .from(roleGrants)
        .where(and(anyUuid(roleGrants.orgId, communityOrgIds), eq(roleGrants.role, 'secretary')));
      return userIdsOf(rows);
    },

    /** Who answers for a unit org's whistles: its liaisons (红色代办员) and unit admins. */
    async orgStaffUsers(orgIds: string[]): Promise<string[]> {
      if (orgIds.length === 0) return [];
      const rows = await db
        .selectDistinct({ userId: roleGrants.userId })
        .from(roleGrants)
        .where(and(anyUuid(roleGrants.orgId, orgIds), inArray(roleGrants.role, ['unit_liaison', 'unit_admin'])));
      return userIdsOf(rows);
    },

    /**
     * Who raised a whistle and waits for its answers: the raising community's secretaries, or,
     * for a whistle of a 板块, its district admins (not the district above every community whistle).
     */
    async raiserStaffUsers(whistleId: string): Promise<string[]> {
      const { rows } = await db.execute<{ userId: string }>(sql`select distinct g.user_id as "userId"
           from whistles w
           join role_grants g on (w.raised_by_org_id is not null and g.role = 'secretary' and g.org_id = w.raised_by_org_id)
                              or (w.raised_by_org_id is null and g.role = 'district_admin' and g.org_id = w.raised_by_district_id)
          where w.id = ${whistleId}::uuid`);
      return userIdsOf(rows);
    },

    /** Staff of these orgs holding one of `roles`, and the admins of these 板块 (共商共办 notices). */
    async staffUsers(orgIds: string[], roles: string[], districtIds: string[]): Promise<string[]> {
      const { rows } = await db.execute<{ userId: string }>(sql`select distinct user_id as "userId" from role_grants
          where (org_id = any(${arrayParam(orgIds)}::uuid[]) and role = any(${arrayParam(roles)}::text[]))
             or (org_id = any(${arrayParam(districtIds)}::uuid[]) and role = 'district_admin')`);
      return userIdsOf(rows);
    },

    async meetingFacts(meetingId: string): Promise<{ title: string; startsAt: Date; location: string; status: string } | null> {
      const [row] = await db
        .select({ title: meetings.title, startsAt: meetings.startsAt, location: meetings.location, status: meetings.status })
        .from(meetings)
        .where(eq(meetings.id, meetingId));
      return row ?? null;
    },

    async whistleFacts(whistleId: string): Promise<{ title: string; dueAt: Date; orgIds: string[] } | null> {
      const { rows } = await db.execute<{ title: string; dueAt: string; orgIds: string[] }>(sql`select w.title, w.due_at as "dueAt",
                coalesce((select array_agg(a.org_id) from whistle_assignments a where a.whistle_id = w.id and a.status <> 'returned'), '{}') as "orgIds"
           from whistles w where w.id = ${whistleId}::uuid`);
      const r = rows[0];
      return r ? { title: r.title, dueAt: dateOf(r.dueAt)!, orgIds: r.orgIds } : null;
    },
  };
}

export type RecipientsRepository = ReturnType<typeof recipientsRepositoryFactory>;
