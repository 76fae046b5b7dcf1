import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { LiveServerMessageSchema, type LiveCount } from '@pioneer/shared';
import { startCluster, type Cluster } from '../../server/scripts/cluster/start-cluster';
import { attachContext } from '../helpers/attached-context';
import { eventually, startFakeWechat, WECHAT_TEST_ENV, type FakeWechat } from '../helpers/fake-wechat';
import { makeWorld } from '../helpers/fixtures';
import { httpClient, insertMembers, makeSecretary, publishTask, slotState, taskBody, type HttpAnswer } from '../helpers/task-fixtures';
import { TEST_ENV, type TestContext } from '../helpers/test-app';

// One cluster for the file (starting one costs tens of seconds): nginx in front of three web
// processes and two workers (every job must be right with several at once), an embedded
// PostgreSQL primary with a streaming replica, Redis; the workers send through a fake WeChat.
let cluster: Cluster;
let wechat: FakeWechat;
let dataDir: string;
let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let admin: { authorization: string; userId: string };
let viaNginx: ReturnType<typeof httpClient>;

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

function tally(answers: HttpAnswer[]) {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const key = a.status === 201 ? '201' : `${a.status} ${a.body?.code ?? ''}`.trim();
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** The roll-up job (on the worker) has taken in every change so far. */
const rollupsCaughtUp = () =>
  eventually(
    async () => (await query<{ n: number }>(cluster.primaryUrl, 'select count(*)::int as n from rollup_queue'))[0].n === 0,
    60_000,
  );

/** The replica has replayed everything the primary has written so far. */
async function replicaCaughtUp() {
  const [{ lsn }] = await query<{ lsn: string }>(cluster.primaryUrl, 'select pg_current_wal_lsn()::text as lsn');
  await eventually(
    async () =>
      Number(
        (
          await query<{ behind: string }>(
            cluster.replicaUrls[0],
            'select pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::text as behind',
            [lsn],
          )
        )[0].behind,
      ) <= 0,
    60_000,
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'pioneer-cluster-'));
  wechat = await startFakeWechat();
  cluster = await startCluster({
    web: 3,
    workers: 2,
    workerEnv: WECHAT_TEST_ENV(wechat.base),
    dataDir,
    port: 0,
    env: {
      ...TEST_ENV,
      NODE_ENV: 'development',
      SEED_DEMO: 'false',
      NOTIFY_WORKER: 'true',
      LOGIN_IDENTITY_RATE_LIMIT: '5',
      // Generous, so a replica whose replay is paused below stays usable while the test looks.
      REPLICA_MAX_LAG_MS: '600000',
    },
  });
  ctx = await attachContext(cluster.primaryUrl);
  world = await makeWorld(ctx.database.db);
  secretary = (await makeSecretary(ctx, world.community.id, 'cluster-sec')).auth;
  const a = await ctx.signIn('cluster-admin');
  await ctx.grant(a.userId, 'city_admin', null);
  admin = { ...a.auth, userId: a.userId };
  viaNginx = httpClient(cluster.url);
}, 600_000);

afterAll(async () => {
  viaNginx?.close();
  await ctx?.close();
  await cluster?.stop();
  await wechat?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a cluster of three web processes and a worker behind nginx', () => {
  test('every process answers its role; nginx spreads requests over the web processes', async () => {
    for (const w of cluster.webs) {
      const h = await fetch(`http://127.0.0.1:${w.port}/api/v1/health`).then((r) => r.json());
      expect(h).toMatchObject({ status: 'ok', role: 'web', database: 'ok', replicas: [{ lagMs: expect.any(Number) }] });
    }
    const worker = await fetch(`http://127.0.0.1:${cluster.worker.port}/api/v1/health`).then((r) => r.json());
    expect(worker.role).toBe('worker');
    expect((await fetch(`http://127.0.0.1:${cluster.worker.port}/api/v1/districts`)).status).toBe(404);
    const metrics = await fetch(`${cluster.url}/api/v1/metrics`).then((r) => r.text());
    expect(metrics).toContain('replica_lag_seconds{replica="0"}');
  });

  test('a 2,000-member burst on 20 slots through nginx: exactly 20 winners, claimed = live rows', async () => {
    const crowd = await insertMembers(ctx, world, 2000, 'clb');
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 20 });
    const answers = await Promise.all(crowd.map((m) => viaNginx.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: m.auth })));
    expect(tally(answers)).toEqual({ '201': 20, '409 TASK_FULL': 1980 });
    expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.body.claim.memberId)).size).toBe(20);
    expect(await slotState(ctx, task.id)).toMatchObject({ claimed: 20, live: 20 });
  });

  test('live counts reach sockets held on every web process', async () => {
    const [watcher, claimer] = await insertMembers(ctx, world, 2, 'cll');
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 5 });
    const sockets = cluster.webs.map((w) => {
      const ws = new WebSocket(`ws://127.0.0.1:${w.port}/api/v1/live?token=${encodeURIComponent(watcher.token)}`);
      const counts: LiveCount[] = [];
      ws.on('message', (data) => {
        const m = LiveServerMessageSchema.parse(JSON.parse(String(data)));
        if ('taskId' in m) counts.push(m);
      });
      return { ws, counts };
    });
    try {
      await Promise.all(sockets.map((s) => new Promise((resolve, reject) => s.ws.once('open', resolve).once('error', reject))));
      for (const s of sockets) s.ws.send(JSON.stringify({ type: 'subscribe', taskIds: [task.id] }));
      await eventually(async () => sockets.every((s) => s.counts.length > 0), 60_000);
      const claim = await viaNginx.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: claimer.auth });
      expect(claim.status).toBe(201);
      await eventually(async () => sockets.every((s) => s.counts.some((c) => c.claimed === 1 && c.remaining === 4)), 30_000);
    } finally {
      for (const s of sockets) s.ws.close();
    }
  });

  test('kill -9 of a web process mid-burst: no oversell, and a retry with the same Idempotency-Key gets the original answer', async () => {
    const crowd = await insertMembers(ctx, world, 600, 'clk');
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 20 });
    const send = (i: number) =>
      viaNginx
        .request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: { ...crowd[i].auth, 'Idempotency-Key': `kill-${i}` } })
        .catch(() => ({ status: 0, body: null }) as HttpAnswer);
    // The first half is in flight when the process dies; the second half is sent after.
    let firstAnswer!: () => void;
    const answered = new Promise<void>((r) => (firstAnswer = r));
    const firstHalf = Array.from({ length: 300 }, (_, i) => send(i).then((a) => (firstAnswer(), a)));
    await answered;
    await cluster.webs[0].child.kill9();
    const secondHalf = Array.from({ length: 300 }, (_, i) => send(300 + i));
    const original = await Promise.all([...firstHalf, ...secondHalf]);

    // Whoever got no answer (the dead process's requests) retries with its key until answered.
    const final = [...original];
    for (let round = 0; round < 5; round++) {
      const lost = final.map((a, i) => ({ a, i })).filter(({ a }) => a.status === 0 || a.status >= 500);
      if (lost.length === 0) break;
      for (const { i } of lost) final[i] = await send(i);
    }
    expect(final.filter((a) => a.status === 0 || a.status >= 500)).toEqual([]);
    const winners = final.filter((a) => a.status === 201);
    expect(winners).toHaveLength(20);
    expect(new Set(winners.map((a) => a.body.claim.id)).size).toBe(20);
    expect(await slotState(ctx, task.id)).toMatchObject({ claimed: 20, live: 20 });

    // Everyone who had an answer asks again with the same key: the same answer, from any process.
    const answeredBefore = original.map((a, i) => ({ a, i })).filter(({ a }) => a.status !== 0 && a.status < 500);
    expect(answeredBefore.length).toBeGreaterThan(0);
    for (const { a, i } of answeredBefore) {
      const again = await send(i);
      expect(again.status).toBe(a.status);
      if (a.status === 201) expect(again.body.claim.id).toBe(a.body.claim.id);
      else expect(again.body.code).toBe(a.body.code);
    }
    await cluster.restartWeb(0);
  });

  test('a rate limit holds across the web processes (Redis)', async () => {
    const tries: number[] = [];
    for (let i = 0; i < 6; i++)
      tries.push((await viaNginx.request('POST', '/api/v1/auth/wechat', { body: { code: 'dev:cluster-limited' } })).status);
    expect(tries.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(tries[5]).toBe(429);
  });
});

describe('reads from the streaming replica', () => {
  test('statistics come from the replica, a caller who just wrote reads the primary, and the figures agree once caught up', async () => {
    const overview = async (auth: { authorization: string }, scope: string) =>
      (await viaNginx.request('GET', `/api/v1/stats/overview?${scope}`, { headers: auth })).body;
    await rollupsCaughtUp();
    await replicaCaughtUp();
    const before = await overview(admin, 'scope=city');
    await query(cluster.replicaUrls[0], 'select pg_wal_replay_pause()');
    try {
      // The secretary publishes through nginx: its own next reads go to the primary on any process.
      const published = await viaNginx.request('POST', '/api/v1/tasks', {
        headers: secretary,
        body: taskBody(ctx, world.community.id, { capacity: 3 }),
      });
      expect(published.status).toBe(201);
      await rollupsCaughtUp();
      const own = await overview(secretary, `scope=community&id=${world.community.id}`);
      const direct = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/stats/overview?scope=community&id=${world.community.id}`,
        headers: secretary,
      });
      expect(own).toEqual(direct.json());
      // The admin wrote nothing: the paused replica answers, still without the new post.
      expect(await overview(admin, 'scope=city')).toEqual(before);
    } finally {
      await query(cluster.replicaUrls[0], 'select pg_wal_replay_resume()');
    }
    await replicaCaughtUp();
    const fromPrimary = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/overview?scope=city', headers: admin });
    const after = await overview(admin, 'scope=city');
    expect(after).toEqual(fromPrimary.json());
    expect(after.tasksPublished).toBe(before.tasksPublished + 1);
  });

  test('the replica stopped: reads fall back to the primary and /health says degraded; back when it returns', async () => {
    await cluster.replica!.stop();
    try {
      for (const w of cluster.webs) {
        await eventually(
          async () => (await fetch(`http://127.0.0.1:${w.port}/api/v1/health`).then((r) => r.json())).status === 'degraded',
          60_000,
        );
      }
      const fromPrimary = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/overview?scope=city', headers: admin });
      const res = await viaNginx.request('GET', '/api/v1/stats/overview?scope=city', { headers: admin });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(fromPrimary.json());
    } finally {
      await cluster.restartReplica();
    }
    for (const w of cluster.webs) {
      await eventually(async () => (await fetch(`http://127.0.0.1:${w.port}/api/v1/health`).then((r) => r.json())).status === 'ok', 60_000);
    }
  });
});

describe('the workers', () => {
  test('two at once: each answers as a worker, and jobs taken by both are done once', async () => {
    for (const w of cluster.workers) {
      const health = await fetch(`http://127.0.0.1:${w.port}/api/v1/health`).then((r) => r.json());
      expect(health.role).toBe('worker');
    }
    expect(cluster.workers).toHaveLength(2);
  });

  test('both killed and restarted together: no notification lost, written twice or sent twice', async () => {
    await Promise.all(cluster.workers.map((w) => w.child.kill9()));
    const crowd = await insertMembers(ctx, world, 10, 'clw');
    for (const m of crowd) {
      const sub = await viaNginx.request('POST', '/api/v1/me/subscriptions', {
        headers: m.auth,
        body: { results: { claim_result: 'accept' } },
      });
      expect(sub.status).toBe(200);
    }
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 10 });
    for (const m of crowd)
      expect((await viaNginx.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: m.auth })).status).toBe(201);
    // Written in the claims' transactions while no worker runs: waiting in the outbox.
    const pending = await query<{ n: number }>(
      cluster.primaryUrl,
      'select count(*)::int as n from notification_outbox where relayed_at is null',
    );
    expect(pending[0].n).toBeGreaterThanOrEqual(10);
    expect(wechat.sends.filter((s) => s.openid.startsWith('dev_clw_'))).toHaveLength(0);
    await cluster.restartWorkers();
    const userIds = crowd.map((m) => m.userId);
    const messages = await eventually(async () => {
      const rows = await query<{ user_id: string; n: number }>(
        cluster.primaryUrl,
        `select user_id, count(*)::int as n from messages where user_id = any($1::uuid[]) and kind = 'claim_result' group by user_id`,
        [userIds],
      );
      return rows.length === 10 ? rows : null;
    }, 60_000);
    expect(messages.every((r) => r.n === 1)).toBe(true);
    // Each member held one credit: exactly one subscribe message each reached WeChat.
    const sent = await eventually(() => {
      const mine = wechat.delivered().filter((s) => s.openid.startsWith('dev_clw_'));
      return mine.length >= 10 ? mine : null;
    }, 60_000);
    const perOpenid = new Map<string, number>();
    for (const s of sent) perOpenid.set(s.openid, (perOpenid.get(s.openid) ?? 0) + 1);
    expect([...perOpenid.values()]).toEqual(Array(10).fill(1));
    expect(sent.every((s) => s.templateId === 'tpl-claim-result')).toBe(true);
    await eventually(
      async () =>
        (await query<{ n: number }>(cluster.primaryUrl, 'select count(*)::int as n from notification_outbox where relayed_at is null'))[0]
          .n === 0,
      60_000,
    );
    // Nothing more arrives once the queues are empty: a late duplicate would show here.
    await eventually(async () => {
      const [{ n }] = await query<{ n: number }>(
        cluster.primaryUrl,
        `select count(*)::int as n from pgboss.job where state in ('created', 'retry', 'active') and name in ('notify-event', 'notify-wechat')`,
      );
      return n === 0;
    }, 60_000);
    expect(wechat.delivered().filter((s) => s.openid.startsWith('dev_clw_'))).toHaveLength(10);
  });
});
