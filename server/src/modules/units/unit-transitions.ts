import type { ProjectStatus } from '@pioneer/shared';
import { AppError } from '../../lib/errors';

type StoredAgreementStatus = 'proposed' | 'active' | 'rejected' | 'ended';

/**
 * Every allowed step of an agreement and a project, in one table each; anything else is 409
 * INVALID_TRANSITION. An agreement past its `endsOn` reads `expired` and takes no step.
 */
export const AGREEMENT_TRANSITIONS = {
  accept: { from: ['proposed'], to: 'active' },
  reject: { from: ['proposed'], to: 'rejected' },
  end: { from: ['active'], to: 'ended' },
} as const satisfies Record<string, { from: readonly StoredAgreementStatus[]; to: StoredAgreementStatus }>;

export const PROJECT_TRANSITIONS = {
  /** System step: the project's first post was published. */
  start: { from: ['claimed'], to: 'in_progress' },
  deliver: { from: ['in_progress'], to: 'delivered' },
  accept: { from: ['delivered'], to: 'accepted' },
  close: { from: ['accepted'], to: 'closed' },
  /** The unit gives the need back before delivering: the need is open again. */
  return: { from: ['claimed', 'in_progress'], to: 'returned' },
} as const satisfies Record<string, { from: readonly ProjectStatus[]; to: ProjectStatus }>;

export type AgreementAction = keyof typeof AGREEMENT_TRANSITIONS;
export type ProjectAction = keyof typeof PROJECT_TRANSITIONS;

const refuse = (what: string, state: string): never => {
  throw new AppError('INVALID_TRANSITION', undefined, { details: [{ path: 'status', reason: `${what} not allowed from ${state}` }] });
};

const includes = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/** `expired`: an active agreement whose last day is before `today`. */
export function agreementStep(action: AgreementAction, from: StoredAgreementStatus, expired: boolean): StoredAgreementStatus {
  if (expired) return refuse(action, 'expired');
  const t = AGREEMENT_TRANSITIONS[action];
  return includes(t.from, from) ? t.to : refuse(action, from);
}

export function projectStep(action: ProjectAction, from: ProjectStatus): ProjectStatus {
  const t = PROJECT_TRANSITIONS[action];
  return includes(t.from, from) ? t.to : refuse(action, from);
}

/** Today in China (`YYYY-MM-DD`): agreements and projects are dated in local days. */
export const chinaDay = (at: Date): string => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
