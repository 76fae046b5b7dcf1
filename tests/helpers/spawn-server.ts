import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_ENV } from './test-app';
import { freePort } from './test-database';

const ROOT = path.resolve(__dirname, '..', '..');

export interface SpawnedServer {
  url: string;
  port: number;
  /** Null while the process runs. */
  exitCode(): number | null;
  /** Everything the process wrote to stdout and stderr so far (its logs). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A second server process on the same database, started the way production starts it, so
 * tests can prove that what one process does the other sees (claims, live counts).
 */
export async function spawnServer(dbUrl: string, env: Record<string, string> = {}): Promise<SpawnedServer> {
  const port = await freePort();
  const { flags } = JSON.parse(readFileSync(path.join(ROOT, 'server', 'node-flags.json'), 'utf8')) as { flags: string[] };
  const child: ChildProcess = spawn(process.execPath, [...flags, '--import', 'tsx', 'server/src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...TEST_ENV,
      DATABASE_URL: dbUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  // Generous: on a loaded two-core machine (load 30 seen) tsx and the app's start take minutes.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server process exited early (${child.exitCode}): ${stderr.slice(0, 2000)}`);
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server process did not answer /health in time: ${stderr.slice(0, 2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    port,
    exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null),
    output: () => stdout + stderr,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
