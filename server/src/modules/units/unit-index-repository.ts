import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { overdueSql } from '../meetings/action-overdue-sql';

/** One unit party org's figures for a month, straight from the tables (results board, 单位报到成效). */
export interface UnitMonth {
  id: string;
  name: string;
  districtId: string;
  districtName: string;
  /** Lead and assist assignments of whistles given in the month (inform-only ones ask nothing). */
  assigned: number;
  /** Of those, signed (签收) by the unit. */
  responded: number;
  /** Of those, on whistles now closed (办结) or rated. */
  closed: number;
  /** Rated whistles among them and their mean satisfaction (1–5). */
  rated: number;
  satisfaction: number | null;
  /** Projects claimed in the month and not returned. */
  needsClaimed: number;
  /** Projects accepted (验收) in the month and their mean rating (1–5). */
  projectsAccepted: number;
  projectRating: number | null;
  /** Live claims made in the month by the unit's members; the unit's members now. */
  participations: number;
  members: number;
  /** 共商共办: meetings held in the month (by their start) the unit was invited to, and those someone of the unit attended. */
  meetingsInvited: number;
  meetingsAttended: number;
  /** Action items the unit owns due in the month; of those, done by their due time, and overdue now (past due, or a milestone's, not done). */
  actionsDue: number;
  actionsOnTime: number;
  actionsOverdue: number;
}

/** Reads only: every table here is written by its own module. */
export function unitIndexRepositoryFactory(db: Db) {
  return {
    /** `now`: when an action counts as overdue (as meetings' own figures read it). */
    async month(bounds: { from: Date; to: Date }, f: { districtId?: string; unitOrgId?: string }, now: Date): Promise<UnitMonth[]> {
      const from = bounds.from.toISOString();
      const to = bounds.to.toISOString();
      const t = sql`${now.toISOString()}::timestamptz`;
      const res = await db.execute(sql`
        with u as (
          select o.id, o.name, o.district_id, d.name as district_name
            from party_orgs o join districts d on d.id = o.district_id
           where o.kind = 'unit'
             ${f.districtId ? sql`and o.district_id = ${f.districtId}::uuid` : sql``}
             ${f.unitOrgId ? sql`and o.id = ${f.unitOrgId}::uuid` : sql``}
        ), wa as (
          select a.org_id,
                 count(*)::int as assigned,
                 count(*) filter (where a.signed_at is not null)::int as responded,
                 count(*) filter (where w.status in ('closed', 'rated'))::int as closed,
                 count(w.satisfaction)::int as rated,
                 avg(w.satisfaction)::float8 as satisfaction
            from whistle_assignments a join whistles w on w.id = a.whistle_id
           where a.part in ('lead', 'assist') and a.assigned_at >= ${from}::timestamptz and a.assigned_at < ${to}::timestamptz
             and a.org_id in (select id from u)
           group by a.org_id
        ), pc as (
          select unit_org_id, count(*)::int as n from projects
           where claimed_at >= ${from}::timestamptz and claimed_at < ${to}::timestamptz and status <> 'returned'
             and unit_org_id in (select id from u)
           group by unit_org_id
        ), pa as (
          select unit_org_id, count(*)::int as n, avg(rating)::float8 as rating from projects
           where accepted_at >= ${from}::timestamptz and accepted_at < ${to}::timestamptz
             and unit_org_id in (select id from u)
           group by unit_org_id
        ), mem as (
          select unit_org_id, count(*)::int as n from members where unit_org_id in (select id from u) group by unit_org_id
        ), part as (
          select m.unit_org_id, count(*)::int as n
            from claims c join members m on m.id = c.member_id
           where c.claimed_at >= ${from}::timestamptz and c.claimed_at < ${to}::timestamptz
             and c.status not in ('cancelled', 'released') and m.unit_org_id in (select id from u)
           group by m.unit_org_id
        ), mt as (
          select i.org_id, count(*)::int as invited,
                 count(*) filter (where exists (select 1 from meeting_attendance ma where ma.meeting_id = m.id and ma.org_id = i.org_id))::int as attended
            from meeting_invites i join meetings m on m.id = i.meeting_id
           where m.status = 'held' and m.starts_at >= ${from}::timestamptz and m.starts_at < ${to}::timestamptz
             and i.org_id in (select id from u)
           group by i.org_id
        ), ac as (
          select a.owner_org_id, count(*)::int as due,
                 count(*) filter (where a.status in ('done', 'confirmed') and a.done_at <= a.due_at)::int as on_time,
                 count(*) filter (where ${overdueSql('a', t)})::int as overdue
            from meeting_actions a
           where a.due_at >= ${from}::timestamptz and a.due_at < ${to}::timestamptz and a.owner_org_id in (select id from u)
           group by a.owner_org_id
        )
        select u.id, u.name, u.district_id, u.district_name,
               coalesce(wa.assigned, 0) as assigned, coalesce(wa.responded, 0) as responded, coalesce(wa.closed, 0) as closed,
               coalesce(wa.rated, 0) as rated, wa.satisfaction,
               coalesce(pc.n, 0) as needs_claimed, coalesce(pa.n, 0) as projects_accepted, pa.rating as project_rating,
               coalesce(part.n, 0) as participations, coalesce(mem.n, 0) as members,
               coalesce(mt.invited, 0) as meetings_invited, coalesce(mt.attended, 0) as meetings_attended,
               coalesce(ac.due, 0) as actions_due, coalesce(ac.on_time, 0) as actions_on_time, coalesce(ac.overdue, 0) as actions_overdue
          from u
          left join wa on wa.org_id = u.id
          left join pc on pc.unit_org_id = u.id
          left join pa on pa.unit_org_id = u.id
          left join mem on mem.unit_org_id = u.id
          left join part on part.unit_org_id = u.id
          left join mt on mt.org_id = u.id
          left join ac on ac.owner_org_id = u.id
         order by u.name, u.id`);
      return (res.rows as Record<string, unknown>[]).map((r) => ({
        id: r.id as string,
        name: r.name as string,
        districtId: r.district_id as string,
        districtName: r.district_name as string,
        assigned: Number(r.assigned),
        responded: Number(r.responded),
        closed: Number(r.closed),
        rated: Number(r.rated),
        satisfaction: r.satisfaction === null ? null : Number(r.satisfaction),
        needsClaimed: Number(r.needs_claimed),
        projectsAccepted: Number(r.projects_accepted),
        projectRating: r.project_rating === null ? null : Number(r.project_rating),
        participations: Number(r.participations),
        members: Number(r.members),
        meetingsInvited: Number(r.meetings_invited),
        meetingsAttended: Number(r.meetings_attended),
        actionsDue: Number(r.actions_due),
        actionsOnTime: Number(r.actions_on_time),
        actionsOverdue: Number(r.actions_overdue),
      }));
    },
  };
}

export type UnitIndexRepository = ReturnType<typeof unitIndexRepositoryFactory>;
