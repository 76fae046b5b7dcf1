import type PgBoss from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import { JOB_EXPIRE_SECONDS } from '../../lib/job-queues';
import type { PointsService } from './points-service';

export const POINTS_QUEUES = { expiry: 'points-expiry', catchUp: 'points-catch-up' } as const;
const QUEUES = POINTS_QUEUES;

/**
 * A dead worker's catch-up runs again about a minute later; the nightly expiry (every member's
 * points) is given longer before it counts as dead, so a slow run is not started twice.
 */
export async function ensurePointsQueues(b: PgBoss): Promise<void> {
  for (const q of [
    { name: QUEUES.catchUp, expireInSeconds: JOB_EXPIRE_SECONDS },
    { name: QUEUES.expiry, expireInSeconds: 5 * JOB_EXPIRE_SECONDS },
  ]) {
    await b.createQueue(q.name, q);
    await b.updateQueue(q.name, q);
  }
}

/**
 * The ledger's background work: expiry (daily, China time) and the catch-up of earns a lost
 * check-out follow-up left behind (every 10 minutes). Set up on the process's one pg-boss (the
 * notification pipeline's, which starts it and retries a failed start whole); each job writes
 * once per key, so a run twice or in two processes changes nothing.
 */
export function pointsJobs(deps: { points: PointsService; log: FastifyBaseLogger }) {
  return {
    name: 'points',
    async start(boss: PgBoss): Promise<void> {
      await ensurePointsQueues(boss);
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
  };
}
