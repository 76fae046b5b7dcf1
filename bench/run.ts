/**
 * `npm run bench -- [--connections 64] [--duration 5] [--burst 2000] [--slots 20] [--rounds 5] [--hot 1000]
 *   [--stats-calls 200] [--burst-only]`
 *
 * Starts the real server (bench/server.ts, its own process) on city-scale data: the embedded
 * PostgreSQL under BENCH_DATA_DIR (default ./.data/bench, port BENCH_PG_PORT or 54339), seeded
 * with `seed:city` at --scale (default 1) when empty, or DATABASE_URL. Prints a table and writes
 * bench/results/latest.json.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../server/src/config';
import { openDatabase } from '../server/src/db/open';
import { CLAIM_SQL } from '../server/src/modules/claims/claims-sql';
import { resetDomainTables, seedCity } from '../server/scripts/seed-city/seed';
import { closedLoop, LoadClient, percentile, round, type Answer, type LoopResult } from './load';

const API = '/api/v1';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '64' },
    duration: { type: 'string', default: '5' },
    burst: { type: 'string', default: '2000' },
    slots: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    'burst-only': { type: 'boolean', default: false },
    hot: { type: 'string', default: '1000' },
    'stats-calls': { type: 'string', default: '200' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    reseed: { type: 'boolean', default: false },
  },
});
const CONNECTIONS = Number(args.connections);
const DURATION_MS = Number(args.duration) * 1000;
const BURST = Number(args.burst);
const SLOTS = Number(args.slots);
const ROUNDS = Number(args.rounds);
const HOT = Number(args.hot);
const STATS_CALLS = Number(args['stats-calls']);

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/**
 * The server gets CPU 0 to itself; this load generator and the embedded PostgreSQL (started
 * after, so it inherits) take the other CPUs, as if the load came from elsewhere. BENCH_PIN=0,
 * one CPU, or no `taskset` (util-linux): everything shares every CPU.
 */
const CPUS = os.cpus().length;
const PIN = process.env.BENCH_PIN !== '0' && CPUS >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
function pin(pid: number, cpus: string): void {
  spawnSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}

/** The server runs with the V8 flags `npm start` gives it. */
function serverNodeFlags(): string[] {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', 'server', 'node-flags.json'), 'utf8')) as { flags: string[] }).flags;
}

interface BenchServer {
  child: ChildProcess;
  port: number;
  sign(users: Array<{ userId: string; memberId: string | null }>): Promise<string[]>;
  /** CPU time (user + system) and GC pause time so far, ms, over all the server's processes. */
  cpu(): Promise<{ cpuMs: number; gcMs: number }>;
}

function startServer(env: NodeJS.ProcessEnv): Promise<BenchServer> {
  const extra = process.env.BENCH_SERVER_ARGS ? process.env.BENCH_SERVER_ARGS.split(' ') : [];
  const child = fork(path.join(__dirname, 'server.ts'), [], {
    execArgv: [...serverNodeFlags(), '--import', 'tsx', ...extra],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (PIN && child.pid) pin(child.pid, '0');
  const pending = new Map<number, (reply: { tokens?: string[]; cpu?: { cpuMs: number; gcMs: number } }) => void>();
  let seq = 0;
  const ask = <T>(message: Record<string, unknown>, pick: (reply: { tokens?: string[]; cpu?: { cpuMs: number; gcMs: number } }) => T) =>
    new Promise<T>((done) => {
      const id = ++seq;
      pending.set(id, (reply) => {
        pending.delete(id);
        done(pick(reply));
      });
      child.send({ ...message, id });
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    child.on('message', (m: { type: string; port?: number; id?: number; tokens?: string[]; cpu?: { cpuMs: number; gcMs: number } }) => {
      if ((m.type === 'signed' || m.type === 'cpu') && m.id !== undefined) pending.get(m.id)?.(m);
      if (m.type === 'ready') {
        resolve({
          child,
          port: m.port!,
          sign: (users) => ask({ type: 'sign', users }, (r) => r.tokens!),
          cpu: () => ask({ type: 'cpu' }, (r) => r.cpu!),
        });
      }
    });
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ type: 'stop' });
  });
}

async function main() {
  const usingUrl = Boolean(process.env.DATABASE_URL);
  const config = loadConfig({
    ...process.env,
    DATA_DIR: process.env.BENCH_DATA_DIR ?? './.data/bench',
    EMBEDDED_PG_PORT: process.env.BENCH_PG_PORT ?? '54339',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
  });
  log(`database: ${usingUrl ? 'DATABASE_URL' : `embedded PostgreSQL under ${config.dataDir}`}`);
  if (PIN) pin(process.pid, `1-${CPUS - 1}`);
  log(PIN ? `server pinned to CPU 0; load generator and PostgreSQL on CPU 1-${CPUS - 1}` : 'no CPU pinning');
  const opened = await openDatabase(config);
  const { pool, url } = opened.database;
  let server: BenchServer | null = null;
  const pgLoop = new pg.Pool({ connectionString: url, max: config.dbPoolSize });
  pgLoop.on('error', () => {});
  try {
    if (args.reseed) await resetDomainTables(pool);
    let seedSeconds: number | null = null;
    const seeded = await pool.query(`select 1 from users where openid = 'dev_city_admin'`);
    if (!seeded.rowCount) {
      log(`seeding city at scale ${args.scale} ...`);
      const r = await seedCity(pool, {
        scale: Number(args.scale),
        seed: Number(args.seed),
        phoneEncKey: config.phoneEncKey,
        phoneHashKey: config.phoneHashKey,
        onProgress: (phase, done, total) => process.stderr.write(`\r\x1b[K${phase} ${done}/${total}`),
      });
      process.stderr.write('\n');
      seedSeconds = round(r.ms / 1000);
    }
    const scale = await cityCounts(pool);

    server = await startServer({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', SEED_DEMO: 'false', DB_POOL_SIZE: String(config.dbPoolSize) });
    const { port } = server;
    log(`server on 127.0.0.1:${port}, DB pool ${config.dbPoolSize}, ${CONNECTIONS} connections`);
    const client = await new LoadClient(port, CONNECTIONS).open();

    // Distinct members for each phase and each burst round, never reused within a run.
    const need = (ROUNDS + 1) * BURST + 2 * HOT;
    const { rows: people } = await pool.query<{ member_id: string; user_id: string }>(
      `select m.id member_id, m.user_id from members m join users u on u.id = m.user_id where u.openid like 'city\\_%' order by m.id limit $1`,
      [need],
    );
    if (people.length < need) throw new Error(`need ${need} seeded members ((--rounds + 1) × --burst + 2 × --hot), found ${people.length}`);
    const hotPeople = people.slice(0, HOT);
    const pgPeople = people.slice(HOT, 2 * HOT);
    const crowdPeople = people.slice(2 * HOT);
    const tokens = await server.sign([...hotPeople, ...crowdPeople].map((p) => ({ userId: p.user_id, memberId: p.member_id })));
    const hotTokens = tokens.slice(0, HOT);
    const crowds = Array.from({ length: ROUNDS + 1 }, (_, r) => tokens.slice(HOT + r * BURST, HOT + (r + 1) * BURST));

    const { rows: staff } = await pool.query<{ openid: string; user_id: string; org_id: string | null }>(
      `select u.openid, u.id user_id, g.org_id from users u join role_grants g on g.user_id = u.id
        where u.openid in ('dev_city_admin', 'dev_city_district_1', 'dev_city_sec_1')`,
    );
    const byOpenid = Object.fromEntries(staff.map((s) => [s.openid, s]));
    const [adminToken, districtToken, secretaryToken] = await server.sign(
      ['dev_city_admin', 'dev_city_district_1', 'dev_city_sec_1'].map((o) => ({ userId: byOpenid[o].user_id, memberId: null })),
    );
    const communityOrgId = byOpenid.dev_city_sec_1.org_id!;
    const districtId = byOpenid.dev_city_district_1.org_id!;

    const createPost = async (capacity: number, label: string) => {
      const startsAt = Date.now() + 2 * 24 * 3600_000;
      const a = await client.send({
        method: 'POST',
        path: `${API}/tasks`,
        token: secretaryToken,
        body: {
          communityOrgId,
          title: `压测岗位 ${label}`,
          category: 'order',
          location: '党群服务中心',
          startsAt: new Date(startsAt).toISOString(),
          endsAt: new Date(startsAt + 2 * 3600_000).toISOString(),
          capacity,
        },
      });
      if (a.status !== 201) throw new Error(`creating a post failed: ${a.status} ${a.body.slice(0, 200)}`);
      return (JSON.parse(a.body) as { task: { id: string } }).task.id;
    };
    const claim = (taskId: string, token: string, startedAt?: bigint) =>
      client.send({ method: 'POST', path: `${API}/tasks/${taskId}/claims`, token }, startedAt);

    // Warm-up: JIT, prepared statements on every pooled connection, the claim path both ways.
    await closedLoop(CONNECTIONS, 1500, () => () => client.send({ method: 'GET', path: '/bench/raw' }));
    const warmPost = await createPost(10, 'warm-up');
    await closedLoop(CONNECTIONS, 60_000, (i) => (i < 600 ? () => claim(warmPost, hotTokens[i % HOT]) : null));
    // The refusal answered from memory is the hottest path of a burst: let the JIT see it first, as it has in a running server.
    await closedLoop(CONNECTIONS, 1500, (i) => () => claim(warmPost, hotTokens[i % HOT]));
    const pgClaim = async (taskId: string, memberId: string): Promise<Answer> => {
      const started = process.hrtime.bigint();
      const { rows } = await pgLoop.query({ name: 'claim_task', text: CLAIM_SQL, values: [taskId, memberId, new Date()] });
      return { status: rows[0]?.claim_id ? 201 : 409, body: '', ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    await closedLoop(CONNECTIONS, 60_000, (i) => (i < 600 ? () => pgClaim(warmPost, pgPeople[i % HOT].member_id) : null));

    let auth: LoopResult | null = null;
    if (!args['burst-only']) {
      log('authRps ...');
      auth = await closedLoop(CONNECTIONS, DURATION_MS, (i) => () => client.send({ method: 'GET', path: '/bench/auth', token: hotTokens[i % HOT] }));
    }

    // One connection per claimer, open before the burst, requests prebuilt: everyone presses at t0.
    const burstClient = await new LoadClient(port, BURST).open();
    const rawRequest = LoadClient.request({ method: 'GET', path: '/bench/raw' });
    const burstRound = async (label: string, crowd: string[]): Promise<BurstRound> => {
      log(`burst ${label}: ${BURST} claimers on ${SLOTS} slots ...`);
      const post = await createPost(SLOTS, `burst ${label}`);
      // The crowd waits on the post's page (each member loaded it once, signed in), then presses 抢 together.
      await closedLoop(CONNECTIONS, 60_000, (i) => (i < BURST ? () => client.send({ method: 'GET', path: `${API}/tasks/${post}`, token: crowd[i] }) : null));
      // The floor of this measurement: the same burst, just before, on the route that does nothing.
      const cpu0 = await server!.cpu();
      const r0 = process.hrtime.bigint();
      const rawBurst = (await Promise.all(crowd.map(() => burstClient.send(rawRequest, r0)))).map((a) => a.ms);
      const cpu1 = await server!.cpu();
      const claimRequests = crowd.map((token) => LoadClient.request({ method: 'POST', path: `${API}/tasks/${post}/claims`, token }));
      const t0 = process.hrtime.bigint();
      const answers = await Promise.all(claimRequests.map((request) => burstClient.send(request, t0)));
      const lat = answers.map((a) => a.ms);
      const cpu2 = await server!.cpu();
      const { rows: [db] } = await pool.query<{ claimed: number; live: number }>(
        `select t.claimed, (select count(*) from claims c where c.task_id = t.id and c.status <> 'cancelled')::int live from tasks t where t.id = $1`,
        [post],
      );
      const statuses = tally(answers);
      const result: BurstRound = {
        post,
        losers: crowd.filter((_, i) => answers[i].status !== 201),
        winners: statuses['201'] ?? 0,
        settleMs: round(Math.max(...lat)),
        p50Ms: round(percentile(lat, 50)),
        p99Ms: round(percentile(lat, 99)),
        rawBurstP99Ms: round(percentile(rawBurst, 99)),
        serverCpuMs: round(cpu2.cpuMs - cpu1.cpuMs),
        rawServerCpuMs: round(cpu1.cpuMs - cpu0.cpuMs),
        serverGcMs: round(cpu2.gcMs - cpu1.gcMs),
        rawServerGcMs: round(cpu1.gcMs - cpu0.gcMs),
        statuses,
        dbClaimed: db.claimed,
        dbLiveClaims: db.live,
      };
      log(
        `  winners ${result.winners}, p50/p99 ${result.p50Ms}/${result.p99Ms} ms (no-op route p99 ${result.rawBurstP99Ms} ms), ` +
          `server CPU ${result.serverCpuMs} ms (no-op ${result.rawServerCpuMs} ms), GC ${result.serverGcMs} ms (no-op ${result.rawServerGcMs} ms), ` +
          `DB claimed ${db.claimed}`,
      );
      return result;
    };
    // One burst before the measured rounds, as a server that has been running has seen bursts:
    // a fresh process's first burst also pays for the JIT and the heap growing (reported apart).
    const warmUp = await burstRound('warm-up', crowds[ROUNDS]);
    const rounds: BurstRound[] = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await burstRound(`${r + 1}/${ROUNDS}`, crowds[r]));
    burstClient.close();
    const burst = summarizeBursts(rounds, warmUp);

    if (args['burst-only']) {
      console.log(JSON.stringify(burst, null, 2));
      return;
    }

    // rawRps and rejectRps in alternating slices of the same period, so that the host's load,
    // which drifts over seconds here, weighs on both alike and their ratio means something.
    log('rawRps and rejectRps ...');
    const lastRound = rounds[rounds.length - 1];
    const rawSlices: LoopResult[] = [];
    const rejectSlices: LoopResult[] = [];
    const slices = 5;
    for (let k = 0; k < slices; k++) {
      rawSlices.push(await closedLoop(CONNECTIONS, DURATION_MS / slices, () => () => client.send({ method: 'GET', path: '/bench/raw' })));
      rejectSlices.push(
        await closedLoop(CONNECTIONS, DURATION_MS / slices, (i) => () => claim(lastRound.post, lastRound.losers[i % lastRound.losers.length])),
      );
    }
    const raw = mergeLoops(rawSlices);
    const reject = mergeLoops(rejectSlices);

    log(`hot claims over HTTP: ${HOT} on one post ...`);
    const hotPost = await createPost(HOT, 'hot-http');
    const hot = await closedLoop(CONNECTIONS, 120_000, (i) => (i < HOT ? () => claim(hotPost, hotTokens[i]) : null));
    const hotWins = hot.statuses['201'] ?? 0;

    log(`hot claims over bare pg: ${HOT} on one post ...`);
    const pgPost = await createPost(HOT, 'hot-pg');
    const pgRun = await closedLoop(CONNECTIONS, 120_000, (i) => (i < HOT ? () => pgClaim(pgPost, pgPeople[i].member_id) : null));
    const pgWins = pgRun.statuses['201'] ?? 0;

    log('stats ...');
    const stats = {
      city: await latencyOf(client, `${API}/stats/overview?scope=city`, adminToken),
      district: await latencyOf(client, `${API}/stats/overview?scope=district&id=${districtId}`, districtToken),
    };
    client.close();

    const rawRps = Math.round(raw.rps);
    const rejectRps = Math.round(reject.rps);
    const hotClaimRps = Math.round(hotWins / hot.seconds);
    const pgHotClaimRps = Math.round(pgWins / pgRun.seconds);
    const result = {
      at: new Date().toISOString(),
      machine: machine(),
      postgres: (await pool.query<{ v: string }>(`select current_setting('server_version') v`)).rows[0].v,
      database: usingUrl ? 'DATABASE_URL' : 'embedded',
      settings: {
        connections: CONNECTIONS,
        durationS: DURATION_MS / 1000,
        dbPoolSize: config.dbPoolSize,
        serverCpus: PIN ? '0' : 'all',
        loadAndDbCpus: PIN ? `1-${CPUS - 1}` : 'all',
        workers: Number(process.env.BENCH_WORKERS ?? 1),
      },
      seedSeconds,
      rawRps,
      authRps: Math.round(auth!.rps),
      burst,
      rejectRps,
      rejectRatio: round(rejectRps / rawRps, 2),
      rejectStatuses: reject.statuses,
      rejectP99Ms: round(percentile(reject.latencies, 99)),
      hotClaimRps,
      hotClaimStatuses: hot.statuses,
      pgHotClaimRps,
      hotRatio: round(hotClaimRps / pgHotClaimRps, 2),
      statsP95Ms: { city: stats.city.p95, district: stats.district.p95 },
      stats,
      scale,
    };
    await mkdir(path.join(__dirname, 'results'), { recursive: true });
    await writeFile(path.join(__dirname, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    printTable(result);
  } finally {
    if (server) await stopServer(server.child);
    await pgLoop.end();
    await opened.close();
  }
}

interface BurstRound {
  post: string;
  losers: string[];
  winners: number;
  settleMs: number;
  p50Ms: number;
  p99Ms: number;
  rawBurstP99Ms: number;
  serverCpuMs: number;
  rawServerCpuMs: number;
  serverGcMs: number;
  rawServerGcMs: number;
  statuses: Record<string, number>;
  dbClaimed: number;
  dbLiveClaims: number;
}

/**
 * The median round by p99 stands for the burst (shared cores make single rounds noisy); winners
 * must equal the slots in every round, so a wrong round is reported, not averaged away.
 */
function summarizeBursts(rounds: BurstRound[], warmUp: BurstRound) {
  const byP99 = [...rounds].sort((a, b) => a.p99Ms - b.p99Ms);
  const median = byP99[(byP99.length - 1) >> 1];
  const wrong = [warmUp, ...rounds].find((r) => r.winners !== SLOTS || r.dbClaimed !== SLOTS || r.dbLiveClaims !== SLOTS);
  const floors = rounds.map((r) => r.rawBurstP99Ms).sort((a, b) => a - b);
  return {
    claimers: BURST,
    slots: SLOTS,
    rounds: rounds.length,
    winners: (wrong ?? median).winners,
    settleMs: median.settleMs,
    p50Ms: median.p50Ms,
    p99Ms: median.p99Ms,
    p99RangeMs: [byP99[0].p99Ms, byP99[byP99.length - 1].p99Ms],
    rawBurstP99Ms: floors[(floors.length - 1) >> 1],
    serverCpuMs: median.serverCpuMs,
    rawServerCpuMs: median.rawServerCpuMs,
    statuses: (wrong ?? median).statuses,
    dbClaimed: (wrong ?? median).dbClaimed,
    dbLiveClaims: (wrong ?? median).dbLiveClaims,
    perRound: rounds.map(({ post: _p, losers: _l, ...r }) => r),
    warmUp: (({ post: _p, losers: _l, ...r }) => r)(warmUp),
  };
}

function mergeLoops(parts: LoopResult[]): LoopResult {
  const requests = parts.reduce((n, p) => n + p.requests, 0);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return { requests, seconds, rps: requests / seconds, statuses, latencies: parts.flatMap((p) => p.latencies) };
}

function tally(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const key = a.code ? `${a.status} ${a.code}` : String(a.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Sequential calls (one at a time): the latency one admin sees, not a throughput figure. */
async function latencyOf(client: LoadClient, url: string, token: string) {
  const probe = await client.send({ method: 'GET', path: url, token });
  if (probe.status !== 200) return { p50: null, p95: null, calls: 0, error: `${probe.status} ${probe.code ?? ''}`.trim() };
  for (let i = 0; i < 10; i++) await client.send({ method: 'GET', path: url, token });
  const ms: number[] = [];
  for (let i = 0; i < STATS_CALLS; i++) ms.push((await client.send({ method: 'GET', path: url, token })).ms);
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), calls: STATS_CALLS, error: null };
}

async function cityCounts(pool: pg.Pool) {
  const { rows } = await pool.query(
    `select (select count(*) from districts)::int districts,
            (select count(*) from party_orgs where kind = 'community')::int "communityOrgs",
            (select count(*) from party_orgs where kind = 'unit')::int "unitOrgs",
            (select count(*) from estates)::int estates,
            (select count(*) from members)::int members,
            (select count(*) from tasks)::int tasks,
            (select count(*) from claims)::int claims,
            (select count(*) from claims where status <> 'cancelled')::int participations`,
  );
  return rows[0] as Record<string, number>;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

function printTable(r: {
  rawRps: number;
  authRps: number;
  burst: {
    claimers: number;
    slots: number;
    winners: number;
    settleMs: number;
    p50Ms: number;
    p99Ms: number;
    statuses: Record<string, number>;
    rounds: number;
    p99RangeMs: number[];
    rawBurstP99Ms: number;
  };
  rejectRps: number;
  rejectRatio: number;
  hotClaimRps: number;
  pgHotClaimRps: number;
  hotRatio: number;
  statsP95Ms: { city: number | null; district: number | null };
  stats: { city: { error: string | null }; district: { error: string | null } };
  scale: Record<string, number>;
  machine: ReturnType<typeof machine>;
  settings: { serverCpus: string; loadAndDbCpus: string; workers: number };
  postgres: string;
  seedSeconds: number | null;
}) {
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISS');
  const b = r.burst;
  const rows: Array<[string, string, string, string]> = [
    ['rawRps', `${r.rawRps} req/s`, '', ''],
    ['authRps (diagnostic)', `${r.authRps} req/s`, '', ''],
    ['burst winners', `${b.winners} of ${b.claimers} on ${b.slots}`, `= ${b.slots}`, mark(b.winners === b.slots)],
    ['burst settle', `${b.settleMs} ms`, '', ''],
    ['burst p50 / p99', `${b.p50Ms} / ${b.p99Ms} ms (median of ${b.rounds}; p99 ${b.p99RangeMs[0]}-${b.p99RangeMs[1]})`, 'p99 <= 100 ms', mark(b.p99Ms <= 100)],
    ['burst p99, no-op route', `${b.rawBurstP99Ms} ms (the floor, same crowd)`, '', ''],
    ['rejectRps', `${r.rejectRps} req/s`, '', ''],
    ['rejectRatio', `${r.rejectRatio}`, '>= 0.6', mark(r.rejectRatio >= 0.6)],
    ['hotClaimRps', `${r.hotClaimRps} claims/s`, '', ''],
    ['pgHotClaimRps', `${r.pgHotClaimRps} claims/s`, '', ''],
    ['hot / pg', `${r.hotRatio}`, '>= 0.8', mark(r.hotRatio >= 0.8)],
    [
      'statsP95Ms city',
      r.statsP95Ms.city === null ? `n/a (${r.stats.city.error})` : `${r.statsP95Ms.city} ms`,
      '<= 50 ms',
      r.statsP95Ms.city === null ? '-' : mark(r.statsP95Ms.city <= 50),
    ],
    [
      'statsP95Ms district',
      r.statsP95Ms.district === null ? `n/a (${r.stats.district.error})` : `${r.statsP95Ms.district} ms`,
      '',
      '',
    ],
  ];
  if (r.seedSeconds !== null) rows.push(['seed:city', `${r.seedSeconds} s`, '<= 60 s', mark(r.seedSeconds <= 60)]);
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
  const s = r.scale;
  console.log(
    `\nPioneer Code bench — ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}, PostgreSQL ${r.postgres}`,
  );
  console.log(
    `data: ${s.districts} districts, ${s.communityOrgs} communities, ${s.unitOrgs} unit orgs, ${s.members} members, ` +
      `${s.tasks} posts, ${s.participations} participations (${s.claims} claims)`,
  );
  const cpus = r.settings.serverCpus === 'all' ? 'server, load generator and PostgreSQL share all CPUs' : `server on CPU ${r.settings.serverCpus}, load generator and PostgreSQL on CPU ${r.settings.loadAndDbCpus}`;
  console.log(`${cpus}; ${r.settings.workers} server process${r.settings.workers > 1 ? 'es' : ''}\n`);
  for (const row of rows) console.log(`  ${row[0].padEnd(w[0])}  ${row[1].padEnd(w[1])}  ${row[2].padEnd(w[2])}  ${row[3]}`);
  console.log(`\n  burst answers: ${Object.entries(b.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  console.log('  written to bench/results/latest.json');
}

main().catch((e) => {
  console.error('bench failed:', e instanceof Error ? e.stack : e);
  process.exit(1);
});
