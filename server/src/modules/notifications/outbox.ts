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

/** The event as the outbox row's payload (times as ISO strings). */
export function payloadOf(e: NotificationEvent): Record<string, unknown> {
  const { kind: _kind, ...rest } = e;
  const out: Record<string, unknown> = { ...rest };
  if ('offerExpiresAt' in e) out.offerExpiresAt = iso(e.offerExpiresAt);
  if ('dueAt' in e && e.dueAt) out.dueAt = iso(e.dueAt);
  if ('until' in e && e.until) out.until = iso(e.until);
  return out;
}

/** An event whose recipients are resolved later, from the rows as they are then (every kind but a cancellation). */
export type DeferredEvent = Exclude<NotificationEvent, { kind: 'task_changed'; change: 'cancelled' }>;
