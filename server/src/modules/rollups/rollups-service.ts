import type { DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import { rollupsRepository, type RollupsRepository } from './rollups-repository';
import { TZ } from './rollups-sql';

export interface RefreshResult {
  ran: boolean;
  queued: number;
  communityKeys: number;
  units: number;
  ms: number;
}

/**
 * Keeps stats_rollups and stats_fill_times equal to what the posts, claims and members say,
 * off the request path: triggers only append to rollup_queue; this job drains it every
 * `intervalMs` and rewrites the touched community months and weeks, unit months, and the
 * district, city and all-time rows above them, in one transaction. The statements are the
 * repository's (rollups-repository.ts); here is when and how often they run.
 */
export function rollupsServiceFactory(deps: {
  /** The database: each run is one transaction on it. */
  db: DbOrTx;
  intervalMs: number;
  onError?: (err: unknown) => void;
  repository?: RollupsRepository;
}) {
  const { db } = deps;
  const repo = deps.repository ?? rollupsRepository;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<RefreshResult> | null = null;

  async function refreshOnce(wait: boolean): Promise<RefreshResult> {
    const started = performance.now();
    return transaction(db, async (tx) => {
      if (!(await repo.jobLock(tx, wait))) return { ran: false, queued: 0, communityKeys: 0, units: 0, ms: performance.now() - started };
      // After the lock: this snapshot sees every entry committed before, and the rewrite below
      // reads the data at least as new as the entries it drained.
      const drained = await repo.drainQueue(tx);
      if (drained.length === 0) return { ran: true, queued: 0, communityKeys: 0, units: 0, ms: performance.now() - started };
      const touched = await repo.touched(tx, drained);
      const { communityKeys } = await repo.rewrite(tx, touched);
      await repo.recordVersion(tx, [...new Set([...touched.community.keys(), ...touched.registry])]);
      return { ran: true, queued: drained.length, communityKeys, units: touched.units.size, ms: performance.now() - started };
    });
  }

  return {
    /**
     * Runs the job now (after a run already under way in this process). `wait: false` gives up
     * when another process holds the job; by default it waits for it, so the roll-ups include
     * everything committed before the call.
     */
    async refresh(opts: { wait?: boolean } = {}): Promise<RefreshResult> {
      while (running) await running.catch(() => {});
      running = refreshOnce(opts.wait ?? true);
      try {
        return await running;
      } finally {
        running = null;
      }
    },

    /**
     * Takes the roll-up job's lock in the caller's transaction, waiting for a running job: a bulk
     * load that rebuilds the roll-ups at its end takes it before touching any table, so the job
     * never holds it while it waits on the load's tables (a deadlock otherwise).
     */
    async holdJob(tx: DbOrTx): Promise<void> {
      await repo.jobLock(tx, true);
    },

    /**
     * Recomputes every roll-up from scratch (seed loads, repairs). Takes the job's lock and
     * empties the queue in the same transaction: the caller's when `tx` is handed in (a handle
     * on a transaction the caller opened and commits), else one of its own.
     */
    async rebuildAll(tx?: DbOrTx): Promise<void> {
      if (tx) return repo.rebuild(tx);
      return transaction(db, (t) => repo.rebuild(t));
    },

    start(): void {
      if (timer || deps.intervalMs <= 0) return;
      const tick = () => {
        timer = setTimeout(async () => {
          try {
            await this.refresh({ wait: false });
          } catch (err) {
            deps.onError?.(err);
          }
          if (timer) tick();
        }, deps.intervalMs);
        timer.unref();
      };
      tick();
    },

    async stop(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = null;
      while (running) await running.catch(() => {});
    },
  };
}

export type RollupsService = ReturnType<typeof rollupsServiceFactory>;
export { TZ };
