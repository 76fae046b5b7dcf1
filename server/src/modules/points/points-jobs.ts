import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { PointsService } from './points-service';

const QUEUES = { expiry: 'points-expiry', catchUp: 'points-catch-up' } as const;

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
      await boss.start();
      for (const name of Object.values(QUEUES)) await boss.createQueue(name);
      await boss.work(QUEUES.expiry, async () => {
        const n = await deps.points.expireAll();
        if (n > 0) deps.log.info({ points: n }, 'points expired');
      });
      await boss.work(QUEUES.catchUp, async () => {
        await deps.points.catchUp();
      });
      await boss.schedule(QUEUES.expiry, '10 3 * * *', undefined, { tz: 'Asia/Shanghai' });
      await boss.schedule(QUEUES.catchUp, '*/10 * * * *', undefined, { tz: 'UTC' });
    },
    async stop(): Promise<void> {
      await boss?.stop({ graceful: true, wait: true });
      boss = null;
    },
  };
}
