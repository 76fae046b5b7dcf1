/**
 * `npm run bench -- --cluster N [--burst 2000] [--slots 20] [--rounds 5] [--duration 5] [--scale 1]
 *   [--stats-calls 200]`: the same burst as the single-process bench, measured through nginx in
 * front of N web processes and a worker (`npm run cluster`'s set-up, in `.data/bench-cluster`):
 * burst p50/p99 against the no-op floor through the same nginx, refusals on a full post against
 * that floor, CPU of each web process, and statistics and rankings read from the replica.
 * Prints a table and writes bench/results/cluster.json.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildApp } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { createDatabase } from '../server/src/db/client';
import { startCluster } from '../server/scripts/cluster/start-cluster';
import { seedCity } from '../server/scripts/seed-city/seed';
import { tally } from './burst';
import { closedLoop, LoadClient, percentile, round } from './load';
import { machine } from './report';

const API = '/api/v1';
/** Answered by Fastify's not-found handler: the cheapest route a web process has, for the floor. */
const NOOP = `${API}/__bench-noop`;

export interface ClusterBenchArgs {
  web: number;
  burst: number;
  slots: number;
  rounds: number;
  durationMs: number;
  scale: number;
  statsCalls: number;
}

/** CPU milliseconds a process has used (user + system), from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export async function clusterBench(args: ClusterBenchArgs, log: (m: string) => void) {
  const dataDir = path.resolve('.data/bench-cluster');
  await rm(dataDir, { recursive: true, force: true });
  const keys = {
    JWT_SECRET: randomBytes(32).toString('hex'),
    PIONEER_CODE_SECRET: randomBytes(32).toString('hex'),
    PHONE_ENC_KEY: randomBytes(32).toString('hex'),
    PHONE_HASH_KEY: randomBytes(32).toString('hex'),
  };
  const env = { ...keys, SEED_DEMO: 'false', LOG_LEVEL: 'silent', LOGIN_RATE_LIMIT: '1000000', CHECK_IN_OPENS_MINUTES: '1440' };
  log(`starting the cluster: ${args.web} web processes, a worker, PostgreSQL primary + replica, Redis, nginx ...`);
  const cluster = await startCluster({ web: args.web, dataDir, port: 0, env, log: (l) => log(`  ${l}`) });
  const config = loadConfig({ ...process.env, ...env, DATABASE_URL: cluster.primaryUrl, SERVER_ROLE: 'web', ROLLUP_INTERVAL_MS: '0' });
  const database = createDatabase(cluster.primaryUrl, 4);
  const signer = await buildApp({ config, database, logger: false });
  await signer.ready();
  const port = Number(new URL(cluster.url).port);
  // Opened after the seed: nginx closes client connections idle for more than 75 s.
  let client: LoadClient | null = null;
  try {
    log(`seeding a city at scale ${args.scale} on the primary ...`);
    await seedCity(database.pool, { scale: args.scale, seed: 1, phoneEncKey: config.phoneEncKey, phoneHashKey: config.phoneHashKey });
    const need = (args.rounds + 1) * args.burst;
    const { rows: people } = await database.pool.query<{ member_id: string; user_id: string }>(
      `select m.id member_id, m.user_id from members m join users u on u.id = m.user_id where u.openid like 'city\\_%' order by m.id limit $1`,
      [need],
    );
    if (people.length < need) throw new Error(`need ${need} seeded members, found ${people.length}`);
    const tokens = people.map((p) => signer.signSession(p.user_id, p.member_id));
    const staff = async (openid: string) => {
      const { rows } = await database.pool.query<{ id: string; org_id: string | null }>(
        `select u.id, g.org_id from users u join role_grants g on g.user_id = u.id where u.openid = $1`,
        [openid],
      );
      return { token: signer.signSession(rows[0].id, null), orgId: rows[0].org_id };
    };
    client = await new LoadClient(port, 64).open();
    const http = client;
    const admin = await staff('dev_city_admin');
    const secretary = await staff('dev_city_sec_1');

    const createPost = async (capacity: number, label: string) => {
      const startsAt = Date.now() + 2 * 24 * 3600_000;
      const a = await http.send({
        method: 'POST',
        path: `${API}/tasks`,
        token: secretary.token,
        body: {
          communityOrgId: secretary.orgId,
          title: `集群压测 ${label}`,
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
    const webCpu = () => cluster.webs.map((w) => cpuMs(w.child.process.pid!));
    const noopRequest = LoadClient.request({ method: 'GET', path: NOOP });

    const burstRound = async (label: string, crowd: string[]) => {
      const post = await createPost(args.slots, label);
      await closedLoop(64, 60_000, (i) =>
        i < crowd.length ? () => http.send({ method: 'GET', path: `${API}/tasks/${post}`, token: crowd[i] }) : null,
      );
      // Opened just before pressing: nginx drops connections that send nothing for 60 s.
      const burstClient = await new LoadClient(port, args.burst).open();
      const c0 = webCpu();
      const r0 = process.hrtime.bigint();
      const floor = (await Promise.all(crowd.map(() => burstClient.send(noopRequest, r0)))).map((a) => a.ms);
      const c1 = webCpu();
      const requests = crowd.map((token) => LoadClient.request({ method: 'POST', path: `${API}/tasks/${post}/claims`, token }));
      const t0 = process.hrtime.bigint();
      const answers = await Promise.all(requests.map((r) => burstClient.send(r, t0)));
      const c2 = webCpu();
      const lat = answers.map((a) => a.ms);
      const {
        rows: [db],
      } = await database.pool.query<{ claimed: number; live: number }>(
        `select t.claimed, (select count(*) from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released'))::int live from tasks t where t.id = $1`,
        [post],
      );
      burstClient.close();
      const statuses = tally(answers);
      const r = {
        post,
        winners: statuses['201'] ?? 0,
        p50Ms: round(percentile(lat, 50)),
        p99Ms: round(percentile(lat, 99)),
        floorP99Ms: round(percentile(floor, 99)),
        webCpuMs: c2.map((c, i) => round(c - c1[i])),
        floorWebCpuMs: c1.map((c, i) => round(c - c0[i])),
        statuses,
        dbClaimed: db.claimed,
        dbLive: db.live,
      };
      log(
        `  burst ${label}: winners ${r.winners}, p50/p99 ${r.p50Ms}/${r.p99Ms} ms (no-op floor p99 ${r.floorP99Ms} ms), web CPU ${r.webCpuMs.join('/')} ms`,
      );
      return r;
    };

    log('warm-up burst ...');
    const warmUp = await burstRound('warm-up', tokens.slice(args.rounds * args.burst, (args.rounds + 1) * args.burst));
    const rounds = [];
    for (let i = 0; i < args.rounds; i++)
      rounds.push(await burstRound(`${i + 1}/${args.rounds}`, tokens.slice(i * args.burst, (i + 1) * args.burst)));
    const byP99 = [...rounds].sort((a, b) => a.p99Ms - b.p99Ms);
    const median = byP99[(byP99.length - 1) >> 1];

    log('refusals on a full post against the no-op floor ...');
    const full = median.post;
    const hot = tokens.slice(0, 1000);
    const slices = { refuse: [] as number[], noop: [] as number[] };
    for (let s = 0; s < 4; s++) {
      slices.noop.push((await closedLoop(64, args.durationMs / 4, () => () => http.send(noopRequest))).rps);
      slices.refuse.push(
        (
          await closedLoop(
            64,
            args.durationMs / 4,
            (i) => () => http.send({ method: 'POST', path: `${API}/tasks/${full}/claims`, token: hot[i % hot.length] }),
          )
        ).rps,
      );
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const refusals = {
      rejectRps: Math.round(mean(slices.refuse)),
      noopRps: Math.round(mean(slices.noop)),
      ratio: round(mean(slices.refuse) / mean(slices.noop), 2),
    };

    log('statistics and rankings through nginx, read from the replica ...');
    const timed = async (p: string) => {
      const lat: number[] = [];
      for (let i = 0; i < args.statsCalls; i++) {
        const a = await http.send({ method: 'GET', path: p, token: admin.token });
        if (a.status !== 200) throw new Error(`${p}: ${a.status} ${a.body.slice(0, 200)}`);
        lat.push(a.ms);
      }
      return { p50: round(percentile(lat, 50)), p95: round(percentile(lat, 95)) };
    };
    const replicaReads = {
      overviewCity: await timed(`${API}/stats/overview?scope=city`),
      dashboardCity: await timed(`${API}/stats/dashboard?scope=city`),
      rankingCity: await timed(`${API}/index/ranking`),
    };
    const health = await http.send({ method: 'GET', path: `${API}/health` });

    const result = {
      at: new Date().toISOString(),
      machine: machine(),
      web: args.web,
      scale: args.scale,
      burst: {
        claimers: args.burst,
        slots: args.slots,
        rounds: args.rounds,
        ...median,
        p99RangeMs: [byP99[0].p99Ms, byP99[byP99.length - 1].p99Ms],
        warmUp,
      },
      refusals,
      replicaReads,
      health: JSON.parse(health.body),
    };
    await mkdir(path.join(__dirname, 'results'), { recursive: true });
    await writeFile(path.join(__dirname, 'results', 'cluster.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`
Cluster bench — ${args.web} web processes + worker behind nginx, scale ${args.scale}, load ${result.machine.loadAverage.join(' / ')}
| figure | value |
|---|---|
| burst winners (every round) | ${[warmUp, ...rounds].map((r) => r.winners).join(', ')} (DB claimed = live: ${[warmUp, ...rounds].every((r) => r.dbClaimed === args.slots && r.dbLive === args.slots)}) |
| burst p50 / p99, median round | ${median.p50Ms} / ${median.p99Ms} ms (rounds ${result.burst.p99RangeMs.join('–')} ms) |
| no-op floor p99 through nginx | ${median.floorP99Ms} ms |
| web CPU per process, burst (floor) | ${median.webCpuMs.join(' / ')} ms (${median.floorWebCpuMs.join(' / ')} ms) |
| refusals / no-op through nginx | ${refusals.rejectRps} / ${refusals.noopRps} req/s (ratio ${refusals.ratio}) |
| overview city p50 / p95 (replica) | ${replicaReads.overviewCity.p50} / ${replicaReads.overviewCity.p95} ms |
| dashboard city p50 / p95 (replica) | ${replicaReads.dashboardCity.p50} / ${replicaReads.dashboardCity.p95} ms |
| ranking city p50 / p95 (replica) | ${replicaReads.rankingCity.p50} / ${replicaReads.rankingCity.p95} ms |
| replica lag at the end | ${JSON.stringify(result.health.replicas)} |
`);
    return result;
  } finally {
    client?.close();
    await signer.close();
    await database.close();
    await cluster.stop();
  }
}
