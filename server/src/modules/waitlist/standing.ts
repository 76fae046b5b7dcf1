import type pg from 'pg';
import { noShowSql } from '../claims/no-show-rule';

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

/** Counting no-shows of a member: written down or computed on read (still `claimed` after the end). */
export async function noShowTimes(q: pg.Pool | pg.PoolClient, memberId: string, now: Date, policy: NoShowPolicy): Promise<Date[]> {
  const { rows } = await q.query(
    `select t.ends_at from claims c join tasks t on t.id = c.task_id
      where c.member_id = $1::uuid and not c.excused and not c.promoted
        and ${noShowSql('c', 't', '$2::timestamptz')}
        and t.ends_at > $2::timestamptz - make_interval(days => $3::int)
      order by t.ends_at`,
    [memberId, now, 2 * policy.windowDays + policy.suspendDays],
  );
  return rows.map((r) => r.ends_at as Date);
}

/** Writes the member's suspension where the claim statements read it. */
export async function storeStanding(
  q: pg.Pool | pg.PoolClient,
  memberId: string,
  s: { noShows: number; suspendedUntil: Date | null },
  now: Date,
): Promise<void> {
  await q.query(
    `insert into member_standing (member_id, no_shows, suspended_until, updated_at) values ($1::uuid, $2, $3::timestamptz, $4::timestamptz)
     on conflict (member_id) do update set no_shows = excluded.no_shows, suspended_until = excluded.suspended_until, updated_at = excluded.updated_at`,
    [memberId, s.noShows, s.suspendedUntil, now],
  );
}
