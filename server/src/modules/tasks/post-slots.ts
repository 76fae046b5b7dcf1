import { and, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { tasks } from '../../db/schema';

/**
 * A post's slot counters (claimed, held, waitlisted, draw_entered, filled_at, drawn_at,
 * entries_root, service_minutes) and its cancellation are columns of this module's table:
 * every write of them is here. Claims, the waitlist and the draw move them inside their own
 * transactions, on the client holding the post's lock (the functions), or, where a claim is
 * decided in one statement on the hot path, by embedding the statement part given here (the
 * `…Cte` texts: one round trip, the same prepared statement as before).
 */

/** $1 task, $3 now; `conditions`: the claim's own checks. Returns the post as `t` (id, claimed, capacity, status, version). */
export const takeOneSlotCte = (conditions: string) => `
  update tasks
     set claimed = claimed + 1,
         filled_at = case when claimed + 1 - held = capacity then $3::timestamptz else filled_at end
   where id = $1::uuid
${conditions}
  returning id, claimed, capacity, status, version`;

/** $1 task, $3 now: as many slots as the claims CTE `c` inserted. */
export const TAKE_BATCH_SLOTS_CTE = `
  update tasks
     set claimed = claimed + (select count(*) from c),
         filled_at = case when claimed + (select count(*) from c) - held = capacity then $3::timestamptz else filled_at end
   where id = $1::uuid and exists (select 1 from c)
  returning id, claimed, capacity, status, version`;

/** The minutes of the completed claims CTE `c` add to their posts' service minutes. */
export const ADD_SERVICE_MINUTES_CTE = `
  update tasks set service_minutes = service_minutes + c.minutes
    from c
   where tasks.id = c.task_id
  returning 1`;

/** $1 task: one more draw entry if the entries CTE `e` inserted one. */
export const COUNT_DRAW_ENTRY_CTE = `
               update tasks set draw_entered = draw_entered + 1 where id = $1::uuid and exists (select 1 from e) returning 1`;

/** $1 task: the cancelled claims CTE `c` give their slots back, held slots and the queue go. */
export const EMPTY_CANCELLED_POST_CTE = `
             update tasks set claimed = claimed - (select count(*) from c)::int - held, held = 0, waitlisted = 0
              where id = $1::uuid
             returning id, claimed, capacity, status, version`;

/** The expired waiting entries CTE `w` (task_id) leave their posts' queues. */
export const LEAVE_QUEUES_STATEMENT = `
         update tasks set waitlisted = waitlisted - n.k
           from (select task_id, count(*)::int as k from w group by task_id) n
          where tasks.id = n.task_id`;

export const postSlots = {
  /** Cancels an open post that has not ended: false when it is not (then nothing changed). The post's row stays locked. */
  async cancelOpen(tx: DbOrTx, taskId: string, now: Date): Promise<boolean> {
    const locked = await tx
      .update(tasks)
      .set({ status: 'cancelled', cancelledAt: now })
      .where(and(eq(tasks.id, taskId), eq(tasks.status, 'open'), gt(tasks.endsAt, now)))
      .returning({ id: tasks.id });
    return locked.length > 0;
  },

  async addWaitlisted(tx: DbOrTx, taskId: string, delta: 1 | -1): Promise<void> {
    await tx
      .update(tasks)
      .set({ waitlisted: delta === 1 ? sql`waitlisted + 1` : sql`waitlisted - 1` })
      .where(eq(tasks.id, taskId));
  },

  /** A slot held for an offer is no longer held. */
  async unhold(tx: DbOrTx, taskId: string): Promise<void> {
    await tx
      .update(tasks)
      .set({ held: sql`held - 1` })
      .where(eq(tasks.id, taskId));
  },

  async drawEntryWithdrawn(tx: DbOrTx, taskId: string): Promise<void> {
    await tx
      .update(tasks)
      .set({ drawEntered: sql`draw_entered - 1` })
      .where(eq(tasks.id, taskId));
  },

  /** An offer turned into a claim: the held slot becomes a live one, `claimed` does not move. Slots remaining. */
  async offerAccepted(tx: DbOrTx, taskId: string, now: Date): Promise<number> {
    const [t] = await tx
      .update(tasks)
      .set({
        held: sql`held - 1`,
        filledAt: sql`case when claimed - (held - 1) = capacity then coalesce(filled_at, ${now}::timestamptz) else filled_at end`,
      })
      .where(eq(tasks.id, taskId))
      .returning({ remaining: sql<number>`capacity - claimed` });
    return t.remaining;
  },

  /** A draw's result on its post: winners' slots, losers' queue places, draw time and entries root. */
  async drawSettled(tx: DbOrTx, d: { taskId: string; won: number; waiting: number; now: Date; root: string }): Promise<void> {
    await tx
      .update(tasks)
      .set({
        claimed: sql`claimed + ${d.won}::int`,
        waitlisted: sql`waitlisted + ${d.waiting}::int`,
        drawnAt: d.now,
        entriesRoot: d.root,
        filledAt: sql`case when claimed + ${d.won}::int - held = capacity then ${d.now}::timestamptz else filled_at end`,
      })
      .where(eq(tasks.id, d.taskId));
  },

  /** A corrected record moves the post's service minutes by `delta`. */
  async addServiceMinutes(tx: DbOrTx, taskId: string, delta: number): Promise<void> {
    await tx
      .update(tasks)
      .set({ serviceMinutes: sql`${tasks.serviceMinutes} + ${delta}` })
      .where(sql`${tasks.id} = ${taskId}`);
  },

  /** 补录: `added` completed claims of `minutes` in all on a post; the capacity grows if they do not fit. Returns `t` for a notification. */
  recordedCte(taskId: string, added: number, minutes: number, now: Date): SQL {
    return sql`
          update ${tasks}
             set claimed = claimed + ${added},
                 capacity = greatest(capacity, claimed + ${added}),
                 service_minutes = service_minutes + ${minutes},
                 filled_at = case when claimed + ${added} - held >= greatest(capacity, claimed + ${added})
                                  then coalesce(filled_at, ${now}::timestamptz) else filled_at end
           where id = ${taskId}
          returning id, claimed, capacity, status, version`;
  },
};
