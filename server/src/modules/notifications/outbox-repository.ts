import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { eventKey, payloadOf, type DeferredEvent, type NotificationEvent } from './outbox';
import type { OutboxWriter } from './outbox-port';

/** What a bulk load sets (`set local pioneer.notifications = 'off'`) so history notifies nobody, as in the claims trigger. */
const NOTIFICATIONS_ON = sql.raw(`coalesce(current_setting('pioneer.notifications', true), '') <> 'off'`);

/**
 * Many events in one statement (a draw settles hundreds of entries under the post's lock).
 * Enqueueing the same event twice is a no-op; a claim's event written by the trigger takes the
 * caller's more precise `outcome`.
 */
async function enqueueMany(tx: DbOrTx, events: DeferredEvent[]): Promise<void> {
  const byKey = new Map<string, DeferredEvent>();
  // One key once per statement: ON CONFLICT DO UPDATE may not touch a row twice.
  for (const e of events) byKey.set(eventKey(e), e);
  if (byKey.size === 0) return;
  const list = [...byKey.entries()];
  // Each list is ONE array parameter (sql.param): a bare JS array would be expanded into many.
  const keys = sql.param(list.map(([k]) => k));
  const kinds = sql.param(list.map(([, e]) => e.kind));
  const payloads = sql.param(list.map(([, e]) => JSON.stringify(payloadOf(e))));
  await tx.execute(sql`insert into notification_outbox (key, kind, payload)
     select u.key, u.kind, u.payload::jsonb from unnest(${keys}::text[], ${kinds}::text[], ${payloads}::text[]) u(key, kind, payload)
      where ${NOTIFICATIONS_ON}
     on conflict (key) do update set payload = excluded.payload
      where notification_outbox.relayed_at is null and excluded.kind = 'claim_result'
        and excluded.payload ? 'claimId' and excluded.payload ? 'outcome'`);
}

/**
 * Writes the event into the outbox on the caller's transaction handle, so it commits or rolls
 * back with the change that caused it. A cancelled post's claimants are taken down with it (its
 * claims end in the same transaction).
 */
async function enqueue(tx: DbOrTx, event: NotificationEvent): Promise<void> {
  if (event.kind === 'task_changed' && event.change === 'cancelled') {
    await tx.execute(sql`insert into notification_outbox (key, kind, payload)
       select ${eventKey(event)}, 'task_changed', ${JSON.stringify(payloadOf(event))}::jsonb || jsonb_build_object('memberIds', coalesce(
         (select jsonb_agg(member_id) from claims where task_id = ${event.taskId}::uuid and status in ('claimed', 'checked_in')), '[]'::jsonb))
        where ${NOTIFICATIONS_ON}
       on conflict (key) do nothing`);
    return;
  }
  await enqueueMany(tx, [event]);
}

/** The outbox's inserts: app.ts hands this to the modules that notify, as their OutboxWriter. */
export const outboxRepository: OutboxWriter = { enqueue, enqueueMany };
