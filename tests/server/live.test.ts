import WebSocket from 'ws';
import { LIVE_CLOSE_UNAUTHENTICATED, LiveServerMessageSchema, type LiveCount } from '@pioneer/shared';
import { makeWorld } from '../helpers/fixtures';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server';
import { httpClient, insertMembers, listen, makeSecretary, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string; token: string };
let crowd: FixtureMember[];
let baseUrl: string;
let local: ReturnType<typeof httpClient>;
let second: SpawnedServer;
let remote: ReturnType<typeof httpClient>;
const sockets: WebSocket[] = [];
/** Whatever the server pushed that the shared schema (which the client parses with) does not describe. */
const offContract: unknown[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  const sec = await makeSecretary(ctx, world.community.id, 'live-sec');
  secretary = { ...sec.auth, token: sec.token };
  [crowd, second] = await Promise.all([insertMembers(ctx, world, 12, 'live'), spawnServer(ctx.dbUrl)]);
  baseUrl = await listen(ctx);
  local = httpClient(baseUrl);
  remote = httpClient(second.url);
});
afterAll(async () => {
  for (const s of sockets) s.terminate();
  local?.close();
  remote?.close();
  await second?.stop();
  await ctx?.close();
});
afterEach(() => {
  expect(offContract.splice(0)).toEqual([]);
});

/** A live client that remembers everything pushed to it. */
async function connect(url: string, token?: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/live${token ? `?token=${encodeURIComponent(token)}` : ''}`);
  sockets.push(ws);
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  let closeCode: number | null = null;
  ws.on('message', (data) => {
    const body = JSON.parse(data.toString());
    if (!LiveServerMessageSchema.safeParse(body).success) offContract.push(body);
    messages.push(body);
    waiters.splice(0).forEach((w) => w());
  });
  ws.on('close', (code) => {
    closeCode = code;
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Wakes on every frame and on close; the timer only turns a frame that never comes into a readable failure.
  const until = async <T>(pick: () => T | undefined, what: string, ms = 20_000): Promise<T> => {
    let gaveUp = false;
    const guard = setTimeout(() => {
      gaveUp = true;
      waiters.splice(0).forEach((w) => w());
    }, ms);
    try {
      for (;;) {
        const found = pick();
        if (found !== undefined) return found;
        if (gaveUp) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    } finally {
      clearTimeout(guard);
    }
  };
  return {
    ws,
    messages,
    send: (body: unknown) => ws.send(JSON.stringify(body)),
    counts: (taskId: string) => messages.filter((m): m is LiveCount => m.taskId === taskId),
    waitFor: (taskId: string, test: (c: LiveCount) => boolean, what = 'a count') =>
      until(() => messages.find((m) => m.taskId === taskId && test(m)) as LiveCount | undefined, what),
    closed: () => until(() => closeCode ?? undefined, 'close'),
  };
}

const claimVia = (client: ReturnType<typeof httpClient>, taskId: string, m: FixtureMember) =>
  client.request('POST', `/api/v1/tasks/${taskId}/claims`, { headers: m.auth });

describe('live counts', () => {
  it('pushes the current count on subscribe, then every claim, from either process', async () => {
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 10 });
    const live = await connect(baseUrl, crowd[0].token);
    live.send({ type: 'subscribe', taskIds: [task.id] });
    expect(await live.waitFor(task.id, () => true, 'the first count')).toEqual({
      taskId: task.id,
      claimed: 0,
      remaining: 10,
      status: 'open',
      version: expect.any(Number),
    });

    // Claims through this process and through the other one.
    for (let i = 0; i < 6; i++) expect((await claimVia(i % 2 ? remote : local, task.id, crowd[i])).status).toBe(201);
    await live.waitFor(task.id, (c) => c.remaining === 4, 'remaining 4');
    const remaining = live.counts(task.id).map((c) => c.remaining);
    expect(remaining).toEqual([10, 9, 8, 7, 6, 5, 4]);

    // A subscriber of the other process hears claims made here.
    const far = await connect(second.url, crowd[1].token);
    far.send({ type: 'subscribe', taskIds: [task.id] });
    await far.waitFor(task.id, (c) => c.remaining === 4, 'the first count there');
    await Promise.all(crowd.slice(6, 10).map((m) => claimVia(local, task.id, m)));
    expect(await far.waitFor(task.id, (c) => c.remaining === 0, 'full')).toEqual({
      taskId: task.id,
      claimed: 10,
      remaining: 0,
      status: 'open',
      version: expect.any(Number),
    });
    await live.waitFor(task.id, (c) => c.remaining === 0, 'full here too');

    // A slot given back, then the post cancelled.
    expect((await remote.request('DELETE', `/api/v1/tasks/${task.id}/claims/me`, { headers: crowd[0].auth })).status).toBe(200);
    await live.waitFor(task.id, (c) => c.remaining === 1 && c.claimed === 9, 'a slot back');
    expect((await local.request('POST', `/api/v1/tasks/${task.id}/cancel`, { headers: secretary })).status).toBe(200);
    expect(await far.waitFor(task.id, (c) => c.status === 'cancelled', 'the cancellation')).toEqual({
      taskId: task.id,
      claimed: 0,
      remaining: 10,
      status: 'cancelled',
      version: expect.any(Number),
    });
  });

  it('accepts the token as the first message, and hears only what it subscribed to', async () => {
    const a = await publishTask(ctx, secretary, world.community.id, { capacity: 3 });
    const b = await publishTask(ctx, secretary, world.community.id, { capacity: 3 });
    const live = await connect(second.url);
    live.send({ type: 'auth', token: crowd[2].token });
    live.send({ type: 'subscribe', taskIds: [a.id] });
    await live.waitFor(a.id, () => true);
    await claimVia(local, b.id, crowd[2]);
    await claimVia(local, a.id, crowd[2]);
    await live.waitFor(a.id, (c) => c.claimed === 1);
    expect(live.counts(b.id)).toEqual([]);
    live.send({ type: 'unsubscribe', taskIds: [a.id] });
    live.send({ type: 'subscribe', taskIds: [b.id] });
    await live.waitFor(b.id, (c) => c.claimed === 1);
    await claimVia(remote, a.id, crowd[3]);
    await claimVia(remote, b.id, crowd[3]);
    await live.waitFor(b.id, (c) => c.claimed === 2);
    expect(live.counts(a.id).map((c) => c.claimed)).toEqual([0, 1]);
  });

  it('closes sockets that do not authenticate', async () => {
    const forged = await connect(baseUrl, 'not-a-token');
    expect(await forged.closed()).toBe(LIVE_CLOSE_UNAUTHENTICATED);
    const silent = await connect(baseUrl);
    silent.send({ type: 'subscribe', taskIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(await silent.closed()).toBe(LIVE_CLOSE_UNAUTHENTICATED);
    expect(silent.messages).toEqual([expect.objectContaining({ type: 'error', code: 'UNAUTHENTICATED' })]);
  });
});

describe('the listener connection drops', () => {
  it('reconnects by itself, resends current counts, and the claim gate stops trusting what it knew meanwhile', async () => {
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 1 });
    const live = await connect(baseUrl, crowd[11].token);
    live.send({ type: 'subscribe', taskIds: [task.id] });
    await live.waitFor(task.id, (c) => c.remaining === 1, 'the first count');
    // The post fills: the gate here learns it is full.
    expect((await claimVia(local, task.id, crowd[10])).status).toBe(201);
    await live.waitFor(task.id, (c) => c.remaining === 0, 'full');

    const listening = async () =>
      (await ctx.database.pool.query(`select pid from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`)).rows;
    const before = await listening();
    expect(before.length).toBeGreaterThan(0);
    await ctx.database.pool.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike $1',
      ['LISTEN%'],
    );

    const seenBefore = live.messages.length;
    // While nobody listens, a cancel elsewhere frees the slot: after reconnecting, the socket is told.
    expect((await remote.request('DELETE', `/api/v1/tasks/${task.id}/claims/me`, { headers: crowd[10].auth })).status).toBe(200);
    const seen = seenBefore;
    await live.waitFor(task.id, (c) => c.remaining === 1 && live.messages.indexOf(c) >= seen, 'the count resent after reconnecting');
    const after = await listening();
    expect(after.length).toBeGreaterThan(0);
    expect(after.map((r) => r.pid)).not.toEqual(before.map((r) => r.pid));
    // And the gate answers from the database again: the freed slot can be claimed here.
    expect((await claimVia(local, task.id, crowd[9])).status).toBe(201);
  });
});
