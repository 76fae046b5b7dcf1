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
}

/** What one claim that went to the database learned about its post. */
export type ClaimOutcome =
  | { kind: 'claimed'; remaining: number }
  | { kind: 'full' }
  /** Refused for another reason; `remaining` as the statement saw it (Infinity: the post takes no claims at all). */
  | { kind: 'refused'; remaining: number | null }
  | null;

/** Leave to go to the database; hand it back to `settle`. */
export interface Pass {
  readonly post: Post | null;
}

interface Full {
  holders: Set<string>;
  opensAt: number;
  endsAt: number;
  /** Monotonic ms after which the state is not trusted without asking again. */
  until: number;
}

interface Waiter {
  memberId: string;
  since: number;
  resolve(v: Pass | GateRefusal): void;
}

interface Post {
  taskId: string;
  full: Full | null;
  loading: boolean;
  /** Slots left as last heard; null before anything was heard. */
  remaining: number | null;
  inflight: number;
  waiters: Waiter[];
  head: number;
  /** Bumped whenever what we knew is dropped: answers to older questions are ignored. */
  gen: number;
  timer: NodeJS.Timeout | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's claim gate (tests read its state and counter). */
    claimGate: ClaimGate;
  }
}

const BYPASS: Pass = { post: null };

export interface ClaimGateOptions {
  /** The post and its live claimants in one query. */
  loadFull(taskId: string): Promise<FullSnapshot | null>;
  now(): Date;
  /** How long a full state is believed without news (safety net behind the notifications). */
  fullTtlMs?: number;
  /** A waiter that waited this long goes to the database anyway. */
  waitTimeoutMs?: number;
  maxWaitersPerPost?: number;
  /** Claims let through at once while nothing is known about the post's slots. */
  firstWave?: number;
  maxPosts?: number;
  monotonic?: () => number;
  onError?(err: unknown): void;
}

/**
 * Per-post admission in front of the claim statement, in this process. A post known to be
 * full answers from memory (its live claimants get ALREADY_CLAIMED, everyone else TASK_FULL);
 * otherwise at most as many claims as there are slots left go to the database at once, the
 * rest queue, so a burst on a nearly full post costs a few statements, not thousands.
 *
 * The database stays the only judge of a claim: the gate never answers "yes". What it knows
 * is dropped on any count notification saying slots came back (every process hears every
 * change), when the listener connection is lost (then the gate stays out of the way until it
 * is back), and after a short TTL.
 */
export class ClaimGate {
  private readonly posts = new Map<string, Post>();
  private trusted = false;
  private epoch = 0;
  private readonly ttl: number;
  private readonly waitTimeout: number;
  private readonly maxWaiters: number;
  private readonly maxPosts: number;
  private readonly firstWave: number;
  private readonly mono: () => number;
  /** Answers given from memory, for tests and diagnostics. */
  fastRefusals = 0;

  constructor(private readonly opts: ClaimGateOptions) {
    this.ttl = opts.fullTtlMs ?? 2000;
    this.waitTimeout = opts.waitTimeoutMs ?? 1000;
    this.maxWaiters = opts.maxWaitersPerPost ?? 20_000;
    this.maxPosts = opts.maxPosts ?? 10_000;
    this.firstWave = opts.firstWave ?? 8;
    this.mono = opts.monotonic ?? (() => performance.now());
  }

  /** The answer from memory if the post is known full, else null. Never waits. */
  refusal(taskId: string, memberId: string): GateRefusal | null {
    const post = this.posts.get(taskId);
    if (!post || !post.full) return null;
    return this.fromFull(post, memberId);
  }

  /**
   * A pass to the database, after waiting for a slot if others are already claiming this
   * post, or a refusal if the post turned out full meanwhile.
   */
  admit(taskId: string, memberId: string): Pass | GateRefusal | Promise<Pass | GateRefusal> {
    if (!this.trusted) return BYPASS;
    const post = this.post(taskId);
    if (post.full) {
      const r = this.fromFull(post, memberId);
      if (r) return r;
    }
    if (post.head === post.waiters.length && post.inflight < this.limit(post)) {
      post.inflight++;
      return { post };
    }
    if (post.waiters.length - post.head >= this.maxWaiters) return BYPASS;
    return new Promise((resolve) => {
      post.waiters.push({ memberId, since: this.mono(), resolve });
      this.armTimer(post);
    });
  }

  /** Hands the pass back with what the database said. */
  settle(pass: Pass, outcome: ClaimOutcome): void {
    const post = pass.post;
    if (!post) return;
    post.inflight--;
    if (outcome && this.posts.get(post.taskId) === post) {
      const remaining = outcome.kind === 'full' ? 0 : outcome.remaining;
      // Answers come back in any order: once full (or finding out), older news is ignored.
      if (remaining !== null && !post.full && !post.loading) {
        post.remaining = remaining;
        if (remaining <= 0) this.learnFull(post);
      }
    }
    this.pump(post);
  }

  /** A count heard on the notification channel, from any process. */
  heard(count: Pick<LiveCount, 'taskId' | 'remaining' | 'status'>): void {
    const post = this.posts.get(count.taskId);
    if (!post) return;
    if (count.status !== 'open') {
      this.forget(count.taskId);
      return;
    }
    if (count.remaining > 0) {
      if (post.full || post.loading) this.drop(post);
      post.remaining = count.remaining;
      this.pump(post);
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
    this.pump(post);
  }

  /** Whether the count notifications are heard; without them nothing in memory is trusted. */
  setListening(up: boolean): void {
    this.epoch++;
    this.trusted = up;
    for (const post of this.posts.values()) {
      this.drop(post);
      post.remaining = null;
      // Everyone waiting goes to the database as if there were no gate.
      this.releaseAll(post);
    }
    this.posts.clear();
  }

  /** For tests: what the gate holds about a post. */
  inspect(taskId: string): { full: boolean; holders: number; remaining: number | null; inflight: number; waiting: number } | null {
    const post = this.posts.get(taskId);
    if (!post) return null;
    return {
      full: post.full !== null,
      holders: post.full?.holders.size ?? 0,
      remaining: post.remaining,
      inflight: post.inflight,
      waiting: post.waiters.length - post.head,
    };
  }

  private post(taskId: string): Post {
    let post = this.posts.get(taskId);
    if (post) return post;
    if (this.posts.size >= this.maxPosts) this.evict();
    post = { taskId, full: null, loading: false, remaining: null, inflight: 0, waiters: [], head: 0, gen: 0, timer: null };
    this.posts.set(taskId, post);
    return post;
  }

  /** Drops the oldest posts nobody is waiting on. */
  private evict(): void {
    let n = Math.max(1, this.maxPosts >> 4);
    for (const [id, post] of this.posts) {
      if (n === 0) break;
      if (post.inflight > 0 || post.loading || post.head < post.waiters.length) continue;
      this.posts.delete(id);
      n--;
    }
  }

  private limit(post: Post): number {
    if (post.loading) return 0;
    return post.remaining === null ? this.firstWave : Math.max(1, post.remaining);
  }

  private fromFull(post: Post, memberId: string): GateRefusal | null {
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

  private drop(post: Post): void {
    post.full = null;
    post.loading = false;
    post.gen++;
  }

  private learnFull(post: Post): void {
    if (post.loading || post.full) return;
    post.loading = true;
    const gen = post.gen;
    const epoch = this.epoch;
    this.opts.loadFull(post.taskId).then(
      (snap) => {
        if (post.gen !== gen || this.epoch !== epoch || !this.trusted) return;
        post.loading = false;
        const now = this.opts.now().getTime();
        if (snap && snap.status === 'open' && snap.claimed >= snap.capacity && now < snap.endsAt.getTime()) {
          post.full = {
            holders: new Set(snap.holders),
            opensAt: snap.opensAt.getTime(),
            endsAt: snap.endsAt.getTime(),
            until: this.mono() + this.ttl,
          };
        } else {
          post.remaining = snap ? Math.max(0, snap.capacity - snap.claimed) : null;
        }
        this.pump(post);
      },
      (err) => {
        if (post.gen !== gen) return;
        post.loading = false;
        this.opts.onError?.(err);
        this.pump(post);
      },
    );
  }

  /** Answers or admits waiters, in order, as far as the post's state allows. */
  private pump(post: Post): void {
    while (post.head < post.waiters.length) {
      const w = post.waiters[post.head];
      if (post.full) {
        const r = this.fromFull(post, w.memberId);
        if (r) {
          post.head++;
          w.resolve(r);
          continue;
        }
      }
      if (post.inflight >= this.limit(post)) break;
      post.head++;
      post.inflight++;
      w.resolve({ post });
    }
    this.compact(post);
  }

  private releaseAll(post: Post): void {
    while (post.head < post.waiters.length) post.waiters[post.head++].resolve(BYPASS);
    this.compact(post);
  }

  private compact(post: Post): void {
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
  private armTimer(post: Post): void {
    if (post.timer) return;
    const wait = Math.max(0, post.waiters[post.head].since + this.waitTimeout - this.mono());
    post.timer = setTimeout(() => {
      post.timer = null;
      const cutoff = this.mono() - this.waitTimeout;
      while (post.head < post.waiters.length && post.waiters[post.head].since <= cutoff) {
        post.waiters[post.head++].resolve(BYPASS);
      }
      this.compact(post);
      if (post.head < post.waiters.length) this.armTimer(post);
    }, wait);
    post.timer.unref();
  }
}
