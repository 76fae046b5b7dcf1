import { createHash } from 'node:crypto';
import fastifyRateLimit, { type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { AppError } from '../lib/errors';
import { ioredis } from '../lib/lazy-packages';

const WINDOW_MS = 60_000;
/** Keys each in-memory limit remembers (LRU): an office of 2,000 fits many times over. */
const MEMORY_KEYS = 100_000;
const KEY = Symbol('rate-limit key');

/** `max` attempts a minute per key. */
export interface Limit {
  /** Counts one attempt for `key`; past the limit throws RATE_LIMITED with Retry-After. */
  hit(key: string): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** A limit named `name` (its counters are kept apart from other limits', in memory and in Redis). */
    perMinute(name: string, max: number): Limit;
  }
}

/** Secrets (WeChat codes) are counted under a digest, so no store ever holds them. */
export const digestKey = (secret: string) => createHash('sha256').update(secret).digest('base64url').slice(0, 22);

/**
 * @fastify/rate-limit with its counters in this process, or in Redis when `redisUrl` is set, so a
 * limit holds across processes. Redis going away does not stop sign-ins: counting is skipped
 * (and logged) until it is back.
 */
export default fp(
  async function rateLimit(app: FastifyInstance, opts: { redisUrl?: string }) {
    let redis: Redis | undefined;
    if (opts.redisUrl) {
      redis = new (ioredis().Redis)(opts.redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
      });
      let warned = false;
      redis.on('error', (err) => {
        if (!warned) app.log.warn({ err }, 'rate-limit store (Redis) unavailable; limits are not counted until it is back');
        warned = true;
      });
      redis.on('ready', () => {
        warned = false;
      });
      const client = redis;
      try {
        await client.connect();
      } catch (err) {
        client.disconnect();
        throw new Error(`REDIS_URL: Redis did not answer (${(err as Error).message})`);
      }
      app.addHook('onClose', async () => {
        await client.quit().catch(() => client.disconnect());
      });
    }
    await app.register(fastifyRateLimit, { global: false, redis, nameSpace: 'pioneer-rl:', skipOnError: true, cache: MEMORY_KEYS });

    app.decorate('perMinute', (name: string, max: number): Limit => {
      const options: RateLimitOptions = {
        max,
        timeWindow: WINDOW_MS,
        keyGenerator: (carrier) => `${name}:${(carrier as unknown as { [KEY]: string })[KEY]}`,
        cache: MEMORY_KEYS,
      };
      const count = app.createRateLimit(options);
      return {
        async hit(key) {
          // The plugin reads the key through keyGenerator and the route's config (none here), so a
          // key that is not the request's (an openid found after the WeChat exchange) works too.
          const r = await count({ [KEY]: key, routeOptions: { config: {} } } as unknown as FastifyRequest);
          if (r.isAllowed || !r.isExceeded) return;
          throw new AppError('RATE_LIMITED', undefined, { headers: { 'retry-after': String(Math.max(1, r.ttlInSeconds)) } });
        },
      };
    });
  },
  { name: 'rate-limit' },
);
