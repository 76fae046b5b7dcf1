import type { ActionStatus, MeetingStatus } from '@pioneer/shared';
import { AppError } from '../../lib/errors';

/**
 * Every allowed step of 共商共办, one table each. A step from any other state is 409
 * INVALID_TRANSITION; services never decide that themselves. Action items belong to held
 * meetings only: what a meeting decides becomes owned work once it has been held.
 */
const MEETING_TRANSITIONS = {
  close: { from: ['scheduled'], to: 'held' },
  cancel: { from: ['scheduled'], to: 'cancelled' },
  add_action: { from: ['held'], to: 'held' },
} as const satisfies Record<string, { from: readonly MeetingStatus[]; to: MeetingStatus }>;

const ACTION_TRANSITIONS = {
  progress: { from: ['open', 'in_progress'], to: 'in_progress' },
  done: { from: ['open', 'in_progress'], to: 'done' },
  confirm: { from: ['done'], to: 'confirmed' },
  reopen: { from: ['done'], to: 'in_progress' },
} as const satisfies Record<string, { from: readonly ActionStatus[]; to: ActionStatus }>;

type MeetingStep = keyof typeof MEETING_TRANSITIONS;
export type ActionStep = keyof typeof ACTION_TRANSITIONS;

const refuse = (what: string, state: string): never => {
  throw new AppError('INVALID_TRANSITION', undefined, { details: [{ path: 'status', reason: `${what} not allowed from ${state}` }] });
};

const includes = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

export function meetingStep(step: MeetingStep, from: MeetingStatus): MeetingStatus {
  const t = MEETING_TRANSITIONS[step];
  return includes(t.from, from) ? t.to : refuse(step, from);
}

export function actionStep(step: ActionStep, from: ActionStatus): ActionStatus {
  const t = ACTION_TRANSITIONS[step];
  return includes(t.from, from) ? t.to : refuse(step, from);
}

/** Attendance is taken from an hour before the start to four hours after it. */
export const CHECKIN_OPENS_BEFORE_MS = 3600_000;
export const CHECKIN_CLOSES_AFTER_MS = 4 * 3600_000;
