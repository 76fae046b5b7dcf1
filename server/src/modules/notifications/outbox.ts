import { sql, type SQL } from 'drizzle-orm';
import type pg from 'pg';
import type { DbOrTx } from '../../db/client';

/** How a claim came about; the claims trigger writes `claimed`, other modules may say more. */
export type ClaimOutcome = 'claimed' | 'accepted' | 'promoted' | 'won';

/**
 * Everything that notifies someone. Recipients are resolved when the event is processed, from
 * the rows as they are then, except for a cancelled post: its claims end in the same
 * transaction, so its claimants are taken down with the event.
 */
export type NotificationEvent =
  /** A claim was granted (the claims trigger enqueues this for every claim; `outcome` refines it). */
  | { kind: 'claim_result'; claimId: string; outcome?: ClaimOutcome }
  /** A draw entry that did not win (it now waits on the waitlist). */
  | { kind: 'claim_result'; taskId: string; memberId: string; outcome: 'lost' }
  | { kind: 'waitlist_offer'; taskId: string; memberId: string; offerExpiresAt: Date | string }
  /** `version`: the post's row version after the change (one message per change and member). */
  | { kind: 'task_changed'; taskId: string; change: 'moved' | 'updated'; version: number }
  | { kind: 'task_changed'; taskId: string; change: 'cancelled' }
  | { kind: 'service_recorded'; claimId: string }
  | { kind: 'new_task'; taskId: string }
  /**
   * A step of a whistle: the liaisons and unit admins of `orgIds` (none: every unit it is addressed
   * to) are told, and with `raiser` also the raising side's staff (the raising community's
   * secretaries, or the raising 板块's admins), except whoever took the step: one message each.
   * `ref` names the step uniquely. Title, status and due time default to the whistle's own and
   * the action's label.
   */
  | {
      kind: 'whistle_update';
      whistleId: string;
      orgIds: string[];
      ref: string;
      action?: string;
      actorUserId?: string | null;
      raiser?: boolean;
      /** The unit whose step it was, named in the message. */
      orgName?: string | null;
      /** The new due time an extension asks for or was granted. */
      until?: Date | string | null;
      title?: string;
      status?: string;
      dueAt?: Date | string | null;
      note?: string | null;
    }
  /**
   * A step of 组织报到: the liaisons and admins of `unitOrgIds` and the secretaries of
   * `communityOrgIds` are told, except whoever took the step. `ref` names the step uniquely.
   */
  | {
      kind: 'unit_update';
      ref: string;
      title: string;
      status: string;
      body: string;
      unitOrgIds: string[];
      communityOrgIds: string[];
      actorUserId?: string | null;
      projectId?: string | null;
    }
  /**
   * 共商共办: staff of `orgIds` holding one of `roles`, and the admins of `districtIds`, are told
   * of a meeting's step (invitation, cancellation, a new action, an escalation), except the
   * actor: one message each. `ref` names the step uniquely within the meeting.
   */
  | {
      kind: 'meeting_update';
      meetingId: string;
      ref: string;
      action: 'invite' | 'cancel' | 'action' | 'escalate';
      orgIds: string[];
      roles: Array<'unit_liaison' | 'unit_admin' | 'secretary'>;
      districtIds?: string[];
      actorUserId?: string | null;
      /** The action item the step is about. */
      actionTitle?: string | null;
      dueAt?: Date | string | null;
    }
  /** Written by the reminder sweep, not by other modules. */
  | { kind: 'task_reminder'; claimId: string; offsetMinutes: number; startsAt: string };

/** Anything a module writes its event with: a drizzle transaction (or db), or a pg client holding a transaction. */
export type OutboxExecutor = DbOrTx | pg.PoolClient | pg.Pool;

const iso = (d: Date | string) => (typeof d === 'string' ? new Date(d) : d).toISOString();

export function eventKey(e: NotificationEvent): string {
  switch (e.kind) {
    case 'claim_result':
      return 'claimId' in e ? `claim_result:${e.claimId}` : `claim_result:lost:${e.taskId}:${e.memberId}`;
    case 'waitlist_offer':
      return `waitlist_offer:${e.taskId}:${e.memberId}:${iso(e.offerExpiresAt)}`;
    case 'task_changed':
      return e.change === 'cancelled' ? `task_changed:${e.taskId}:cancelled` : `task_changed:${e.taskId}:${e.version}`;
    case 'service_recorded':
      return `service_recorded:${e.claimId}`;
    case 'new_task':
      return `new_task:${e.taskId}`;
    case 'whistle_update':
      return `whistle_update:${e.whistleId}:${e.ref}`;
    case 'unit_update':
      return `unit_update:${e.ref}`;
    case 'meeting_update':
      return `meeting_update:${e.meetingId}:${e.ref}`;
    case 'task_reminder':
      return `task_reminder:${e.claimId}:${e.offsetMinutes}:${Date.parse(e.startsAt)}`;
  }
}

function payloadOf(e: NotificationEvent): Record<string, unknown> {
  const { kind: _kind, ...rest } = e;
  const out: Record<string, unknown> = { ...rest };
  if ('offerExpiresAt' in e) out.offerExpiresAt = iso(e.offerExpiresAt);
  if ('dueAt' in e && e.dueAt) out.dueAt = iso(e.dueAt);
  if ('until' in e && e.until) out.until = iso(e.until);
  return out;
}

/** `$1`-style text and values as a drizzle SQL, so one statement serves both kinds of executor. */
function asDrizzle(text: string, values: unknown[]): SQL {
  const chunks: SQL[] = [];
  const parts = text.split(/\$(\d+)/);
  for (let i = 0; i < parts.length; i++) {
    chunks.push(i % 2 === 0 ? sql.raw(parts[i]) : sql`${sql.param(values[Number(parts[i]) - 1])}`);
  }
  return sql.join(chunks);
}

async function run(ex: OutboxExecutor, text: string, values: unknown[]): Promise<void> {
  if ('execute' in ex && typeof ex.execute === 'function') {
    await (ex as DbOrTx).execute(asDrizzle(text, values));
  } else {
    await (ex as pg.PoolClient).query(text, values);
  }
}

/** What a bulk load sets (`set local pioneer.notifications = 'off'`) so history notifies nobody, as in the claims trigger. */
const NOTIFICATIONS_ON = `coalesce(current_setting('pioneer.notifications', true), '') <> 'off'`;

/**
 * Writes the event into the outbox with the caller's executor, so it commits or rolls back with
 * the change that caused it. Enqueueing the same event twice is a no-op; a claim's event written
 * by the trigger takes the caller's more precise `outcome`.
 */
export async function enqueueNotification(ex: OutboxExecutor, event: NotificationEvent): Promise<void> {
  if (event.kind === 'task_changed' && event.change === 'cancelled') {
    await run(
      ex,
      `insert into notification_outbox (key, kind, payload)
       select $1, 'task_changed', $2::jsonb || jsonb_build_object('memberIds', coalesce(
         (select jsonb_agg(member_id) from claims where task_id = $3::uuid and status in ('claimed', 'checked_in')), '[]'::jsonb))
        where ${NOTIFICATIONS_ON}
       on conflict (key) do nothing`,
      [eventKey(event), JSON.stringify(payloadOf(event)), event.taskId],
    );
    return;
  }
  await enqueueNotifications(ex, [event]);
}

/** An event whose recipients are resolved later, from the rows as they are then (every kind but a cancellation). */
export type DeferredEvent = Exclude<NotificationEvent, { kind: 'task_changed'; change: 'cancelled' }>;

/**
 * Many events in one statement (a draw settles hundreds of entries under the post's lock), by
 * the same rules as `enqueueNotification`.
 */
export async function enqueueNotifications(ex: OutboxExecutor, events: DeferredEvent[]): Promise<void> {
  const byKey = new Map<string, DeferredEvent>();
  // One key once per statement: ON CONFLICT DO UPDATE may not touch a row twice.
  for (const e of events) byKey.set(eventKey(e), e);
  if (byKey.size === 0) return;
  const list = [...byKey.entries()];
  await run(
    ex,
    `insert into notification_outbox (key, kind, payload)
     select u.key, u.kind, u.payload::jsonb from unnest($1::text[], $2::text[], $3::text[]) u(key, kind, payload)
      where ${NOTIFICATIONS_ON}
     on conflict (key) do update set payload = excluded.payload
      where notification_outbox.relayed_at is null and excluded.kind = 'claim_result'
        and excluded.payload ? 'claimId' and excluded.payload ? 'outcome'`,
    [list.map(([k]) => k), list.map(([, e]) => e.kind), list.map(([, e]) => JSON.stringify(payloadOf(e)))],
  );
}
