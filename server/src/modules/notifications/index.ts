export {
  enqueueNotification,
  enqueueNotifications,
  eventKey,
  type DeferredEvent,
  type ClaimOutcome,
  type NotificationEvent,
  type OutboxExecutor,
} from './outbox';

import type { OutboxExecutor, NotificationEvent } from './outbox';

/**
 * What other modules depend on: write an event in their own transaction. Delivery happens
 * after commit, elsewhere (see pipeline.ts).
 */
export interface Notifier {
  enqueue(tx: OutboxExecutor, event: NotificationEvent): Promise<void>;
}
