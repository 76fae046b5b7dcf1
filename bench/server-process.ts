/** Starting and stopping the server under test (bench/server.ts) from the bench. */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The server gets CPU 0 to itself; this load generator and the embedded PostgreSQL (started
 * after, so it inherits) take the other CPUs, as if the load came from elsewhere. BENCH_PIN=0,
 * one CPU, or no `taskset` (util-linux): everything shares every CPU.
 */
export const CPUS = os.cpus().length;
export const PIN = process.env.BENCH_PIN !== '0' && CPUS >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
export function pin(pid: number, cpus: string): void {
  spawnSync('taskset', ['-a', '-cp', cpus, String(pid)], { stdio: 'ignore' });
}

/** The server runs with the V8 flags `npm start` gives it. */
function serverNodeFlags(): string[] {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', 'server', 'node-flags.json'), 'utf8')) as { flags: string[] }).flags;
}

export interface BenchServer {
  child: ChildProcess;
  port: number;
  sign(users: Array<{ userId: string; memberId: string | null }>): Promise<string[]>;
  /** CPU time (user + system) and GC pause time so far, ms, over all the server's processes. */
  cpu(): Promise<{ cpuMs: number; gcMs: number }>;
}

export function startServer(env: NodeJS.ProcessEnv): Promise<BenchServer> {
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

export function stopServer(child: ChildProcess): Promise<void> {
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
