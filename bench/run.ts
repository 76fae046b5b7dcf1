/**
 * `npm run bench -- [--connections 64] [--duration 5] [--burst 2000] [--slots 20] [--rounds 5] [--hot 1000]
 *   [--stats-calls 200] [--burst-only] [--stats-only] [--skip-rebuild] [--scale 1] [--reseed] [--registry-rows 100000] [--registry-only]
 *   [--notify-posts 5] [--notify-only] [--cluster N] [--first-start]
 *   [--records-only] [--pdf-runs 100] [--checkout-posts 10] [--checkout-members 40] [--checkout-concurrency 8] [--checkout-rounds 2]
 *   [--checkout-pause-ms 0]`
 *
 * Starts the real server (bench/server.ts, its own process) on city-scale data: the embedded
 * PostgreSQL under BENCH_DATA_DIR (default ./.data/bench, port BENCH_PG_PORT or 54339), seeded
 * with `seed:city` at --scale (default 1) when empty, or DATABASE_URL. Prints a table and writes
 * bench/results/latest.json. The server process: server-process.ts; the load client: load.ts;
 * burst figures: burst.ts; the table: report.ts; certificate PDFs and check-out with the points
 * ledger on/off: records.ts (--records-only runs that phase alone, on any database).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import pg from 'pg';
import { loadConfig } from '../server/src/config';
import { openDatabase } from '../server/src/db/open';
import { CLAIM_SQL } from '../server/src/modules/claims/claims-sql';
import { heapShortfall, resetDomainTables, seedCity } from '../server/scripts/seed-city/seed';
import { BASE_COUNTS } from '../server/scripts/seed-city/generate';
import { summarizeBursts, tally, type BurstRound } from './burst';
import { clusterBench } from './cluster';
import { firstStartBench } from './first-start';
import { measureOffers } from './offers';
import { closedLoop, LoadClient, mergeLoops, percentile, round, type Answer, type LoopResult } from './load';
import { databaseFigures, dashboardFigures, rankingAfterChange } from './dashboards';
import { cityCounts, machine, printDashboards, printNotify, printTable } from './report';
import { rollupsServiceFactory } from '../server/src/modules/rollups/rollups-service';
import { notifyPhase, startBenchWechat } from './notify';
import { registryImportBench } from './registry';
import { CPUS, PIN, pin, startServer, stopServer, type BenchServer } from './server-process';

const API = '/api/v1';

const { values: args } = parseArgs({
  options: {
    connections: { type: 'string', default: '64' },
    duration: { type: 'string', default: '5' },
    burst: { type: 'string', default: '2000' },
    slots: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    'burst-only': { type: 'boolean', default: false },
    'stats-only': { type: 'boolean', default: false },
    'skip-rebuild': { type: 'boolean', default: false },
    hot: { type: 'string', default: '1000' },
    'stats-calls': { type: 'string', default: '200' },
    'notify-posts': { type: 'string', default: '5' },
    scale: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    reseed: { type: 'boolean', default: false },
    'registry-rows': { type: 'string', default: '100000' },
    'registry-only': { type: 'boolean', default: false },
    'notify-only': { type: 'boolean', default: false },
    cluster: { type: 'string' },
    'first-start': { type: 'boolean', default: false },
    'records-only': { type: 'boolean', default: false },
    'pdf-runs': { type: 'string', default: '100' },
    'checkout-posts': { type: 'string', default: '10' },
    'checkout-members': { type: 'string', default: '40' },
    'checkout-concurrency': { type: 'string', default: '8' },
    'checkout-rounds': { type: 'string', default: '2' },
    'checkout-pause-ms': { type: 'string', default: '0' },
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

async function main() {
  if (args['first-start']) {
    await firstStartBench(log);
    return;
  }
  if (args.cluster) {
    await clusterBench(
      {
        web: Number(args.cluster),
        burst: BURST,
        slots: SLOTS,
        rounds: ROUNDS,
        durationMs: DURATION_MS,
        scale: Number(args.scale),
        statsCalls: STATS_CALLS,
      },
      log,
    );
    return;
  }
  const usingUrl = Boolean(process.env.DATABASE_URL);
  const config = loadConfig({
    ...process.env,
    // One embedded database per scale: a run at --scale 10 never measures a city seeded at 1.
    DATA_DIR: process.env.BENCH_DATA_DIR ?? (args.scale === '1' ? './.data/bench' : `./.data/bench-scale-${args.scale}`),
    EMBEDDED_PG_PORT: process.env.BENCH_PG_PORT ?? '54339',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'silent',
  });
  log(`database: ${usingUrl ? 'DATABASE_URL' : `embedded PostgreSQL under ${config.dataDir}`}`);
  if (PIN) pin(process.pid, `1-${CPUS - 1}`);
  log(PIN ? `server pinned to CPU 0; load generator and PostgreSQL on CPU 1-${CPUS - 1}` : 'no CPU pinning');
  const opened = await openDatabase(config);
  const { pool, url } = opened.database;
  const recordsPhase = async () => {
    const { recordsBench } = await import('./records');
    log('service records: certificate PDFs, check-out with the points ledger on and off ...');
    return recordsBench(
      opened.database,
      config,
      {
        pdfRuns: Number(args['pdf-runs']),
        posts: Number(args['checkout-posts']),
        membersPerPost: Number(args['checkout-members']),
        concurrency: Number(args['checkout-concurrency']),
        rounds: Number(args['checkout-rounds']),
        pauseMs: Number(args['checkout-pause-ms']),
      },
      log,
    );
  };
  if (args['records-only']) {
    try {
      const records = await recordsPhase();
      const { printRecords } = await import('./records');
      await mkdir(path.join(__dirname, 'results'), { recursive: true });
      await writeFile(
        path.join(__dirname, 'results', 'records.json'),
        `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), records }, null, 2)}\n`,
      );
      printRecords(records, machine());
    } finally {
      await opened.close();
    }
    return;
  }
  let server: BenchServer | null = null;
  // The server sends WeChat subscribe messages to a fake WeChat in this process (notifications phase).
  const wechat = args['burst-only'] ? null : await startBenchWechat();
  const pgLoop = new pg.Pool({ connectionString: url, max: config.dbPoolSize });
  pgLoop.on('error', () => {});
  try {
    if (args.reseed) await resetDomainTables(pool);
    let seedSeconds: number | null = null;
    const seeded = await pool.query(`select 1 from users where openid = 'dev_city_admin'`);
    if (!seeded.rowCount) {
      const short = heapShortfall(Number(args.scale), getHeapStatistics().heap_size_limit / 2 ** 20);
      if (short)
        throw new Error(
          `seeding scale ${args.scale} needs about ${short.needMb} MB of heap (this process may use ${short.limitMb} MB): ` +
            `set NODE_OPTIONS=${short.nodeOptions}, or seed first with seed:city`,
        );
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
    // The scale reported is the one seeded (communities ÷ 336), whatever --scale said.
    const seededScale = round(scale.communityOrgs / BASE_COUNTS.communities, 2);
    if (Math.abs(seededScale - Number(args.scale)) > 0.05 * Number(args.scale))
      throw new Error(`the database holds a city at scale ${seededScale}, not ${args.scale}: add --reseed (or use another database)`);

    // WeChat credentials make the server insist on real secrets: hand it this run's.
    const secrets = wechat
      ? {
          JWT_SECRET: config.jwtSecret,
          PIONEER_CODE_SECRET: config.pioneerCodeSecret,
          PHONE_ENC_KEY: config.phoneEncKey.toString('hex'),
          PHONE_HASH_KEY: config.phoneHashKey.toString('hex'),
          CERT_SIGNING_KEY: config.certSigningKey,
        }
      : {};
    server = await startServer({
      ...process.env,
      ...wechat?.env,
      ...secrets,
      DATABASE_URL: url,
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
      DB_POOL_SIZE: String(config.dbPoolSize),
    });
    const { port } = server;
    log(`server on 127.0.0.1:${port}, DB pool ${config.dbPoolSize}, ${CONNECTIONS} connections`);
    const client = await new LoadClient(port, CONNECTIONS).open();

    // Distinct members for each phase and each burst round, never reused within a run.
    const need = (ROUNDS + 1) * BURST + 2 * HOT;
    const { rows: people } = await pool.query<{ member_id: string; user_id: string; token_version: number }>(
      `select m.id member_id, m.user_id, u.token_version from members m join users u on u.id = m.user_id where u.openid like 'city\\_%' order by m.id limit $1`,
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
    const registryImport = () =>
      registryImportBench({ port, token: secretaryToken, communityOrgId, pool, rows: Number(args['registry-rows']), log });
    if (args['registry-only']) {
      console.log(JSON.stringify(await registryImport(), null, 2));
      return;
    }
    const notifications = () =>
      notifyPhase({ pool, client, api: API, secretaryToken, communityOrgId, fake: wechat!.fake, posts: Number(args['notify-posts']), log });
    if (args['notify-only']) {
      const notify = await notifications();
      client.close();
      const postgres = (await pool.query<{ v: string }>(`select current_setting('server_version') v`)).rows[0].v;
      await mkdir(path.join(__dirname, 'results'), { recursive: true });
      await writeFile(
        path.join(__dirname, 'results', 'notify.json'),
        `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), postgres, notify }, null, 2)}\n`,
      );
      printNotify(notify, machine(), postgres);
      return;
    }

    const dashboardsAtScale = async () => {
      log('dashboards and 先锋指数+ ...');
      const measured = await dashboardFigures(
        client,
        { districtId, communityOrgId },
        { admin: adminToken, district: districtToken, secretary: secretaryToken },
        STATS_CALLS,
      );
      log('the ranking right after the roll-ups moved ...');
      const afterChange = await rankingAfterChange(client, pool, { communityOrgId }, { admin: adminToken, secretary: secretaryToken }, 20);
      const dashboards = { ...measured, index: { ...measured.index, rankingAfterChange: afterChange } };
      // A rebuild takes minutes at scale 100: `--skip-rebuild` leaves it out (reported as null).
      let rollupRebuildMs: number | null = null;
      if (!args['skip-rebuild']) {
        log('a full roll-up rebuild ...');
        const t = performance.now();
        await rollupsServiceFactory({ db: opened.database.db, intervalMs: 0 }).rebuildAll();
        rollupRebuildMs = Math.round(performance.now() - t);
        // As seed:city does after its rebuild: the next run's figures then read vacuumed tables,
        // not 1.8 M dead rows (scale 100) left for autovacuum.
        await pool.query('vacuum (analyze) stats_rollups, stats_fill_times');
      }
      return { dashboards, rollupRebuildMs, db: await databaseFigures(pool) };
    };

    if (args['stats-only']) {
      const d = await dashboardsAtScale();
      client.close();
      const result = {
        at: new Date().toISOString(),
        machine: machine(),
        postgres: (await pool.query<{ v: string }>(`select current_setting('server_version') v`)).rows[0].v,
        database: usingUrl ? 'DATABASE_URL' : 'embedded',
        scaleFactor: Number(args.scale),
        seedSeconds,
        statsP95Ms: {
          city: d.dashboards.overview.city.p95,
          district: d.dashboards.overview.district.p95,
          community: d.dashboards.overview.community.p95,
        },
        indexRankingP95Ms: { city: d.dashboards.index.rankingCity.p95, district: d.dashboards.index.rankingDistrict.p95 },
        ...d,
        scale,
      };
      await mkdir(path.join(__dirname, 'results'), { recursive: true });
      await writeFile(path.join(__dirname, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
      await writeFile(path.join(__dirname, 'results', `dashboards-scale-${args.scale}.json`), `${JSON.stringify(result, null, 2)}\n`);
      printDashboards(result);
      return;
    }

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
    // CLAIM_SQL's $4 is the session token's version (the statement checks it against the user's).
    const pgClaim = async (taskId: string, p: { member_id: string; token_version: number }): Promise<Answer> => {
      const started = process.hrtime.bigint();
      const { rows } = await pgLoop.query({
        name: 'claim_task',
        text: CLAIM_SQL,
        values: [taskId, p.member_id, new Date(), p.token_version],
      });
      return { status: rows[0]?.claim_id ? 201 : 409, body: '', ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    await closedLoop(CONNECTIONS, 60_000, (i) => (i < 600 ? () => pgClaim(warmPost, pgPeople[i % HOT]) : null));

    let auth: LoopResult | null = null;
    if (!args['burst-only']) {
      log('authRps ...');
      auth = await closedLoop(
        CONNECTIONS,
        DURATION_MS,
        (i) => () => client.send({ method: 'GET', path: '/bench/auth', token: hotTokens[i % HOT] }),
      );
    }

    // One connection per claimer, open before the burst, requests prebuilt: everyone presses at t0.
    const burstClient = await new LoadClient(port, BURST).open();
    const rawRequest = LoadClient.request({ method: 'GET', path: '/bench/raw' });
    const burstRound = async (label: string, crowd: string[]): Promise<BurstRound> => {
      log(`burst ${label}: ${BURST} claimers on ${SLOTS} slots ...`);
      const post = await createPost(SLOTS, `burst ${label}`);
      // The crowd waits on the post's page (each member loaded it once, signed in), then presses 抢 together.
      await closedLoop(CONNECTIONS, 60_000, (i) =>
        i < BURST ? () => client.send({ method: 'GET', path: `${API}/tasks/${post}`, token: crowd[i] }) : null,
      );
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
      const {
        rows: [db],
      } = await pool.query<{ claimed: number; live: number }>(
        `select t.claimed, (select count(*) from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released'))::int live from tasks t where t.id = $1`,
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
    const burst = summarizeBursts(rounds, warmUp, BURST, SLOTS);

    // The last round's post is full: its losers queue (候补), its winners cancel one by one.
    log('cancel → offer visible to the head of the queue ...');
    const lastCrowd = crowds[ROUNDS - 1];
    const lastLosers = new Set(rounds[rounds.length - 1].losers);
    const offers = await measureOffers(
      client,
      rounds[rounds.length - 1].post,
      lastCrowd.filter((t) => !lastLosers.has(t)),
      lastCrowd.filter((t) => lastLosers.has(t)).slice(0, 100),
      Math.min(SLOTS * 2, 40),
    );
    log(`  p50/p99 ${offers.p50Ms}/${offers.p99Ms} ms over ${offers.iterations} cancels, ${offers.waiting} waiting`);

    if (args['burst-only']) {
      console.log(JSON.stringify({ ...burst, offers }, null, 2));
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
        await closedLoop(
          CONNECTIONS,
          DURATION_MS / slices,
          (i) => () => claim(lastRound.post, lastRound.losers[i % lastRound.losers.length]),
        ),
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
    const pgRun = await closedLoop(CONNECTIONS, 120_000, (i) => (i < HOT ? () => pgClaim(pgPost, pgPeople[i]) : null));
    const pgWins = pgRun.statuses['201'] ?? 0;

    log('stats ...');
    const stats = {
      city: await latencyOf(client, `${API}/stats/overview?scope=city`, adminToken),
      district: await latencyOf(client, `${API}/stats/overview?scope=district&id=${districtId}`, districtToken),
    };
    const notify = await notifications();
    const atScale = await dashboardsAtScale();
    client.close();
    const registry = await registryImport();
    const records = await recordsPhase();

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
      offers,
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
      scaleFactor: Number(args.scale),
      indexRankingP95Ms: { city: atScale.dashboards.index.rankingCity.p95, district: atScale.dashboards.index.rankingDistrict.p95 },
      ...atScale,
      notify,
      registryImport: registry,
      records,
      scale,
    };
    await mkdir(path.join(__dirname, 'results'), { recursive: true });
    await writeFile(path.join(__dirname, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
    printTable(result);
    printDashboards(result);
    (await import('./records')).printRecords(records, result.machine);
  } finally {
    if (server) await stopServer(server.child);
    await pgLoop.end();
    await wechat?.fake.close();
    await opened.close();
  }
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

main().catch((e) => {
  console.error('bench failed:', e instanceof Error ? e.stack : e);
  process.exit(1);
});
