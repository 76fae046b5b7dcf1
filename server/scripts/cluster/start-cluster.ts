import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { makeReplica, startPrimary, startReplica, type RunningReplica } from './postgres';
import { freePort, missingTools, ROOT, startChild, startNginx, startRedis, waitForHttp, type Child } from './services';

export interface ClusterOptions {
  /** Web processes behind nginx. */
  web: number;
  /** Worker processes (default 1): every job is safe with several at once. */
  workers?: number;
  /** Where the embedded PostgreSQL primary, its replica, nginx's files and the keys live. */
  dataDir: string;
  /** nginx's port (0: a free one). */
  port: number;
  /** Extra environment for every server process (tests pass their keys and limits). */
  env?: Record<string, string>;
  /** Extra environment for the workers only (e.g. the WeChat API they send through). */
  workerEnv?: Record<string, string>;
  log?(line: string): void;
}

export interface Cluster {
  url: string;
  primaryUrl: string;
  replicaUrls: string[];
  webs: { port: number; child: Child }[];
  /** The first worker (`workers[0]`). */
  worker: { port: number; child: Child };
  workers: { port: number; child: Child }[];
  /** Starts web process `i` again on its port (after a kill). */
  restartWeb(i: number): Promise<void>;
  /** Starts worker `i` (default 0) again (after a kill). */
  restartWorker(i?: number): Promise<void>;
  /** Starts every worker again at the same moment (after a kill), as a deploy does. */
  restartWorkers(): Promise<void>;
  /** The embedded replica, when this cluster made one. */
  replica: RunningReplica | null;
  /** Starts the embedded replica again (after `replica.stop()`); it catches up by streaming. */
  restartReplica(): Promise<void>;
  stop(): Promise<void>;
}

const nodeFlags = (): string[] =>
  (JSON.parse(readFileSync(path.join(ROOT, 'server', 'node-flags.json'), 'utf8')) as { flags: string[] }).flags;

/**
 * One machine's cluster, on real engines: a PostgreSQL primary and a streaming replica (the
 * embedded build, or DATABASE_URL / DATABASE_REPLICA_URLS), Redis, N web processes and one
 * or more workers, and nginx in front. Everything is a child of this process and stops with it.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? (() => {});
  const needRedis = !process.env.REDIS_URL;
  const missing = missingTools(needRedis);
  if (missing.length) throw new Error(`The cluster needs tools that npm cannot install:\n  - ${missing.join('\n  - ')}`);
  const dataDir = path.resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    let primaryUrl = process.env.DATABASE_URL;
    let replicaUrls = process.env.DATABASE_REPLICA_URLS?.split(',').map((u) => u.trim()) ?? [];
    let replica: RunningReplica | null = null;
    let replicaStart: (() => Promise<RunningReplica>) | null = null;
    if (!primaryUrl) {
      const pgPort = await freePort();
      log(`PostgreSQL primary (embedded) on port ${pgPort}`);
      const primary = await startPrimary({ dataDir, port: pgPort });
      stops.push(() => primary.stop());
      primaryUrl = primary.url;
      const replicaPort = await freePort();
      log(`PostgreSQL streaming replica (base backup of the primary) on port ${replicaPort}`);
      const replicaDir = path.join(dataDir, 'pg-replica');
      await makeReplica({ primaryUrl, primaryDataDir: path.join(dataDir, 'pg'), replicaDir, slot: 'pioneer_replica_1' });
      const url = primaryUrl;
      replicaStart = () => startReplica({ replicaDir, port: replicaPort, primaryUrl: url });
      replica = await replicaStart();
      stops.push(async () => replica?.stop());
      replicaUrls = [replica.url];
    }
    let redisUrl = process.env.REDIS_URL;
    if (!redisUrl) {
      const redisPort = await freePort();
      log(`Redis on port ${redisPort}`);
      const redis = await startRedis(redisPort);
      stops.push(() => redis.stop());
      redisUrl = `redis://127.0.0.1:${redisPort}`;
    }
    const listen = opts.port || (await freePort());
    const url = `http://127.0.0.1:${listen}`;
    const env = (role: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
      ...process.env,
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      PUBLIC_URL: process.env.PUBLIC_URL ?? url,
      TRUST_PROXY: '127.0.0.1',
      ...opts.env,
      ...extra,
      DATABASE_URL: primaryUrl,
      DATABASE_REPLICA_URLS: replicaUrls.join(','),
      REDIS_URL: redisUrl,
      SERVER_ROLE: role,
      HOST: '127.0.0.1',
      PORT: String(port),
    });
    const server = (name: string, role: string, port: number, extra?: Record<string, string>) =>
      startChild(name, process.execPath, [...nodeFlags(), '--import', 'tsx', 'server/src/server.ts'], env(role, port, extra));

    // The first worker alone: it migrates and loads the demo city once; the others start after it.
    const workerCount = opts.workers ?? 1;
    const workerPorts = await Promise.all(Array.from({ length: workerCount }, () => freePort()));
    const workerName = (i: number) => (i === 0 ? 'worker' : `worker-${i + 1}`);
    const workers: { port: number; child: Child }[] = [];
    stops.push(async () => {
      await Promise.all(workers.map((w) => w.child.stop()));
    });
    const startWorker = async (i: number) => {
      const w = { port: workerPorts[i], child: server(workerName(i), 'worker', workerPorts[i], opts.workerEnv) };
      workers[i] = w;
      await waitForHttp(`http://127.0.0.1:${w.port}/api/v1/health`, w.child, 180_000, (s) => s === 200);
    };
    await startWorker(0);
    await Promise.all(workerPorts.slice(1).map((_, i) => startWorker(i + 1)));
    log(`${workerCount} worker${workerCount > 1 ? 's' : ''} on port${workerCount > 1 ? 's' : ''} ${workerPorts.join(', ')}`);

    const webPorts = await Promise.all(Array.from({ length: opts.web }, () => freePort()));
    const webs = webPorts.map((port, i) => ({ port, child: server(`web-${i + 1}`, 'web', port, { SEED_DEMO: 'false' }) }));
    stops.push(async () => {
      await Promise.all(webs.map((w) => w.child.stop()));
    });
    await Promise.all(webs.map((w) => waitForHttp(`http://127.0.0.1:${w.port}/api/v1/health`, w.child, 180_000, (s) => s === 200)));
    log(`${opts.web} web processes on ports ${webPorts.join(', ')}`);

    const nginx = await startNginx({ prefix: path.join(dataDir, 'nginx'), listen, webPorts });
    stops.push(() => nginx.stop());
    log(`nginx on ${url}`);

    const cluster: Cluster = {
      url,
      primaryUrl,
      replicaUrls,
      webs,
      get worker() {
        return workers[0];
      },
      workers,
      get replica() {
        return replica;
      },
      async restartReplica() {
        if (!replicaStart || !replica) throw new Error('this cluster did not start its replica');
        await replica.stop();
        replica = await replicaStart();
      },
      async restartWeb(i) {
        await webs[i].child.stop();
        webs[i].child = server(`web-${i + 1}`, 'web', webs[i].port, { SEED_DEMO: 'false' });
        await waitForHttp(`http://127.0.0.1:${webs[i].port}/api/v1/health`, webs[i].child, 180_000, (s) => s === 200);
      },
      async restartWorker(i = 0) {
        await workers[i].child.stop();
        await startWorker(i);
      },
      async restartWorkers() {
        await Promise.all(workers.map((w) => w.child.stop()));
        await Promise.all(workers.map((_, i) => startWorker(i)));
      },
      stop: stopAll,
    };
    return cluster;
  } catch (e) {
    await stopAll();
    throw e;
  }
}
