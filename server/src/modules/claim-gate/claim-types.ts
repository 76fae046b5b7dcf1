import type { ClaimCreateResponse, LiveCount } from '@pioneer/shared';
import type { AppError } from '../../lib/errors';

/**
 * The types the claim rooms share: the gate (this folder) speaks them, the claims module's
 * batch function and service answer in them, the waitlist refuses with them.
 */

/** A refusal sent prebuilt (answered from memory by the claim gate, or by a batch). */
export type GateRefusal = 'TASK_FULL' | 'ALREADY_CLAIMED';

/** One member's answer from a batch: the claim, a refusal sent prebuilt, or another refusal. */
export type BatchAnswer = ClaimCreateResponse | GateRefusal | AppError;

/** A refusal the gate answers without the database: prebuilt, or GRAB_SUSPENDED with its end. */
export type MemoryAnswer = GateRefusal | AppError;

/** The post as one query saw it, with the members holding a live claim on it. */
export interface FullSnapshot {
  status: 'open' | 'cancelled' | 'ended';
  /** Live claims plus held waitlist offers. */
  claimed: number;
  capacity: number;
  opensAt: Date;
  endsAt: Date;
  holders: string[];
  /** Every member the no-show policy suspends now, with the end of the suspension. */
  suspended: Map<string, Date>;
  /** The post's row version this snapshot saw (tasks.version). */
  version?: number;
}

/** What a batch told about its post afterwards. */
export type PostAfter =
  /** Still takes claims. */
  (
    | { kind: 'open' }
    /** Full; `snapshot` null when the batch could not tell its live claimants for sure. */
    | { kind: 'full'; snapshot: FullSnapshot | null }
    /** Takes no claims (gone, cancelled, closed, not open yet): nothing worth remembering. */
    | { kind: 'closed' }
  ) & {
    /** The post's row version the batch left (tasks.version). */
    version?: number;
  };

/** A count as notified: `version` orders the counts of one post (tasks.version). */
export type HeardCount = Pick<LiveCount, 'taskId' | 'remaining' | 'status' | 'version'>;

/**
 * One statement's answers, one per member id given (same order, duplicates included), or
 * null when the batch decided nothing (it aborted on a concurrent claim): each member then
 * claims alone.
 */
export type BatchResult<A> = { answers: A[]; after: PostAfter } | { answers: null };

/** The gate cannot help: claim with the single statement. */
export const ALONE: unique symbol = Symbol('claim alone');
export type Admission<A> = A | MemoryAnswer | typeof ALONE;

/** What the claim gate is handed: the batch function (claims/claim-batch.ts) and the full-post load. */
export interface ClaimGateOptions<A> {
  /**
   * One statement deciding claims of distinct-or-not members on one post, in arrival order,
   * each with its session token's version.
   */
  claimMany(taskId: string, memberIds: string[], tokenVersions: number[]): Promise<BatchResult<A>>;
  /** The post and its live claimants in one query. */
  loadFull(taskId: string): Promise<FullSnapshot | null>;
  now(): Date;
  /** How long a full state is believed without news (safety net behind the notifications). */
  fullTtlMs?: number;
  /** A waiter that waited this long claims alone. */
  waitTimeoutMs?: number;
  /** Members in one statement at most. */
  maxBatch?: number;
  monotonic?: () => number;
  onError?(err: unknown): void;
}
