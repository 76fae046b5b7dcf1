import { sql, type SQL } from 'drizzle-orm';

/**
 * An action is overdue at `t`: not done, and past its due time or an unfinished milestone's. The
 * one statement of the rule: meetings' own lists, figures and escalation, and the unit board's
 * figures, all count with it.
 */
export const overdueSql = (alias: string, t: SQL) => {
  const a = sql.raw(alias);
  return sql`(${a}.status in ('open', 'in_progress') and (${a}.due_at <= ${t}
    or exists (select 1 from meeting_milestones mm where mm.action_id = ${a}.id and mm.done_at is null and mm.due_at <= ${t})))`;
};
