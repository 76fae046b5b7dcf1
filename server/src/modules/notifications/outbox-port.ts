import type { DbOrTx } from '../../db/client';
import type { DeferredEvent, NotificationEvent } from './outbox';

/**
 * What a module that notifies is handed (app.ts wires it from the outbox repository): write
 * events into the outbox on the module's own transaction handle, so they commit or roll back with
 * the change that caused them. Delivery happens after commit, elsewhere (see pipeline.ts).
 */
export interface OutboxWriter {
  enqueue(tx: DbOrTx, event: NotificationEvent): Promise<void>;
  /** Many events in one statement, by the same rules (every kind but a cancellation). */
  enqueueMany(tx: DbOrTx, events: DeferredEvent[]): Promise<void>;
}
