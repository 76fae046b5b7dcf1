import { AppError } from './errors';
import type { Clock } from './clock';

/**
 * Fixed-window counter per key, kept in this process. It guards cheap-to-abuse entry points
 * (sign-in, invite codes); with several processes each enforces its own share.
 */
export function rateLimiterFactory(opts: { max: number; windowMs: number; clock: Clock }) {
  let windowStart = 0;
  let counts = new Map<string, number>();

  return {
    /** Counts one attempt for `key`; throws RATE_LIMITED (with Retry-After) past the limit. */
    hit(key: string): void {
      const now = opts.clock.now().getTime();
      if (now - windowStart >= opts.windowMs) {
        windowStart = now - (now % opts.windowMs);
        counts = new Map();
      }
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n > opts.max) {
        const retryAfter = Math.max(1, Math.ceil((windowStart + opts.windowMs - now) / 1000));
        throw new AppError('RATE_LIMITED', undefined, { headers: { 'retry-after': String(retryAfter) } });
      }
    },
  };
}

export type RateLimiter = ReturnType<typeof rateLimiterFactory>;
