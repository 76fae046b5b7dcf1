import type { AssignmentStatus, DemandStatus, ExtensionStatus, WhistleStatus } from '@pioneer/shared';
import { AppError } from '../../lib/errors';

/**
 * Every allowed step of the 吹哨报到 state machines, in one table each. A step not listed, or
 * listed but taken from another state, is 409 INVALID_TRANSITION; services never decide that
 * themselves. `whistleIn` restricts an assignment's steps to whistles in those states.
 */
const WHISTLE_TRANSITIONS = {
  /** System step: the lead unit answered. */
  lead_answered: { from: ['open'], to: 'answered' },
  verify: { from: ['answered'], to: 'verified' },
  close: { from: ['verified'], to: 'closed' },
  rate: { from: ['closed'], to: 'rated' },
  /** Only within REOPEN_WINDOW_MS of closing (checked with the clock by `reopenAllowed`). */
  reopen: { from: ['closed', 'rated'], to: 'open' },
  readdress: { from: ['open'], to: 'open' },
} as const satisfies Record<string, { from: readonly WhistleStatus[]; to: WhistleStatus }>;

const ACTIVE_WHISTLE = ['open', 'answered'] as const satisfies readonly WhistleStatus[];

const ASSIGNMENT_TRANSITIONS = {
  sign: { from: ['pending'], to: 'signed', whistleIn: ACTIVE_WHISTLE },
  answer: { from: ['signed'], to: 'answered', whistleIn: ACTIVE_WHISTLE },
  return: { from: ['pending', 'signed'], to: 'returned', whistleIn: ['open'] },
  /** Asks for more time; the assignment keeps its state. */
  extend: { from: ['pending', 'signed'], to: null, whistleIn: ACTIVE_WHISTLE },
  /** The raiser addresses a unit that had returned it again. */
  readdress: { from: ['returned'], to: 'pending', whistleIn: ['open'] },
  /** A reopened whistle needs a fresh answer. */
  reopen: { from: ['answered'], to: 'signed', whistleIn: ['closed', 'rated'] },
} as const satisfies Record<
  string,
  { from: readonly AssignmentStatus[]; to: AssignmentStatus | null; whistleIn: readonly WhistleStatus[] }
>;

const EXTENSION_TRANSITIONS = {
  approve: { from: ['pending'], to: 'approved', whistleIn: ACTIVE_WHISTLE },
  deny: { from: ['pending'], to: 'denied', whistleIn: ACTIVE_WHISTLE },
} as const satisfies Record<string, { from: readonly ExtensionStatus[]; to: ExtensionStatus; whistleIn: readonly WhistleStatus[] }>;

const DEMAND_TRANSITIONS = {
  post: { from: ['new'], to: 'posted' },
  whistle: { from: ['new'], to: 'whistled' },
  reject: { from: ['new'], to: 'rejected' },
} as const satisfies Record<string, { from: readonly DemandStatus[]; to: DemandStatus }>;

type WhistleAction = keyof typeof WHISTLE_TRANSITIONS;
export type AssignmentAction = keyof typeof ASSIGNMENT_TRANSITIONS;
export type ExtensionAction = keyof typeof EXTENSION_TRANSITIONS;
type DemandAction = keyof typeof DEMAND_TRANSITIONS;

const REOPEN_WINDOW_MS = 7 * 24 * 3600 * 1000;

const refuse = (what: string, state: string): never => {
  throw new AppError('INVALID_TRANSITION', undefined, { details: [{ path: 'status', reason: `${what} not allowed from ${state}` }] });
};

const includes = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

export function whistleStep(action: WhistleAction, from: WhistleStatus): WhistleStatus {
  const t = WHISTLE_TRANSITIONS[action];
  return includes(t.from, from) ? t.to : refuse(action, from);
}

export function assignmentStep(action: AssignmentAction, from: AssignmentStatus, whistle: WhistleStatus): AssignmentStatus {
  const t = ASSIGNMENT_TRANSITIONS[action];
  if (!includes(t.whistleIn, whistle)) refuse(action, `whistle ${whistle}`);
  if (!includes(t.from, from)) refuse(action, from);
  return t.to ?? from;
}

export function extensionStep(action: ExtensionAction, from: ExtensionStatus, whistle: WhistleStatus): ExtensionStatus {
  const t = EXTENSION_TRANSITIONS[action];
  if (!includes(t.whistleIn, whistle)) refuse(action, `whistle ${whistle}`);
  return includes(t.from, from) ? t.to : refuse(action, from);
}

export function demandStep(action: DemandAction, from: DemandStatus): DemandStatus {
  const t = DEMAND_TRANSITIONS[action];
  return includes(t.from, from) ? t.to : refuse(action, from);
}

/** Reopening is a closed whistle's step only within seven days of closing. */
export function reopenAllowed(closedAt: Date | null, now: Date): boolean {
  return closedAt !== null && now.getTime() - closedAt.getTime() <= REOPEN_WINDOW_MS;
}
