import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { overdueSql } from '../meetings/action-overdue-sql';
import { ALL_PERIOD } from '../rollups/rollups-sql';

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
  /**
   * Live claims of the unit's members on posts starting in the month, and the unit's members now:
   * both from the roll-ups (as the unit's statistics count them), as of the roll-up job's last run.
   */
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

type Row = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/**
 * Reads only: every table here is written by its own module. The month is read in three small
 * statements sent at once (each plans in well under a millisecond, where one statement joining
 * them all planned in 10 ms): the unit orgs; their roll-up rows (members, participations); and
 * the month's whistles, projects, meetings and actions, each read through an index led by its
 * time (migration 0061), so their cost follows the month's activity, not the tables' size.
 */
export function unitIndexRepositoryFactory(db: Db) {
  const rows = async (statement: SQL) => (await db.execute(statement)).rows as Row[];

  return {
    /** What a kept board is computed from besides the month's own rows: the roll-ups' and the directory's versions. */
    async versions(): Promise<string> {
      const [r] = await rows(sql`
        select (select version from rollup_state where id = 1)::text as rollups, (select version from directory_state where id = 1)::text as orgs`);
      return `${(r.rollups as string | null) ?? '0'}|${(r.orgs as string | null) ?? '0'}`;
    },

    /**
     * Every unit's month (the board is the city's; a district's list and one unit's explanation are
     * cut from it). `bounds`: the month (`period` YYYY-MM, local) and its instants. `now`: when an
     * action counts as overdue (as meetings' own figures read it).
     */
    async month(bounds: { period: string; from: Date; to: Date }, now: Date): Promise<UnitMonth[]> {
      const from = sql`${bounds.from.toISOString()}::timestamptz`;
      const to = sql`${bounds.to.toISOString()}::timestamptz`;
      const t = sql`${now.toISOString()}::timestamptz`;
      const [units, rolled, live] = await Promise.all([
        rows(sql`
          select o.id, o.name, o.district_id, d.name as district_name
            from party_orgs o join districts d on d.id = o.district_id
           where o.kind = 'unit'`),
        // Members now (the 'all' row) and the month's participations (live claims of the unit's
        // members on posts starting in the month): the roll-up job rewrites a unit's rows whenever
        // its members or their claims change, so these are as fresh as its last run.
        rows(sql`
          select scope_id as id, grain, members, participations from stats_rollups
           where scope = 'unit' and ((grain = 'all' and period = ${ALL_PERIOD}::date) or (grain = 'month' and period = ${`${bounds.period}-01`}::date))`),
        // The month's own figures per org (communities among them are dropped below).
        rows(sql`
          select 'wa' as k, a.org_id as id,
                 count(*)::int as n1,
                 count(*) filter (where a.signed_at is not null)::int as n2,
                 count(*) filter (where w.status in ('closed', 'rated'))::int as n3,
                 count(w.satisfaction)::int as n4,
                 avg(w.satisfaction)::float8 as x
            from whistle_assignments a join whistles w on w.id = a.whistle_id
           where a.part in ('lead', 'assist') and a.assigned_at >= ${from} and a.assigned_at < ${to}
           group by a.org_id
          union all
          select 'pc', unit_org_id, count(*)::int, 0, 0, 0, null from projects
           where claimed_at >= ${from} and claimed_at < ${to} and status <> 'returned'
           group by unit_org_id
          union all
          select 'pa', unit_org_id, count(*)::int, 0, 0, 0, avg(rating)::float8 from projects
           where accepted_at >= ${from} and accepted_at < ${to}
           group by unit_org_id
          union all
          select 'mt', i.org_id, count(*)::int,
                 count(*) filter (where exists (select 1 from meeting_attendance ma where ma.meeting_id = m.id and ma.org_id = i.org_id))::int, 0, 0, null
            from meetings m join meeting_invites i on i.meeting_id = m.id
           where m.status = 'held' and m.starts_at >= ${from} and m.starts_at < ${to}
           group by i.org_id
          union all
          select 'ac', a.owner_org_id, count(*)::int,
                 count(*) filter (where a.status in ('done', 'confirmed') and a.done_at <= a.due_at)::int,
                 count(*) filter (where ${overdueSql('a', t)})::int, 0, null
            from meeting_actions a
           where a.due_at >= ${from} and a.due_at < ${to}
           group by a.owner_org_id`),
      ]);
      const members = new Map<string, number>();
      const participations = new Map<string, number>();
      for (const r of rolled)
        (r.grain === 'all' ? members : participations).set(r.id as string, num(r.grain === 'all' ? r.members : r.participations));
      const month = new Map<string, Row>();
      for (const r of live) month.set(`${r.k as string}|${r.id as string}`, r);
      return units.map((u) => {
        const id = u.id as string;
        const part = (k: string) => month.get(`${k}|${id}`);
        const wa = part('wa');
        const pa = part('pa');
        const mt = part('mt');
        const ac = part('ac');
        return {
          id,
          name: u.name as string,
          districtId: u.district_id as string,
          districtName: u.district_name as string,
          assigned: num(wa?.n1),
          responded: num(wa?.n2),
          closed: num(wa?.n3),
          rated: num(wa?.n4),
          satisfaction: wa?.x === null || wa?.x === undefined ? null : Number(wa.x),
          needsClaimed: num(part('pc')?.n1),
          projectsAccepted: num(pa?.n1),
          projectRating: pa?.x === null || pa?.x === undefined ? null : Number(pa.x),
          participations: participations.get(id) ?? 0,
          members: members.get(id) ?? 0,
          meetingsInvited: num(mt?.n1),
          meetingsAttended: num(mt?.n2),
          actionsDue: num(ac?.n1),
          actionsOnTime: num(ac?.n2),
          actionsOverdue: num(ac?.n3),
        };
      });
    },
  };
}

export type UnitIndexRepository = ReturnType<typeof unitIndexRepositoryFactory>;
