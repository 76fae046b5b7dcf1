import type { ClaimStatus } from '@pioneer/shared';
import { sql, type SQL } from 'drizzle-orm';

/**
 * The one no-show rule. A claim is a no-show when it was written down as one, or when it is
 * still `claimed` (never checked in) once its post has ended. The claims job writes the second
 * kind down on its own clock (settleNoShows); until it has, every reader (the claim's status,
 * a member's standing, the roll-ups the statistics and 先锋指数+ read) applies the same rule, so
 * nothing depends on whether or when the job ran.
 */

/** Still `claimed` when the post has ended: a no-show not yet written down. SQL over a claims and a tasks alias. */
export const pendingNoShowSql = (claim: string, task: string, now: string) => `(${claim}.status = 'claimed' and ${task}.ends_at <= ${now})`;

/** Every no-show, written down or pending. */
export const noShowSql = (claim: string, task: string, now: string) =>
  `(${claim}.status = 'no_show' or ${pendingNoShowSql(claim, task, now)})`;

/**
 * The same rule for drizzle statements over the `claims` and `tasks` tables (unaliased), `now`
 * bound as a parameter: made from the text above, so the rule is written once.
 */
export function noShowCondition(now: Date): SQL {
  const parts = noShowSql('"claims"', '"tasks"', '\u0001').split('\u0001');
  return sql.join(parts.flatMap((p, i) => (i === 0 ? [sql.raw(p)] : [sql`${now}::timestamptz`, sql.raw(p)])));
}

/** The status a reader sees: a pending no-show reads as `no_show`. */
export function claimStatus(status: ClaimStatus, taskEndsAt: Date | null, now: Date): ClaimStatus {
  return status === 'claimed' && taskEndsAt !== null && taskEndsAt.getTime() <= now.getTime() ? 'no_show' : status;
}
