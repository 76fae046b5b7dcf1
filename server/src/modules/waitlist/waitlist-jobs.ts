import type { FastifyBaseLogger } from 'fastify';
import type { WaitlistService } from './waitlist-service';

declare module 'fastify' {
  interface FastifyInstance {
    /** Offer expiry and due draws; tests run them by hand with `tick()`. */
    claimJobs: ClaimJobs;
  }
}

interface ClaimJobs {
  /** One pass: expire offers past their deadline, run the draws whose time has come, write down no-shows. */
  tick(opts?: { settle?: boolean }): Promise<{ expired: number; drawn: number; noShows: number }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The jobs no request runs, driven by a timer in every server process. Several processes
 * polling at once is safe: each change takes the post's row lock (SKIP LOCKED, so nobody waits)
 * and re-checks what it is about to do under it, so an offer expires and a draw runs exactly once.
 * Polling the database rather than a queue keeps the jobs on the same rows and transactions as
 * the requests they race with.
 */
const SETTLE_EVERY = 30;

export function claimJobsFactory(deps: { waitlistService: WaitlistService; intervalMs: number; log: FastifyBaseLogger }): ClaimJobs {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let ticks = 0;

  async function tick(opts: { settle?: boolean } = {}) {
    const expired = await deps.waitlistService.expireDue();
    const drawn = await deps.waitlistService.drawDue();
    // No-shows (and the suspensions they cause) are a matter of minutes, not seconds.
    const noShows = opts.settle === false ? 0 : await deps.waitlistService.settleNoShows();
    return { expired, drawn, noShows };
  }

  return {
    tick,
    start() {
      if (timer || deps.intervalMs <= 0) return;
      timer = setInterval(() => {
        if (running) return;
        running = tick({ settle: ticks++ % SETTLE_EVERY === 0 })
          .catch((err) => deps.log.warn({ err }, 'claim jobs failed'))
          .finally(() => {
            running = null;
          });
      }, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
