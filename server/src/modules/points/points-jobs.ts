import PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { PointsService } from './points-service';

const QUEUES = { expiry: 'points-expiry', catchUp: 'points-catch-up' } as const;

/**
 * pg-boss's set-up can deadlock with the notification pipeline's own pg-boss starting at the same
 * moment on the same schema; PostgreSQL aborts one side cleanly, which then starts again.
 */
const isDeadlock = (e: unknown) => (e as { code?: string }).code === '40P01' || /deadlock detected/i.test(String((e as Error)?.message));

export function pointsJobsFactory(deps: { databaseUrl: string; points: PointsService; log: FastifyBaseLogger }) {
  let boss: PgBoss | null = null;
  return {
    async start(): Promise<void> {
      for (let attempt = 1; ; attempt++) {
        const b = new PgBoss({ connectionString: deps.databaseUrl, max: 2, application_name: 'pioneer-points' });
        b.on('error', (err: Error) => deps.log.warn({ err: { message: err.message } }, 'points queue error'));
        try {
          await b.start();
          for (const name of Object.values(QUEUES)) await b.createQueue(name);
          await b.work(QUEUES.expiry, async () => {
            const n = await deps.points.expireAll();
            if (n > 0) deps.log.info({ points: n }, 'points expired');
          });
          await b.work(QUEUES.catchUp, async () => {
            await deps.points.catchUp();
          });
          await b.schedule(QUEUES.expiry, '10 3 * * *', undefined, { tz: 'Asia/Shanghai' });
          await b.schedule(QUEUES.catchUp, '*/10 * * * *', undefined, { tz: 'UTC' });
          boss = b;
          return;
        } catch (e) {
          // A half-started instance is stopped whole; a deadlock aborted one side cleanly: start anew.
          await b.stop({ graceful: false, wait: true }).catch(() => {});
          if (!isDeadlock(e) || attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, 50 * attempt));
        }
      }
    },
    async stop(): Promise<void> {
      await boss?.stop({ graceful: true, wait: true });
      boss = null;
    },
  };
}
