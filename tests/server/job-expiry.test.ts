import PgBoss from 'pg-boss';
import { JOB_EXPIRE_SECONDS, MAINTENANCE_INTERVAL_SECONDS } from '../../server/src/lib/job-queues';
import { ensureQueues, QUEUES } from '../../server/src/modules/notifications/pipeline';
import { ensurePointsQueues, POINTS_QUEUES } from '../../server/src/modules/points/points-jobs';
import { createTestContext, type TestContext } from '../helpers/test-app';

// The server's queues in a schema of their own, with no timers: the test runs pg-boss's expiry
// itself, after moving a job's start back (the worker that took it died), instead of waiting.
const SCHEMA = 'pgboss_expiry_test';
let ctx: TestContext;
let boss: PgBoss;

beforeAll(async () => {
  ctx = await createTestContext();
  await ctx.database.pool.query(`drop schema if exists ${SCHEMA} cascade`);
  boss = new PgBoss({ connectionString: ctx.dbUrl, schema: SCHEMA, supervise: false, schedule: false, max: 2 });
  boss.on('error', () => {});
  await boss.start();
  await ensureQueues(boss, { wechatRetryLimit: 3, wechatRetryDelaySeconds: 1 });
  await ensurePointsQueues(boss);
});
afterAll(async () => {
  await boss?.stop({ graceful: false, wait: true });
  await ctx.database.pool.query(`drop schema if exists ${SCHEMA} cascade`);
  await ctx.close();
});

/** pg-boss's maintenance step that fails (and retries) jobs active past their queue's expiry. */
const expire = () => (boss as unknown as { expire(): Promise<void> }).expire();

async function takenBy(name: string, secondsAgo: number): Promise<string> {
  const id = (await boss.send(name, { n: 1 }))!;
  const [job] = await boss.fetch(name);
  expect(job.id).toBe(id);
  // The worker that took it dies without an answer: its start moves back as time passes.
  await ctx.database.pool.query(`update ${SCHEMA}.job set started_on = now() - make_interval(secs => $2) where id = $1`, [id, secondsAgo]);
  return id;
}

describe('a dead worker’s job runs again about a minute later', () => {
  it('checks for expired jobs every few seconds, so the expiry is close to the minute', () => {
    expect(JOB_EXPIRE_SECONDS + MAINTENANCE_INTERVAL_SECONDS).toBeLessThanOrEqual(75);
  });

  it.each([QUEUES.event, QUEUES.wechat, POINTS_QUEUES.catchUp])(
    '%s: active for 30 s stays taken, past a minute it is retried',
    async (name) => {
      const fresh = await takenBy(name, 30);
      const dead = await takenBy(name, JOB_EXPIRE_SECONDS + 1);
      await expire();
      const [f, d] = await Promise.all([boss.getJobById(name, fresh), boss.getJobById(name, dead)]);
      expect(f!.state).toBe('active');
      expect(d!.state).toBe('retry');
      // And a worker fetching again gets it.
      await ctx.database.pool.query(`update ${SCHEMA}.job set start_after = now() where id = $1`, [dead]);
      const again = await boss.fetch(name);
      expect(again.map((j) => j.id)).toContain(dead);
    },
  );

  it('the nightly points expiry is given longer, and still within minutes', async () => {
    const q = await boss.getQueue(POINTS_QUEUES.expiry);
    expect(q!.expireInSeconds).toBeGreaterThan(JOB_EXPIRE_SECONDS);
    expect(q!.expireInSeconds).toBeLessThanOrEqual(10 * 60);
  });
});
