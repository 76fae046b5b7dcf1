/**
 * pg-boss settings shared by every queue of the server. pg-boss fails a job that stayed active
 * longer than its queue's `expireInSeconds` (and retries it within its retry limit) when its
 * maintenance runs, every `maintenanceIntervalSeconds`: a job whose worker died (process killed,
 * connection lost) runs again about a minute later, not after pg-boss's defaults (15 minutes,
 * checked every 2 minutes).
 */
export const JOB_EXPIRE_SECONDS = 60;
export const MAINTENANCE_INTERVAL_SECONDS = 10;

/**
 * Keeps count of the job handlers a pg-boss instance is running. pg-boss's `stop()` can resolve
 * while a handler still runs (its graceful wait polls every 500 ms and gives up after its timeout,
 * a forced stop does not wait at all), and pg-boss keeps a loop polling until that handler
 * returns; a process (or a test file) that ends meanwhile leaves that loop behind. `idle()`
 * resolves once every handler has returned, so a stop can wait for them.
 */
export function trackJobHandlers(boss: { work: (...args: never[]) => Promise<string> }) {
  const running = new Set<Promise<unknown>>();
  const work = boss.work as unknown as (...args: unknown[]) => Promise<string>;
  (boss as { work: unknown }).work = (...args: unknown[]) => {
    const last = args.length - 1;
    const handler = args[last] as (...a: unknown[]) => Promise<unknown>;
    args[last] = (...a: unknown[]) => {
      const run = handler(...a);
      running.add(run);
      return run.finally(() => running.delete(run));
    };
    return work(...args);
  };
  return {
    async idle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
