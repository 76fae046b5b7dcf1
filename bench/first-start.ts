/**
 * `npm run bench -- --first-start`: what a newcomer meets after `npm install`. Runs `npm start`
 * (scripts/start.mjs) on an empty data folder with the H5 build moved aside and the server's
 * compiled bundle removed, and prints the seconds
 * until `/api/v1/health` answers, until `/` serves the built H5 client, and the same for a second
 * start on the now-seeded folder. The H5 build found before is put back afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { machine } from './report';

const ROOT = path.resolve(__dirname, '..');
const H5 = path.join(ROOT, 'client', 'dist', 'h5');
/** How long the H5 build may take (FIRST_START_CLIENT_LIMIT_S, default 900 s). */
const CLIENT_LIMIT_MS = Number(process.env.FIRST_START_CLIENT_LIMIT_S ?? 900) * 1000;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });

async function start(dataDir: string, log: (m: string) => void) {
  const [port, pgPort] = [await freePort(), await freePort()];
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const poll = async (ok: () => Promise<boolean>, what: string, limitMs: number) => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${output.slice(-3000)}`);
      if (await ok().catch(() => false)) return Math.round(performance.now() - t0) / 1000;
      if (performance.now() - t0 > limitMs) throw new Error(`${what} not reached within ${limitMs / 1000} s: ${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  };
  try {
    const healthy = await poll(async () => (await fetch(`${base}/api/v1/health`)).status === 200, 'health', 600_000);
    log(`  healthy after ${healthy} s`);
    // On a crowded machine the build may outlast the limit: the API figure is kept, the client's reads "not within".
    const client = await poll(
      async () => {
        const res = await fetch(`${base}/`);
        return res.status === 200 && !(await res.text()).includes('正在构建');
      },
      'the H5 client',
      CLIENT_LIMIT_MS,
    ).catch((e: unknown) => {
      log(`  ${e instanceof Error ? e.message.split(':')[0] : String(e)}`);
      return null;
    });
    if (client !== null) log(`  H5 client served after ${client} s`);
    return { healthySeconds: healthy, clientSeconds: client };
  } finally {
    // Whatever happened, nothing of this start (server, build) is left running.
    await stop();
  }
}

const seconds = (s: number | null) => (s === null ? `not within ${CLIENT_LIMIT_MS / 1000} s` : `${s} s`);

export async function firstStartBench(log: (m: string) => void) {
  const aside = `${H5}.bench-aside`;
  const hadBuild = existsSync(path.join(H5, 'index.html'));
  if (hadBuild) await rename(H5, aside);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'pioneer-first-start-'));
  // As after an install: the server is compiled again (scripts/build-server.mjs) by this start.
  await rm(path.join(ROOT, 'server', 'dist'), { recursive: true, force: true });
  try {
    log('first start: empty data folder, no H5 build ...');
    const first = await start(dataDir, log);
    log('second start: the same folder, the H5 client built ...');
    const second = await start(dataDir, log);
    const result = { at: new Date().toISOString(), machine: machine(), first, second };
    await mkdir(path.join(__dirname, 'results'), { recursive: true });
    await writeFile(path.join(__dirname, 'results', 'first-start.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(`
First start (npm start after npm install), load ${result.machine.loadAverage.join(' / ')}
| start | API healthy | H5 client served |
|---|---|---|
| first (empty data folder, H5 not built) | ${first.healthySeconds} s | ${seconds(first.clientSeconds)} |
| second (seeded, built) | ${second.healthySeconds} s | ${seconds(second.clientSeconds)} |
`);
    return result;
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    if (hadBuild) {
      await rm(H5, { recursive: true, force: true });
      await rename(aside, H5);
    }
  }
}
