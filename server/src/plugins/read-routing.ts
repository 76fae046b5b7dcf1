import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ioredis } from '../lib/lazy-packages';
import { requestContext } from '../lib/request-context';

/**
 * Read-your-writes for callers of replica-backed routes: after a caller's successful write, its
 * reads go to the primary for as long as a usable replica may lag. With Redis the mark is shared,
 * so a write answered by one web process and a read answered by another still agree.
 */
interface RecentWriters {
  mark(userId: string): Promise<void>;
  has(userId: string): Promise<boolean>;
  close(): Promise<void>;
}

function memoryWriters(windowMs: number, now: () => number): RecentWriters {
  const until = new Map<string, number>();
  return {
    async mark(userId) {
      until.set(userId, now() + windowMs);
      if (until.size > 100_000) for (const [k, t] of until) if (t < now()) until.delete(k);
    },
    async has(userId) {
      const t = until.get(userId);
      return t !== undefined && t >= now();
    },
    async close() {},
  };
}

function redisWriters(url: string, windowMs: number, fallback: RecentWriters): RecentWriters {
  const redis = new (ioredis().Redis)(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', () => {});
  void redis.connect().catch(() => {});
  const key = (userId: string) => `pioneer:wrote:${userId}`;
  return {
    async mark(userId) {
      await fallback.mark(userId);
      await redis.set(key(userId), '1', 'PX', windowMs).catch(() => {});
    },
    async has(userId) {
      if (await fallback.has(userId)) return true;
      // Redis away: the replica may serve a stale figure for a moment, which beats failing the read.
      return (await redis.exists(key(userId)).catch(() => 0)) === 1;
    },
    async close() {
      redis.disconnect();
    },
  };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export default fp(
  async function readRouting(app: FastifyInstance, opts: { replicas: boolean; windowMs: number; redisUrl?: string }) {
    app.addHook('onRequest', (_request, _reply, done) => {
      requestContext.run({ preferPrimary: false }, done);
    });
    if (!opts.replicas) return;
    const memory = memoryWriters(opts.windowMs, Date.now);
    const writers = opts.redisUrl ? redisWriters(opts.redisUrl, opts.windowMs, memory) : memory;
    const userOf = (request: FastifyRequest) => request.principal?.userId ?? null;
    app.addHook('preHandler', async (request) => {
      const userId = userOf(request);
      const store = requestContext.getStore();
      if (store && userId && READS.has(request.method)) store.preferPrimary = await writers.has(userId);
    });
    app.addHook('onResponse', async (request, reply) => {
      const userId = userOf(request);
      if (userId && !READS.has(request.method) && reply.statusCode < 400) await writers.mark(userId);
    });
    app.addHook('onClose', async () => writers.close());
  },
  { name: 'read-routing', dependencies: ['auth'] },
);
