export { eventKey, type DeferredEvent, type ClaimOutcome, type NotificationEvent } from './outbox';
export type { OutboxWriter } from './outbox-port';
import type { OutboxWriter } from './outbox-port';

/** What other modules depend on to notify: the outbox writer app.ts hands them. */
export type Notifier = OutboxWriter;
