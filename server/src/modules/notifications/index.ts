import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { DbOrTx } from '../../db/client';
import type { DeferredEvent, NotificationEvent } from './outbox';
import type { OutboxWriter } from './outbox-port';
import { outboxRepository } from './outbox-repository';

export { eventKey, type DeferredEvent, type ClaimOutcome, type NotificationEvent } from './outbox';
export type { OutboxWriter } from './outbox-port';

/** What other modules depend on to notify: the outbox writer app.ts hands them. */
export type Notifier = OutboxWriter;

/** A transaction handle, or (until the waitlist takes an OutboxWriter from app.ts) a pg client holding one. */
type Handle = DbOrTx | pg.PoolClient;
const onHandle = (h: Handle): DbOrTx => ('execute' in h ? h : (drizzle(h) as unknown as DbOrTx));

/**
 * Transitional: the waitlist still imports these instead of being handed the OutboxWriter; the
 * statements are the outbox repository's either way.
 */
export const enqueueNotification = (h: Handle, event: NotificationEvent) => outboxRepository.enqueue(onHandle(h), event);
export const enqueueNotifications = (h: Handle, events: DeferredEvent[]) => outboxRepository.enqueueMany(onHandle(h), events);
