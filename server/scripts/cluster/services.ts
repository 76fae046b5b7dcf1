import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

/** A free TCP port on the loopback address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address() as net.AddressInfo;
      s.close(() => resolve(addr.port));
    });
  });
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** What the cluster needs from the system that npm cannot bring, with how to install it. */
export function missingTools(needRedis: boolean): string[] {
  const missing: string[] = [];
  if (!has('nginx')) missing.push("nginx — install it with `sudo apt-get install nginx-light` (Debian/Ubuntu) or your system's package");
  if (needRedis && !has('redis-server'))
    missing.push('redis-server — install it with `sudo apt-get install redis-server`, or set REDIS_URL to a running Redis');
  return missing;
}

export interface Child {
  name: string;
  process: ChildProcess;
  output(): string;
  /** Ends the process (SIGTERM, then SIGKILL after 10 s) and waits for it. */
  stop(): Promise<void>;
  /** `kill -9`: no goodbye, as a crash. */
  kill9(): Promise<void>;
}

export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Child {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  return {
    name,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `url` until it answers 2xx (or `accept` says so); fails if `child` exits first. */
export async function waitForHttp(url: string, child: Child | null, timeoutMs = 120_000, accept = (s: number) => s < 300): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && (child.process.exitCode !== null || child.process.signalCode !== null))
      throw new Error(`${child.name} exited before answering: ${child.output().slice(-3000)}`);
    try {
      const res = await fetch(url);
      if (accept(res.status)) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startRedis(port: number): Promise<Child> {
  const redis = startChild(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    process.env,
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) return redis;
    if (redis.process.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start: ${redis.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** nginx from `deploy/nginx.conf`, rendered for these web ports, in the foreground. */
export async function startNginx(opts: { prefix: string; listen: number; webPorts: number[] }): Promise<Child> {
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(opts.prefix, 'tmp', d), { recursive: true });
  const template = readFileSync(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
  const conf = template
    // As root, nginx's workers would run as `nobody`, who cannot write this folder.
    .replace('{{user}}', isRoot ? 'user root;' : '')
    .replaceAll('{{prefix}}', opts.prefix)
    .replace('{{listen}}', `127.0.0.1:${opts.listen}`)
    .replace('{{upstreams}}', opts.webPorts.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n    '));
  const file = path.join(opts.prefix, 'nginx.conf');
  writeFileSync(file, conf);
  const nginx = startChild(
    'nginx',
    'nginx',
    ['-p', opts.prefix, '-e', path.join(opts.prefix, 'error.log'), '-c', file, '-g', 'daemon off;'],
    process.env,
  );
  await waitForHttp(`http://127.0.0.1:${opts.listen}/api/v1/health`, nginx, 60_000, (s) => s < 600);
  return nginx;
}
