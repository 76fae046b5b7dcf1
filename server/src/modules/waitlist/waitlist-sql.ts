/**
 * Parts of the claims' one-statement changes that write the waitlist's rows: every write of
 * `waitlist_entries` lives in this module.
 */

/** $1 task, $2 now: a cancelled post's waiting and offered entries expire. */
export const EXPIRE_POST_QUEUE_CTE = `
             update waitlist_entries set status = 'expired', updated_at = $2::timestamptz
              where task_id = $1::uuid and status in ('waiting', 'offered')
             returning status`;

/** $1 now: waiting entries of posts that have started expire; returns their task ids. */
export const EXPIRE_STARTED_WAITING_CTE = `
           update waitlist_entries w set status = 'expired', updated_at = $1::timestamptz
             from tasks t
            where w.task_id = t.id and w.status = 'waiting' and t.starts_at <= $1::timestamptz
           returning w.task_id`;
