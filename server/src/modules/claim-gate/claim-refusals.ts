import { AppError, notFound } from '../../lib/errors';
import type { GateRefusal } from './claim-types';

/** What a refused member's claim is explained by: the post as a statement saw it. */
export interface Refused {
  /** The claiming session was revoked: nothing else is told. */
  revoked?: boolean;
  exists: boolean;
  mine: boolean;
  /** A member outside a directed post's unit. */
  outsider: boolean;
  status: 'open' | 'cancelled' | 'ended' | null;
  beforeEnd: boolean;
  opened: boolean;
  suspendedUntil: Date | null;
  full: boolean;
}

export const suspended = (until: Date) =>
  new AppError('GRAB_SUSPENDED', undefined, { details: [{ path: 'until', reason: until.toISOString() }] });

/**
 * The one refusal order, for single claims and batches alike: a revoked session, no such post,
 * already holding one, outside a directed post's unit, cancelled, closed, not open yet (a draw
 * post before its draw), suspended, full.
 * null: the statement saw nothing that refuses (it lost a race: run it again).
 */
export function refusalOf(r: Refused): AppError | GateRefusal | null {
  if (r.revoked) return new AppError('UNAUTHENTICATED');
  if (!r.exists) return notFound('岗位不存在');
  if (r.mine) return 'ALREADY_CLAIMED';
  if (r.outsider) return new AppError('NOT_IN_AUDIENCE');
  if (r.status === 'cancelled') return new AppError('TASK_CANCELLED');
  if (r.status === 'ended' || !r.beforeEnd) return new AppError('CLAIM_CLOSED');
  if (!r.opened) return new AppError('CLAIM_NOT_OPEN');
  if (r.suspendedUntil) return suspended(r.suspendedUntil);
  if (r.full) return 'TASK_FULL';
  return null;
}
