import type { ClaimStatus } from '@pioneer/shared';

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

/** The status a reader sees: a pending no-show reads as `no_show`. */
export function claimStatus(status: ClaimStatus, taskEndsAt: Date | null, now: Date): ClaimStatus {
  return status === 'claimed' && taskEndsAt !== null && taskEndsAt.getTime() <= now.getTime() ? 'no_show' : status;
}
