import { refusalOf } from './claim-refusals';
import {
  ALONE,
  type Admission,
  type ClaimGateOptions,
  type FullSnapshot,
  type HeardCount,
  type MemoryAnswer,
  type PostAfter,
} from './claim-types';

const MAX_WAITERS_PER_POST = 20_000;
const MAX_POSTS = 10_000;

/** What this process believes about a post, from batches, loads and notifications. */
interface Knowledge {
  full: {
    holders: Set<string>;
    /** Member → end of suspension (ms). */
    suspended: Map<string, number>;
    opensAt: number;
    endsAt: number;
    /** Monotonic ms after which the state is not trusted without asking again. */
    until: number;
  } | null;
  loading: boolean;
  /** Bumped whenever what we knew is dropped: answers to older questions are ignored. */
  gen: number;
  /** The newest row version known; counts notified with this version or older are old news. */
  version: number;
}

interface Waiter<A> {
  memberId: string;
  /** The claiming session token's version (the batch statement checks it). */
  tokenVersion: number;
  since: number;
  resolve(v: Admission<A>): void;
  reject(err: unknown): void;
}

/** The claims of a post waiting for the next batch, in arrival order. */
interface Queue<A> {
  waiters: Waiter<A>[];
  head: number;
  /** A batch of this post is at the database. */
  batching: boolean;
  flushScheduled: boolean;
  timer: NodeJS.Timeout | null;
}

interface Post<A> {
  taskId: string;
  known: Knowledge;
  queue: Queue<A>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This process's claim gate (tests read its state and counter). */
    claimGate: ClaimGate<unknown>;
  }
}

/**
 * Per-post admission in front of the claim statement, in this process. Claims on a post
 * queue and go to the database together, one batch statement at a time per post (they would
 * queue on the post's row anyway), so a burst costs a statement or two, not thousands. A post
 * known to be full answers from memory in the database's refusal order (claim-refusals.ts: its
 * live claimants get ALREADY_CLAIMED, suspended members GRAB_SUSPENDED, everyone else
 * TASK_FULL), including everyone queued behind the batch that filled it. A full post's
 * waitlist is not the gate's business: joining it has its own route.
 *
 * The database stays the only judge of a claim: the gate never answers "yes" by itself. What
 * it knows is dropped on any newer count notification of the post (every process hears every
 * change; a change on a full post, such as a slot passed to the waitlist, may change who holds
 * it), when the listener connection is lost (then every claim goes alone, as if there were no
 * gate, until it is back), and after a short TTL.
 */
export class ClaimGate<A = unknown> {
  private readonly posts = new Map<string, Post<A>>();
  private trusted = false;
  private epoch = 0;
  private readonly ttl: number;
  private readonly waitTimeout: number;
  private readonly maxBatch: number;
  private readonly mono: () => number;
  /** Answers given from memory, for tests and diagnostics. */
  fastRefusals = 0;
  /** Batch statements sent, for tests and diagnostics. */
  batches = 0;

  constructor(private readonly opts: ClaimGateOptions<A>) {
    this.ttl = opts.fullTtlMs ?? 2000;
    this.waitTimeout = opts.waitTimeoutMs ?? 1000;
    this.maxBatch = opts.maxBatch ?? 1000;
    this.mono = opts.monotonic ?? (() => performance.now());
  }

  /** The answer from memory if the post is known full, else null. Never waits. */
  refusal(taskId: string, memberId: string): MemoryAnswer | null {
    const post = this.posts.get(taskId);
    if (!post || !post.known.full) return null;
    return this.fromFull(post, memberId);
  }

  /**
   * The member's answer from the next batch on this post, a refusal from memory, or ALONE
   * when the gate cannot help (not listening, too many waiting, waited too long, the batch
   * aborted).
   */
  admit(taskId: string, memberId: string, tokenVersion = 0): Admission<A> | Promise<Admission<A>> {
    if (!this.trusted) return ALONE;
    const post = this.post(taskId);
    if (post.known.full) {
      const r = this.fromFull(post, memberId);
      if (r) return r;
    }
    const q = post.queue;
    if (q.waiters.length - q.head >= MAX_WAITERS_PER_POST) return ALONE;
    return new Promise((resolve, reject) => {
      q.waiters.push({ memberId, tokenVersion, since: this.mono(), resolve, reject });
      this.armTimer(q);
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
    const known = post.known;
    if (count.version !== undefined) {
      if (count.version <= known.version) return;
      known.version = count.version;
    }
    if (count.status !== 'open') {
      this.forget(count.taskId);
      return;
    }
    // A slot came back, or a full post changed hands (cancel → offer, accept, release):
    // also voids what a batch still at the database will say, its "full" may be older.
    if (count.remaining > 0 || known.full) {
      this.drop(known);
      this.schedule(post);
    }
  }

  /** Drops what is known about the post: the next claim asks the database. */
  forget(taskId: string): void {
    const post = this.posts.get(taskId);
    if (!post) return;
    this.drop(post.known);
    this.schedule(post);
  }

  /** Whether the count notifications are heard; without them nothing in memory is trusted. */
  setListening(up: boolean): void {
    this.epoch++;
    this.trusted = up;
    for (const post of this.posts.values()) {
      this.drop(post.known);
      // Everyone waiting claims alone, as if there were no gate.
      this.releaseAll(post.queue);
    }
    this.posts.clear();
  }

  /** For tests: what the gate holds about a post. */
  inspect(taskId: string): { full: boolean; holders: number; batching: boolean; waiting: number } | null {
    const post = this.posts.get(taskId);
    if (!post) return null;
    return {
      full: post.known.full !== null,
      holders: post.known.full?.holders.size ?? 0,
      batching: post.queue.batching,
      waiting: post.queue.waiters.length - post.queue.head,
    };
  }

  private post(taskId: string): Post<A> {
    let post = this.posts.get(taskId);
    if (post) return post;
    if (this.posts.size >= MAX_POSTS) this.evict();
    post = {
      taskId,
      known: { full: null, loading: false, gen: 0, version: -1 },
      queue: { waiters: [], head: 0, batching: false, flushScheduled: false, timer: null },
    };
    this.posts.set(taskId, post);
    return post;
  }

  /** Drops the oldest posts nobody is waiting on. */
  private evict(): void {
    let n = Math.max(1, MAX_POSTS >> 4);
    for (const [id, { known, queue }] of this.posts) {
      if (n === 0) break;
      if (queue.batching || known.loading || queue.flushScheduled || queue.head < queue.waiters.length) continue;
      this.posts.delete(id);
      n--;
    }
  }

  /** The database's answer on a full open post, in its refusal order (a suspension before full). */
  private fromFull(post: Post<A>, memberId: string): MemoryAnswer | null {
    const full = post.known.full!;
    const now = this.opts.now().getTime();
    // Outside the claim window the database answers with another code.
    if (this.mono() > full.until || now < full.opensAt || now >= full.endsAt) {
      this.drop(post.known);
      return null;
    }
    const until = full.suspended.get(memberId);
    const answer = refusalOf({
      exists: true,
      mine: full.holders.has(memberId),
      // Memory never grants: on a full directed post an outsider hears TASK_FULL here, which is
      // as true as NOT_IN_AUDIENCE (the statements decide the audience whenever a slot is free).
      outsider: false,
      status: 'open',
      beforeEnd: true,
      opened: true,
      suspendedUntil: until !== undefined && until > now ? new Date(until) : null,
      full: true,
    });
    if (answer) this.fastRefusals++;
    return answer;
  }

  private drop(known: Knowledge): void {
    known.full = null;
    known.loading = false;
    known.gen++;
  }

  private saw(known: Knowledge, version: number | undefined): void {
    if (version !== undefined && version > known.version) known.version = version;
  }

  private setFull(known: Knowledge, snap: FullSnapshot | null): boolean {
    this.saw(known, snap?.version);
    const now = this.opts.now().getTime();
    if (!snap || snap.status !== 'open' || snap.claimed < snap.capacity || now >= snap.endsAt.getTime()) return false;
    known.full = {
      holders: new Set(snap.holders),
      suspended: new Map([...snap.suspended].map(([m, until]) => [m, until.getTime()])),
      opensAt: snap.opensAt.getTime(),
      endsAt: snap.endsAt.getTime(),
      until: this.mono() + this.ttl,
    };
    return true;
  }

  private learnFull(post: Post<A>): void {
    const known = post.known;
    if (known.loading || known.full) return;
    known.loading = true;
    const gen = known.gen;
    const epoch = this.epoch;
    this.opts.loadFull(post.taskId).then(
      (snap) => {
        if (known.gen !== gen || this.epoch !== epoch || !this.trusted) return;
        known.loading = false;
        this.setFull(known, snap);
        this.schedule(post);
      },
      (err) => {
        if (known.gen !== gen) return;
        known.loading = false;
        this.opts.onError?.(err);
        this.schedule(post);
      },
    );
  }

  private schedule(post: Post<A>): void {
    // Answer from memory at once; a batch waits for the rest of this turn's arrivals.
    this.pump(post);
    const q = post.queue;
    if (q.flushScheduled || q.batching || post.known.loading || q.head === q.waiters.length) return;
    q.flushScheduled = true;
    setImmediate(() => {
      q.flushScheduled = false;
      this.flush(post);
    });
  }

  /** Sends the queued members of a post as one batch. */
  private flush(post: Post<A>): void {
    this.pump(post);
    const q = post.queue;
    const known = post.known;
    if (q.batching || known.loading || q.head === q.waiters.length) return;
    const batch = q.waiters.slice(q.head, q.head + this.maxBatch);
    q.head += batch.length;
    this.compact(q);
    q.batching = true;
    this.batches++;
    const gen = known.gen;
    const epoch = this.epoch;
    this.opts
      .claimMany(
        post.taskId,
        batch.map((w) => w.memberId),
        batch.map((w) => w.tokenVersion),
      )
      .then(
        (r) => {
          q.batching = false;
          if (r.answers === null) {
            for (const w of batch) w.resolve(ALONE);
          } else {
            if (known.gen === gen && this.epoch === epoch && this.trusted) this.learn(post, r.after);
            for (let i = 0; i < batch.length; i++) batch[i].resolve(r.answers[i]);
          }
          this.schedule(post);
        },
        (err) => {
          q.batching = false;
          for (const w of batch) w.reject(err);
          this.schedule(post);
        },
      );
  }

  private learn(post: Post<A>, after: PostAfter): void {
    this.saw(post.known, after.version);
    if (after.kind === 'full' && !post.known.full && !post.known.loading && !this.setFull(post.known, after.snapshot)) {
      this.learnFull(post);
    }
  }

  /** Answers waiters from memory, in order, while the post is known full. */
  private pump(post: Post<A>): void {
    const q = post.queue;
    while (post.known.full && q.head < q.waiters.length) {
      const w = q.waiters[q.head];
      const r = this.fromFull(post, w.memberId);
      if (!r) break;
      q.head++;
      w.resolve(r);
    }
    this.compact(q);
  }

  private releaseAll(q: Queue<A>): void {
    while (q.head < q.waiters.length) q.waiters[q.head++].resolve(ALONE);
    this.compact(q);
  }

  private compact(q: Queue<A>): void {
    if (q.head === q.waiters.length) {
      q.waiters = [];
      q.head = 0;
      if (q.timer) {
        clearTimeout(q.timer);
        q.timer = null;
      }
    } else if (q.head > 1024 && q.head * 2 > q.waiters.length) {
      q.waiters = q.waiters.slice(q.head);
      q.head = 0;
    }
  }

  /** One timer per post, for its oldest waiter: the queue is in arrival order. */
  private armTimer(q: Queue<A>): void {
    if (q.timer) return;
    const wait = Math.max(0, q.waiters[q.head].since + this.waitTimeout - this.mono());
    q.timer = setTimeout(() => {
      q.timer = null;
      const cutoff = this.mono() - this.waitTimeout;
      while (q.head < q.waiters.length && q.waiters[q.head].since <= cutoff) {
        q.waiters[q.head++].resolve(ALONE);
      }
      this.compact(q);
      if (q.head < q.waiters.length) this.armTimer(q);
    }, wait);
    q.timer.unref();
  }
}
