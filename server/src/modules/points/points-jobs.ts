import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { PointsService } from './points-service';

const QUEUES = { expiry: 'points-expiry', catchUp: 'points-catch-up' } as const;

/**
 * pg-boss's queue set-up can deadlock with the notification pipeline's own pg-boss starting at the
 * same moment on the same schema: a deadlock aborts one side cleanly, so it is tried again.
 */
async function retryingDeadlocks<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const deadlock = (e as { code?: string }).code === '40P01' || /deadlock detected/i.test(String((e as Error).message));
      if (!deadlock || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }
}

/**
 * The ledger's scheduled work on pg-boss, as the notification pipeline runs its crons: expiry
 * (oldest points first) daily at 03:10 China time, and a catch-up of earns a lost check-out
 * follow-up missed every ten minutes. Both are idempotent (entry keys), so a job pg-boss runs
 * twice, or two workers, write once. Tests call the service directly.
 */
export function pointsJobsFactory(deps: { databaseUrl: string; points: PointsService; log: FastifyBaseLogger }) {
  let boss: PgBoss | null = null;
  return {
    async start(): Promise<void> {
      boss = new PgBoss({ connectionString: deps.databaseUrl, max: 2, application_name: 'pioneer-points' });
      boss.on('error', (err: Error) => deps.log.warn({ err: { message: err.message } }, 'points queue error'));
      const b = boss;
      await retryingDeadlocks(() => b.start());
      for (const name of Object.values(QUEUES)) await retryingDeadlocks(() => b.createQueue(name));
      await boss.work(QUEUES.expiry, async () => {
        const n = await deps.points.expireAll();
        if (n > 0) deps.log.info({ points: n }, 'points expired');
      });
      await boss.work(QUEUES.catchUp, async () => {
        await deps.points.catchUp();
      });
      await retryingDeadlocks(() => b.schedule(QUEUES.expiry, '10 3 * * *', undefined, { tz: 'Asia/Shanghai' }));
      await retryingDeadlocks(() => b.schedule(QUEUES.catchUp, '*/10 * * * *', undefined, { tz: 'UTC' }));
    },
    async stop(): Promise<void> {
      await boss?.stop({ graceful: true, wait: true });
      boss = null;
    },
  };
}
