import { TwoGenerationCache } from '../../lib/two-generation-cache';

const MAX_ENTRIES = 200_000;
/** Users looked up in one query at most, and such queries at the database at once. */
const MAX_BATCH = 1000;
const MAX_BATCHES_IN_FLIGHT = 2;

/** `undefined`: no such user; `null`: a user who has not registered as a member. */
type MemberLookup = string | null | undefined;

interface Waiter {
  resolve(v: MemberLookup): void;
  reject(err: unknown): void;
}

/**
 * userId → memberId for the claim path, so a claim does not load the whole principal. Only
 * registered members are remembered: a member's id never changes once registered, while a
 * user who has not registered yet may register any moment. Misses arriving together are
 * looked up together, in one query per batch.
 */
export class MemberIds {
  /** Two generations instead of a strict LRU (a hit costs one lookup); at most MAX_ENTRIES in all. */
  private readonly known: TwoGenerationCache<string, string>;
  private readonly pending = new Map<string, Waiter[]>();
  private inflight = 0;
  private scheduled = false;

  constructor(private readonly lookup: (userIds: string[]) => Promise<Array<{ userId: string; memberId: string | null }>>) {
    this.known = new TwoGenerationCache(MAX_ENTRIES / 2);
  }

  /** The cached member id; undefined on a miss. */
  cached(userId: string): string | undefined {
    return this.known.get(userId);
  }

  resolve(userId: string): MemberLookup | Promise<MemberLookup> {
    const hit = this.cached(userId);
    if (hit !== undefined) return hit;
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(userId);
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      this.pending.set(userId, [{ resolve, reject }]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inflight >= MAX_BATCHES_IN_FLIGHT) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.pending.size === 0) return;
    const max = MAX_BATCH;
    const batch = new Map<string, Waiter[]>();
    for (const [userId, waiting] of this.pending) {
      if (batch.size >= max) break;
      batch.set(userId, waiting);
      this.pending.delete(userId);
    }
    this.inflight++;
    this.lookup([...batch.keys()])
      .then(
        (rows) => {
          const found = new Map(rows.map((r) => [r.userId, r.memberId]));
          for (const [userId, waiting] of batch) {
            const memberId = found.get(userId);
            if (memberId) this.known.set(userId, memberId);
            for (const w of waiting) w.resolve(memberId);
          }
        },
        (err) => {
          // Each waiter fails as its own request would have (500, nothing leaked).
          for (const waiting of batch.values()) for (const w of waiting) w.reject(err);
        },
      )
      .finally(() => {
        this.inflight--;
        if (this.pending.size > 0) this.schedule();
      });
    if (this.pending.size > 0) this.schedule();
  }
}
