/** The no-show policy's settings (contract v2: NO_SHOW_LIMIT, NO_SHOW_WINDOW_DAYS, NO_SHOW_SUSPEND_DAYS). */
export interface NoShowPolicy {
  limit: number;
  windowDays: number;
  suspendDays: number;
}

const DAY = 24 * 3600 * 1000;

/**
 * The member's standing from the times of its counting no-shows (unexcused, not promoted;
 * a no-show happens when its post ends). Walking them in time order, the `limit`-th no-show
 * within `windowDays` suspends grabbing for `suspendDays` from that moment; the no-shows that
 * led to a suspension do not count toward the next one. `noShows` is what the member sees: its
 * counting no-shows within the window, now.
 */
export function standingOf(noShowTimes: Date[], policy: NoShowPolicy, now: Date): { noShows: number; suspendedUntil: Date | null } {
  const times = noShowTimes
    .map((d) => d.getTime())
    .filter((t) => t <= now.getTime())
    .sort((a, b) => a - b);
  const window = policy.windowDays * DAY;
  let resetAfter = -Infinity;
  let suspendedUntil: number | null = null;
  for (let i = 0; i < times.length; i++) {
    const t = times[i];
    const inWindow = times.slice(0, i + 1).filter((s) => s > resetAfter && s > t - window).length;
    if (inWindow >= policy.limit) {
      suspendedUntil = t + policy.suspendDays * DAY;
      resetAfter = t;
    }
  }
  const since = now.getTime() - window;
  return {
    noShows: times.filter((t) => t > since).length,
    suspendedUntil: suspendedUntil !== null && suspendedUntil > now.getTime() ? new Date(suspendedUntil) : null,
  };
}
