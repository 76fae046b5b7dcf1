import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { freePort } from '../../helpers/test-database';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface RunningApp {
  baseUrl: string;
  dataDir: string;
  /** The embedded PostgreSQL of this run (for a walk that needs rows the demo lacks, e.g. a past post). */
  databaseUrl(): Promise<string>;
  /** Last lines of the child's output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

async function waitForHealth(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`npm start exited (${exited}) before it was healthy:\n${output()}`);
    try {
      const res = await fetch(`${baseUrl}/api/v1/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`npm start was not healthy after ${timeoutMs} ms:\n${output()}`);
}

/**
 * `npm start` (node scripts/start.mjs) in a child process: its own data dir, so a fresh
 * embedded PostgreSQL with the demo data, on free ports.
 */
export async function startApp(): Promise<RunningApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pioneer-e2e-'));
  const [port, pgPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'PUBLIC_URL', 'H5_DIR', 'NODE_ENV', 'WECHAT_APP_ID', 'WECHAT_APP_SECRET'])
    delete env[name];
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    EMBEDDED_PG_PORT: String(pgPort),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'true',
    // The secretary publishes tomorrow's post and checks the member in on site in the same run.
    CHECK_IN_OPENS_MINUTES: '2880',
  });
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a last-resort kill also reaches the server it spawns.
    detached: true,
  });
  let log = '';
  // The demo's months of history load in the background after the server listens: walks read
  // dashboards and rankings of it, so they start once the server says it is in.
  let historySettled: (error?: Error) => void = () => undefined;
  const history = new Promise<void>((resolve, reject) => {
    historySettled = (error) => (error ? reject(error) : resolve());
  });
  history.catch(() => undefined); // awaited after the health check; a failure before then is not unhandled
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
    if (log.includes('Demo history loaded')) historySettled();
    else if (log.includes('The demo history could not be loaded')) historySettled(new Error(`the demo history did not load:\n${log}`));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // The server closes the embedded PostgreSQL on SIGTERM; give it time, then insist.
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 20_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, child, () => log, 180_000);
    await Promise.race([
      history,
      exited.then(() => {
        throw new Error(`npm start exited while the demo history loaded:\n${log}`);
      }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  const databaseUrl = async () => {
    const password = (await readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    return `postgres://postgres:${password}@127.0.0.1:${pgPort}/pioneer`;
  };
  return { baseUrl, dataDir, databaseUrl, output: () => log, stop };
}
