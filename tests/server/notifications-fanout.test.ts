import { developmentProvider } from '../../server/src/modules/auth/wechat-provider';
import { makeWorld } from '../helpers/fixtures';
import { eventually, startFakeWechat, WECHAT_TEST_ENV, type FakeWechat } from '../helpers/fake-wechat';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server';
import { httpClient, insertMembers, listen, makeSecretary, taskBody, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

const FOLLOWERS = 2000;
const WITH_CREDIT = 300;

let fake: FakeWechat;
let ctx: TestContext;
let second: SpawnedServer;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let followers: FixtureMember[];
let http: ReturnType<typeof httpClient>;

beforeAll(async () => {
  fake = await startFakeWechat();
  const env = WECHAT_TEST_ENV(fake.base);
  ctx = await createTestContext({
    env,
    deps: {
      wechat: developmentProvider,
      notifications: { worker: true, options: { relayIntervalMs: 100, pollingIntervalSeconds: 0.5, reminderCron: null } },
    },
  });
  world = await makeWorld(ctx.database.db);
  secretary = (await makeSecretary(ctx, world.community.id, 'fan-sec')).auth;
  followers = await insertMembers(ctx, world, FOLLOWERS, 'fanout');
  // Fixtures in bulk (the preferences and subscriptions routes have their own tests).
  await ctx.database.pool.query(
    `insert into member_preferences (member_id, follow_categories) select unnest($1::uuid[]), '{medical,care}'`,
    [followers.map((f) => f.memberId)],
  );
  await ctx.database.pool.query(
    `insert into subscription_credits (user_id, template_key, credits) select unnest($1::uuid[]), 'new_task', 1`,
    [followers.slice(0, WITH_CREDIT).map((f) => f.userId)],
  );
  http = httpClient(await listen(ctx));
  // A second server process on the same database runs the queue too.
  second = await spawnServer(ctx.dbUrl, { ...env, NOTIFY_WORKER: 'true' });
}, 120_000);
afterAll(async () => {
  http.close();
  await second?.stop();
  await ctx.close();
  await fake.close();
});

async function publishTimed(category: 'medical' | 'environment'): Promise<{ ms: number; id: string }> {
  const started = performance.now();
  const res = await http.request('POST', '/api/v1/tasks', { headers: secretary, body: taskBody(ctx, world.community.id, { category }) });
  const ms = performance.now() - started;
  expect(res.status).toBe(201);
  return { ms, id: res.body.task.id };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

it(`notifies ${FOLLOWERS} followers of a new post without slowing publishing, once each, across two processes`, async () => {
  // Publishing where nobody follows, then where 2,000 do, interleaved so the host's load weighs on both.
  const quiet: number[] = [];
  const followed: number[] = [];
  const followedIds: string[] = [];
  for (let i = 0; i < 8; i++) {
    quiet.push((await publishTimed('environment')).ms);
    const f = await publishTimed('medical');
    followed.push(f.ms);
    followedIds.push(f.id);
  }
  // The post's transaction writes one outbox row, whatever the number of followers.
  const { rows: outbox } = await ctx.database.pool.query(
    `select count(*)::int as n from notification_outbox where kind = 'new_task' and payload->>'taskId' = any($1)`,
    [followedIds],
  );
  expect(outbox[0].n).toBe(followedIds.length);
  console.log(`publish median: ${median(quiet).toFixed(1)} ms without followers, ${median(followed).toFixed(1)} ms with ${FOLLOWERS}`);
  // Relative, not absolute: this host's load moves both alike. The fan-out runs meanwhile, in
  // both processes, and publishing does not wait for it.
  expect(median(followed)).toBeLessThan(2 * median(quiet) + 50);

  const expected = FOLLOWERS * followedIds.length;
  const started = Date.now();
  await eventually(
    async () => {
      const { rows } = await ctx.database.pool.query(
        `select count(*)::int as n from messages where kind = 'new_task' and task_id = any($1::uuid[])`,
        [followedIds],
      );
      return rows[0].n === expected;
    },
    90_000,
    200,
  );
  console.log(`${expected} messages written ${Date.now() - started} ms after the last publish`);

  // Exactly one message per follower and post; nobody else.
  const { rows: dup } = await ctx.database.pool.query(
    `select count(*)::int as n from (select user_id, task_id from messages where kind = 'new_task' group by 1, 2 having count(*) > 1) d`,
  );
  expect(dup[0].n).toBe(0);
  const { rows: strangers } = await ctx.database.pool.query(
    `select count(*)::int as n from messages where kind = 'new_task' and user_id <> all($1::uuid[])`,
    [followers.map((f) => f.userId)],
  );
  expect(strangers[0].n).toBe(0);

  // One credit each: WeChat hears once per follower holding one, from whichever process sent it.
  await eventually(
    async () => {
      const { rows } = await ctx.database.pool.query(
        `select count(*)::int as n from wechat_deliveries where template_key = 'new_task' and status = 'sent'`,
      );
      return rows[0].n === WITH_CREDIT;
    },
    60_000,
    200,
  );
  const { rows: openids } = await ctx.database.pool.query(`select openid from users where id = any($1::uuid[])`, [
    followers.slice(0, WITH_CREDIT).map((f) => f.userId),
  ]);
  const credited = new Set(openids.map((r: { openid: string }) => r.openid));
  const sends = fake.delivered().filter((s) => s.templateId === 'tpl-new-task');
  expect(sends).toHaveLength(WITH_CREDIT);
  expect(new Set(sends.map((s) => s.openid))).toEqual(credited);
  const { rows: left } = await ctx.database.pool.query(
    `select coalesce(sum(credits), 0)::int as n from subscription_credits where template_key = 'new_task'`,
  );
  expect(left[0].n).toBe(0);
}, 180_000);
