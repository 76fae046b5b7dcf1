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

async function publish(category: 'medical' | 'environment'): Promise<string> {
  const res = await http.request('POST', '/api/v1/tasks', { headers: secretary, body: taskBody(ctx, world.community.id, { category }) });
  expect(res.status).toBe(201);
  return res.body.task.id;
}

const count = async (sql: string, params: unknown[] = []) => (await ctx.database.pool.query(sql, params)).rows[0].n as number;

it(`notifies ${FOLLOWERS} followers of a new post without slowing publishing, once each, across two processes`, async () => {
  // Publishing must not wait for the fan-out. Proved without a clock: the followers' preferences
  // are locked, so any fan-out blocks on them, and every post is still published (201) meanwhile.
  const lock = await ctx.database.pool.connect();
  const followedIds: string[] = [];
  try {
    await lock.query('begin');
    await lock.query('lock table member_preferences in access exclusive mode');
    for (let i = 0; i < 8; i++) {
      await publish('environment');
      followedIds.push(await publish('medical'));
    }
    // The fan-out did start: a worker waits on the lock while the posts are already out.
    await eventually(
      async () =>
        (await count(
          `select count(*)::int as n from pg_locks l join pg_class c on c.oid = l.relation
            where c.relname = 'member_preferences' and not l.granted`,
        )) > 0,
      60_000,
      100,
    );
    // The post's transaction writes one outbox row, whatever the number of followers.
    expect(
      await count(`select count(*)::int as n from notification_outbox where kind = 'new_task' and payload->>'taskId' = any($1)`, [
        followedIds,
      ]),
    ).toBe(followedIds.length);
    expect(await count(`select count(*)::int as n from messages where kind = 'new_task'`)).toBe(0);
    await lock.query('commit');
  } finally {
    lock.release();
  }

  const expected = FOLLOWERS * followedIds.length;
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
