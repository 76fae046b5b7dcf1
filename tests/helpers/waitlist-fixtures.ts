import type { TestContext } from './test-app';

/**
 * A post's slots as the rows say and as the counters say: `claimed` must equal live claims plus
 * held offers, `held` the offers, `waitlisted` the waiting entries; `headSkipped` counts waiting
 * entries queued ahead of one that was already offered a slot (must stay 0).
 */
export async function waitlistState(ctx: TestContext, taskId: string) {
  const { rows } = await ctx.database.pool.query(
    `select t.claimed, t.held, t.waitlisted, t.capacity,
            (select count(*)::int from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released')) as live,
            (select count(*)::int from waitlist_entries w where w.task_id = t.id and w.status = 'offered') as offered,
            (select count(*)::int from waitlist_entries w where w.task_id = t.id and w.status = 'waiting') as waiting,
            (select count(*)::int from waitlist_entries w, waitlist_entries o
              where w.task_id = t.id and o.task_id = t.id and w.status = 'waiting' and o.offered_at is not null
                and (w.ord, coalesce(w.draw_rank, 0), w.id) < (o.ord, coalesce(o.draw_rank, 0), o.id)) as head_skipped,
            (select count(*)::int from (select member_id from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released')
                                        group by member_id having count(*) > 1) d) as doubled
       from tasks t where t.id = $1::uuid`,
    [taskId],
  );
  const r = rows[0];
  return {
    claimed: r.claimed as number,
    held: r.held as number,
    waitlisted: r.waitlisted as number,
    capacity: r.capacity as number,
    live: r.live as number,
    offered: r.offered as number,
    waiting: r.waiting as number,
    headSkipped: r.head_skipped as number,
    doubled: r.doubled as number,
  };
}

/** The invariants of contract v2's waitlist, as one object to compare. */
export function invariants(s: Awaited<ReturnType<typeof waitlistState>>) {
  return {
    claimedIsLivePlusHeld: s.claimed === s.live + s.offered,
    heldCounted: s.held === s.offered,
    waitingCounted: s.waitlisted === s.waiting,
    withinCapacity: s.claimed <= s.capacity,
    headSkipped: s.headSkipped,
    doubled: s.doubled,
  };
}

export const HOLDS = {
  claimedIsLivePlusHeld: true,
  heldCounted: true,
  waitingCounted: true,
  withinCapacity: true,
  headSkipped: 0,
  doubled: 0,
};
