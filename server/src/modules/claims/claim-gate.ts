import type { LiveCount } from '@pioneer/shared';

/** A refusal the gate answers without the database. */
export type GateRefusal = 'TASK_FULL' | 'ALREADY_CLAIMED';

/** The post as one query saw it, with the members holding a live claim on it. */
export interface FullSnapshot {
  status: 'open' | 'cancelled' | 'ended';
  claimed: number;
  capacity: number;
  opensAt: Date;
  endsAt: Date;
  holders: string[];
  /** The post's row version this snapshot saw (tasks.version). */
  version?: number;
}

/** What a batch told about its post afterwards. */
export type PostAfter = (
  /** Still takes claims. */
  | { kind: 'open'; remaining: number }
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
export type Admission<A> = A | GateRefusal | typeof ALONE;

interface Full {
  holders: Set<string>;
  opensAt: number;
  endsAt: number;
  /** Monotonic ms after which the state is not trusted without asking again. */
  until: number;
}

interface Waiter<A> {
  memberId: string;
  since: number;
  resolve(v: Admission<A>): void;
  reject(err: unknown): void;
}

interface Post<A> {
  taskId: string;
  full: Full | null;
  loading: boolean;
  /** Slots left as last heard; null before anything was heard. */
  remaining: number | null;
  /** A batch of this post is at the database. */
  batching: boolean;
  flushScheduled: boolean;
  waiters: Waiter<A>[];
  head: number;
  /** Bumped whenever what we knew is dropped: answers to older questions are ignored. */
  gen: number;
  /** The newest row version known; counts notified with this version or older are old news. */
  version: number;
  timer: NodeJS.Timeout | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's claim gate (tests read its state and counter). */
    claimGate: ClaimGate<unknown>;
  }
}

export interface ClaimGateOptions<A> {
  /** One statement deciding claims of distinct-or-not members on one post, in arrival order. */
  claimMany(taskId: string, memberIds: string[]): Promise<BatchResult<A>>;
  /** The post and its live claimants in one query. */
  loadFull(taskId: string): Promise<FullSnapshot | null>;
  now(): Date;
  /** How long a full state is believed without news (safety net behind the notifications). */
  fullTtlMs?: number;
  /** A waiter that waited this long claims alone. */
  waitTimeoutMs?: number;
  maxWaitersPerPost?: number;
  /** Members in one statement at most. */
  maxBatch?: number;
  maxPosts?: number;
  monotonic?: () => number;
  onError?(err: unknown): void;
}

/**
 * Per-post admission in front of the claim statement, in this process. Claims on a post
 * queue and go to the database together, one batch statement at a time per post (they would
 * queue on the post's row anyway), so a burst costs a statement or two, not thousands. A post
 * known to be full answers from memory (its live claimants get ALREADY_CLAIMED, everyone else
 * TASK_FULL), including everyone queued behind the batch that filled it.
 *
 * The database stays the only judge of a claim: the gate never answers "yes" by itself. What
 * it knows is dropped on any count notification saying slots came back (every process hears
 * every change), when the listener connection is lost (then every claim goes alone, as if
 * there were no gate, until it is back), and after a short TTL.
 */
export class ClaimGate<A = unknown> {
  private readonly posts = new Map<string, Post<A>>();
  private trusted = false;
  private epoch = 0;
  private readonly ttl: number;
  private readonly waitTimeout: number;
  private readonly maxWaiters: number;
  private readonly maxBatch: number;
  private readonly maxPosts: number;
  private readonly mono: () => number;
  /** Answers given from memory, for tests and diagnostics. */
  fastRefusals = 0;
  /** Batch statements sent, for tests and diagnostics. */
  batches = 0;

  constructor(private readonly opts: ClaimGateOptions<A>) {
    this.ttl = opts.fullTtlMs ?? 2000;
    this.waitTimeout = opts.waitTimeoutMs ?? 1000;
    this.maxWaiters = opts.maxWaitersPerPost ?? 20_000;
    this.maxBatch = opts.maxBatch ?? 1000;
    this.maxPosts = opts.maxPosts ?? 10_000;
    this.mono = opts.monotonic ?? (() => performance.now());
  }

  /** The answer from memory if the post is known full, else null. Never waits. */
  refusal(taskId: string, memberId: string): GateRefusal | null {
    const post = this.posts.get(taskId);
    if (!post || !post.full) return null;
    return this.fromFull(post, memberId);
  }

  /**
   * The member's answer from the next batch on this post, a refusal from memory, or ALONE
   * when the gate cannot help (not listening, too many waiting, waited too long, the batch
   * aborted).
   */
  admit(taskId: string, memberId: string): Admission<A> | Promise<Admission<A>> {
    if (!this.trusted) return ALONE;
    const post = this.post(taskId);
    if (post.full) {
      const r = this.fromFull(post, memberId);
      if (r) return r;
    }
    if (post.waiters.length - post.head >= this.maxWaiters) return ALONE;
    return new Promise((resolve, reject) => {
      post.waiters.push({ memberId, since: this.mono(), resolve, reject });
      this.armTimer(post);
      this.schedule(post);
    });
  }

  /**
   * A count heard on the notification channel, from any process. Notifications arrive on
   * their own connection, so one can come after the answer of a later batch (this process's
   * own earlier batch, typically): with a version no newer than what is known, it is ignored.
   */
  heard(count: HeardCount): void {
    const post = this.posts.get(count.taskId);
    if (!post) return;
    if (count.version !== undefined) {
      if (count.version <= post.version) return;
      post.version = count.version;
    }
    if (count.status !== 'open') {
      this.forget(count.taskId);
      return;
    }
    if (count.remaining > 0) {
      // Also voids what a batch still at the database will say: its "full" may be older.
      this.drop(post);
      post.remaining = count.remaining;
      this.schedule(post);
    } else if (!post.full && !post.loading) {
      post.remaining = 0;
    }
  }

  /** Drops what is known about the post: the next claim asks the database. */
  forget(taskId: string): void {
    const post = this.posts.get(taskId);
    if (!post) return;
    this.drop(post);
    post.remaining = null;
    this.schedule(post);
  }

  /** Whether the count notifications are heard; without them nothing in memory is trusted. */
  setListening(up: boolean): void {
    this.epoch++;
    this.trusted = up;
    for (const post of this.posts.values()) {
      this.drop(post);
      post.remaining = null;
      // Everyone waiting claims alone, as if there were no gate.
      this.releaseAll(post);
    }
    this.posts.clear();
  }

  /** For tests: what the gate holds about a post. */
  inspect(taskId: string): { full: boolean; holders: number; remaining: number | null; batching: boolean; waiting: number } | null {
    const post = this.posts.get(taskId);
    if (!post) return null;
    return {
      full: post.full !== null,
      holders: post.full?.holders.size ?? 0,
      remaining: post.remaining,
      batching: post.batching,
      waiting: post.waiters.length - post.head,
    };
  }

  private post(taskId: string): Post<A> {
    let post = this.posts.get(taskId);
    if (post) return post;
    if (this.posts.size >= this.maxPosts) this.evict();
    post = {
      taskId,
      full: null,
      loading: false,
      remaining: null,
      batching: false,
      flushScheduled: false,
      waiters: [],
      head: 0,
      gen: 0,
      version: -1,
      timer: null,
    };
    this.posts.set(taskId, post);
    return post;
  }

  /** Drops the oldest posts nobody is waiting on. */
  private evict(): void {
    let n = Math.max(1, this.maxPosts >> 4);
    for (const [id, post] of this.posts) {
      if (n === 0) break;
      if (post.batching || post.loading || post.flushScheduled || post.head < post.waiters.length) continue;
      this.posts.delete(id);
      n--;
    }
  }

  private fromFull(post: Post<A>, memberId: string): GateRefusal | null {
    const full = post.full!;
    const now = this.opts.now().getTime();
    // Outside the claim window the database answers with another code.
    if (this.mono() > full.until || now < full.opensAt || now >= full.endsAt) {
      this.drop(post);
      post.remaining = 0;
      return null;
    }
    this.fastRefusals++;
    return full.holders.has(memberId) ? 'ALREADY_CLAIMED' : 'TASK_FULL';
  }

  private drop(post: Post<A>): void {
    post.full = null;
    post.loading = false;
    post.gen++;
  }

  private saw(post: Post<A>, version: number | undefined): void {
    if (version !== undefined && version > post.version) post.version = version;
  }

  private setFull(post: Post<A>, snap: FullSnapshot | null): boolean {
    this.saw(post, snap?.version);
    const now = this.opts.now().getTime();
    if (!snap || snap.status !== 'open' || snap.claimed < snap.capacity || now >= snap.endsAt.getTime()) return false;
    post.full = {
      holders: new Set(snap.holders),
      opensAt: snap.opensAt.getTime(),
      endsAt: snap.endsAt.getTime(),
      until: this.mono() + this.ttl,
    };
    post.remaining = 0;
    return true;
  }

  private learnFull(post: Post<A>): void {
    if (post.loading || post.full) return;
    post.loading = true;
    const gen = post.gen;
    const epoch = this.epoch;
    this.opts.loadFull(post.taskId).then(
      (snap) => {
        if (post.gen !== gen || this.epoch !== epoch || !this.trusted) return;
        post.loading = false;
        if (!this.setFull(post, snap)) post.remaining = snap ? Math.max(0, snap.capacity - snap.claimed) : null;
        this.schedule(post);
      },
      (err) => {
        if (post.gen !== gen) return;
        post.loading = false;
        this.opts.onError?.(err);
        this.schedule(post);
      },
    );
  }

  private schedule(post: Post<A>): void {
    // Answer from memory at once; a batch waits for the rest of this turn's arrivals.
    this.pump(post);
    if (post.flushScheduled || post.batching || post.loading || post.head === post.waiters.length) return;
    post.flushScheduled = true;
    setImmediate(() => {
      post.flushScheduled = false;
      this.flush(post);
    });
  }

  /** Sends the queued members of a post as one batch. */
  private flush(post: Post<A>): void {
    this.pump(post);
    if (post.batching || post.loading || post.head === post.waiters.length) return;
    const batch = post.waiters.slice(post.head, post.head + this.maxBatch);
    post.head += batch.length;
    this.compact(post);
    post.batching = true;
    this.batches++;
    const gen = post.gen;
    const epoch = this.epoch;
    this.opts.claimMany(post.taskId, batch.map((w) => w.memberId)).then(
      (r) => {
        post.batching = false;
        if (r.answers === null) {
          for (const w of batch) w.resolve(ALONE);
        } else {
          if (post.gen === gen && this.epoch === epoch && this.trusted) this.learn(post, r.after);
          for (let i = 0; i < batch.length; i++) batch[i].resolve(r.answers[i]);
        }
        this.schedule(post);
      },
      (err) => {
        post.batching = false;
        for (const w of batch) w.reject(err);
        this.schedule(post);
      },
    );
  }

  private learn(post: Post<A>, after: PostAfter): void {
    this.saw(post, after.version);
    if (after.kind === 'open') {
      post.remaining = after.remaining;
    } else if (after.kind === 'full') {
      post.remaining = 0;
      if (!post.full && !post.loading && !this.setFull(post, after.snapshot)) this.learnFull(post);
    }
  }

  /** Answers waiters from memory, in order, while the post is known full. */
  private pump(post: Post<A>): void {
    while (post.full && post.head < post.waiters.length) {
      const w = post.waiters[post.head];
      const r = this.fromFull(post, w.memberId);
      if (!r) break;
      post.head++;
      w.resolve(r);
    }
    this.compact(post);
  }

  private releaseAll(post: Post<A>): void {
    while (post.head < post.waiters.length) post.waiters[post.head++].resolve(ALONE);
    this.compact(post);
  }

  private compact(post: Post<A>): void {
    if (post.head === post.waiters.length) {
      post.waiters = [];
      post.head = 0;
      if (post.timer) {
        clearTimeout(post.timer);
        post.timer = null;
      }
    } else if (post.head > 1024 && post.head * 2 > post.waiters.length) {
      post.waiters = post.waiters.slice(post.head);
      post.head = 0;
    }
  }

  /** One timer per post, for its oldest waiter: the queue is in arrival order. */
  private armTimer(post: Post<A>): void {
    if (post.timer) return;
    const wait = Math.max(0, post.waiters[post.head].since + this.waitTimeout - this.mono());
    post.timer = setTimeout(() => {
      post.timer = null;
      const cutoff = this.mono() - this.waitTimeout;
      while (post.head < post.waiters.length && post.waiters[post.head].since <= cutoff) {
        post.waiters[post.head++].resolve(ALONE);
      }
      this.compact(post);
      if (post.head < post.waiters.length) this.armTimer(post);
    }, wait);
    post.timer.unref();
  }
}
