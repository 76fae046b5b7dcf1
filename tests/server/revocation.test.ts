import { buildApp } from '../../server/src/app';
import { makeWorld } from '../helpers/fixtures';
import { insertMembers, makeSecretary, publishTask, slotState, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { startTwoProcesses } from '../helpers/two-processes';

/**
 * Contract v3: revoking sessions (logout, an admin's revoke, 注销) holds on every route of every
 * process, across restarts and lost database notifications (issue 23). The claim route trusts a
 * verified token without loading the principal: its statement checks the token's version.
 */

jest.setTimeout(90_000);

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  secretary = (await makeSecretary(ctx, world.community.id, 'revoke-sec')).auth;
});
afterAll(async () => ctx?.close());

type Injector = { inject: TestContext['app']['inject'] };
const claim = (app: Injector, taskId: string, m: FixtureMember, key?: string) =>
  app.inject({ method: 'POST', url: `/api/v1/tasks/${taskId}/claims`, headers: { ...m.auth, ...(key ? { 'idempotency-key': key } : {}) } });
const codeOf = (res: { statusCode: number; json(): any }) =>
  res.statusCode < 300 ? String(res.statusCode) : `${res.statusCode} ${res.json().code}`;
/** A revocation written without its announcement: what a process misses while its listener is down. */
const revokeUnheard = (userIds: string[]) =>
  ctx.database.pool.query('update users set token_version = token_version + 1 where id = any($1::uuid[])', [userIds]);
const keysOf = async (userId: string) =>
  (await ctx.database.pool.query<{ n: number }>('select count(*)::int n from idempotency_keys where user_id = $1', [userId])).rows[0].n;

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('logout, then a restart: the old token claims nothing, even where a refusal would come from memory', async () => {
  const [m, holder] = await insertMembers(ctx, world, 2, 'rv-restart');
  const task = await publishTask(ctx, secretary, world.community.id, { capacity: 3 });
  const full = await publishTask(ctx, secretary, world.community.id, { capacity: 1 });
  expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: m.auth })).statusCode).toBe(200);

  const restarted = await buildApp({ config: ctx.config, database: ctx.database, clock: ctx.clock, logger: false });
  await restarted.ready();
  try {
    expect(codeOf(await claim(restarted, task.id, m))).toBe('401 UNAUTHENTICATED');
    expect(codeOf(await claim(restarted, task.id, m, 'rv-restart-key'))).toBe('401 UNAUTHENTICATED');
    expect((await restarted.inject({ method: 'GET', url: '/api/v1/auth/me', headers: m.auth })).statusCode).toBe(401);
    expect(await keysOf(m.userId)).toBe(0);
    // The restarted process knows the revocation from the start: a post it knows full answers 401, not TASK_FULL.
    expect(codeOf(await claim(restarted, full.id, holder))).toBe('201');
    await until('the gate to know the post is full', () => restarted.claimGate.inspect(full.id)?.full === true);
    expect(codeOf(await claim(restarted, full.id, m))).toBe('401 UNAUTHENTICATED');
  } finally {
    await restarted.close();
  }
  expect(await slotState(ctx, task.id)).toMatchObject({ claimed: 0, live: 0 });
});

test('a revocation no process heard still holds: batched claims, a claim alone, with a key, and a replay', async () => {
  const members = await insertMembers(ctx, world, 6, 'rv-unheard');
  const [a, b, c, d, e, f] = members;
  const task = await publishTask(ctx, secretary, world.community.id, { capacity: 10 });
  await revokeUnheard([a.userId, c.userId]);

  // Arriving together, these go to the database as one batch statement.
  const answers = await Promise.all([a, b, c, d].map((m) => claim(ctx.app, task.id, m)));
  expect(answers.map(codeOf)).toEqual(['401 UNAUTHENTICATED', '201', '401 UNAUTHENTICATED', '201']);

  // Without the gate (its listener lost), each claim is its own statement.
  ctx.app.claimGate.setListening(false);
  try {
    expect(codeOf(await claim(ctx.app, task.id, a))).toBe('401 UNAUTHENTICATED');
  } finally {
    ctx.app.claimGate.setListening(true);
  }

  // With an Idempotency-Key: refused, and no key is kept to replay later.
  expect(codeOf(await claim(ctx.app, task.id, c, 'rv-key-c'))).toBe('401 UNAUTHENTICATED');
  expect(await keysOf(c.userId)).toBe(0);

  // A replay of a claim made before the revocation is not answered to the revoked token either.
  expect(codeOf(await claim(ctx.app, task.id, e, 'rv-key-e'))).toBe('201');
  await revokeUnheard([e.userId]);
  expect(codeOf(await claim(ctx.app, task.id, e, 'rv-key-e'))).toBe('401 UNAUTHENTICATED');

  // A token signed after the revocation works as before.
  const fresh = ctx.app.signSession(f.userId, f.memberId, 1);
  await revokeUnheard([f.userId]);
  const renewed = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/tasks/${task.id}/claims`,
    headers: { authorization: `Bearer ${fresh}` },
  });
  expect(codeOf(renewed)).toBe('201');

  expect(await slotState(ctx, task.id)).toMatchObject({ claimed: 4, live: 4 });
});

test('two processes, the listeners killed: a logout on one holds on the other at once, and after they reconnect', async () => {
  const two = await startTwoProcesses('rv-two', 3);
  try {
    const [m, holder, other] = two.members;
    const task = await publishTask(two.ctx, two.secretary, two.world.community.id, { capacity: 5 });
    const full = await publishTask(two.ctx, two.secretary, two.world.community.id, { capacity: 1 });
    expect((await two.local.request('POST', `/api/v1/tasks/${full.id}/claims`, { headers: holder.auth })).status).toBe(201);
    await until('the gate to know the post is full', () => two.ctx.app.claimGate.inspect(full.id)?.full === true);

    const { rows } = await two.ctx.database.pool.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int n from pg_stat_activity
        where datname = current_database() and query ilike 'LISTEN%' and pid <> pg_backend_pid()`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(2);
    expect((await two.remote.request('POST', '/api/v1/auth/logout', { headers: m.auth })).status).toBe(200);

    for (const client of [two.local, two.remote]) {
      const claimed = await client.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: m.auth });
      expect({ status: claimed.status, code: claimed.body.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
      expect((await client.request('GET', '/api/v1/auth/me', { headers: m.auth })).status).toBe(401);
    }
    expect((await two.local.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: other.auth })).status).toBe(201);

    // Reconnected, this process reloaded what it missed before answering from memory again: a
    // post it knows full answers the revoked token 401, not TASK_FULL.
    await until(
      'the listener to reconnect and the gate to know the post full again',
      async () => {
        await two.local.request('POST', `/api/v1/tasks/${full.id}/claims`, { headers: holder.auth });
        return two.ctx.app.claimGate.inspect(full.id)?.full === true;
      },
      8000,
    );
    const fromMemory = await two.local.request('POST', `/api/v1/tasks/${full.id}/claims`, { headers: m.auth });
    expect({ status: fromMemory.status, code: fromMemory.body.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await slotState(two.ctx, task.id)).toMatchObject({ claimed: 1, live: 1 });
  } finally {
    await two.close();
  }
});

test('an admin revoking a user holds on the claim route too', async () => {
  const [m] = await insertMembers(ctx, world, 1, 'rv-admin');
  const admin = await ctx.signIn('rv-admin-city');
  await ctx.grant(admin.userId, 'city_admin', null);
  const task = await publishTask(ctx, secretary, world.community.id, { capacity: 2 });
  const revoked = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${m.userId}/sessions/revoke`, headers: admin.auth });
  expect(revoked.statusCode).toBe(200);
  expect(codeOf(await claim(ctx.app, task.id, m))).toBe('401 UNAUTHENTICATED');
});
