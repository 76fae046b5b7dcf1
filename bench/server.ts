/**
 * The server under test, in its own process (forked by bench/run.ts) so the load generator does
 * not share its event loop. The app is the real buildApp(); the bench only adds `/bench/raw`, a
 * route that touches nothing, as the ceiling of what Fastify does on this machine, and
 * `/bench/auth`, authentication alone.
 *
 * With BENCH_WORKERS > 1 this process is a node:cluster primary and that many workers, each a
 * whole server on the same port and database, share the connections (round robin), as a
 * deployment with one process per core would.
 */
import cluster, { type Worker } from 'node:cluster';
import { PerformanceObserver } from 'node:perf_hooks';
import { buildApp } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { createDatabase } from '../server/src/db/client';
import { principalOf, requireAuth } from '../server/src/plugins/auth';

/** Members are signed as a sign-in would sign them: with their member id. */
type Message =
  { type: 'sign'; id: number; users: Array<{ userId: string; memberId: string | null }> } | { type: 'cpu'; id: number } | { type: 'stop' };
/** CPU time (user + system) and time in GC pauses, ms, summed over the server's processes. */
interface Cpu {
  cpuMs: number;
  gcMs: number;
}

async function serve(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('bench server needs DATABASE_URL');
  const database = createDatabase(config.databaseUrl, config.dbPoolSize);
  const app = await buildApp({ config, database, logger: false });
  app.get('/bench/raw', { schema: { hide: true } }, async () => ({ ok: true }));
  // Diagnostic: what authentication alone (JWT verify + principal load) costs per request.
  app.get('/bench/auth', { schema: { hide: true }, preHandler: requireAuth }, async (request) => ({
    memberId: principalOf(request).memberId,
  }));
  // Diagnostic, read around a burst to tell its cost from the noise of the shared cores.
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  }).observe({ entryTypes: ['gc'] });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', (m: Message) => {
    if (m.type === 'sign') {
      process.send!({ type: 'signed', id: m.id, tokens: m.users.map((u) => app.signSession(u.userId, u.memberId)) });
    } else if (m.type === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ type: 'cpu', id: m.id, cpu: { cpuMs: (u.user + u.system) / 1000, gcMs } satisfies Cpu });
    } else if (m.type === 'stop') {
      void app
        .close()
        .then(() => database.close())
        .finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', port });
}

/** The cluster primary: starts the workers, answers bench/run.ts for all of them. */
async function primary(count: number): Promise<void> {
  const workers: Worker[] = [];
  const ready = Array.from({ length: count }, () => {
    const worker = cluster.fork();
    workers.push(worker);
    return new Promise<number>((resolve, reject) => {
      worker.on('message', (m: { type: string; port?: number }) => m.type === 'ready' && resolve(m.port!));
      worker.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
    });
  });
  const ports = await Promise.all(ready);
  const ask = <T>(worker: Worker, m: Message, pick: (reply: Record<string, unknown>) => T) =>
    new Promise<T>((resolve) => {
      const replyType = m.type === 'sign' ? 'signed' : m.type;
      const on = (reply: Record<string, unknown>) => {
        if (reply.type === replyType && reply.id === (m as { id: number }).id) {
          worker.off('message', on);
          resolve(pick(reply));
        }
      };
      worker.on('message', on);
      worker.send(m);
    });
  process.on('message', (m: Message) => {
    if (m.type === 'sign') {
      // Any worker signs: they share the configuration and so the key.
      void ask(workers[0], m, (r) => r.tokens).then((tokens) => process.send!({ type: 'signed', id: m.id, tokens }));
    } else if (m.type === 'cpu') {
      void Promise.all(workers.map((w) => ask(w, m, (r) => r.cpu as Cpu))).then((all) =>
        process.send!({
          type: 'cpu',
          id: m.id,
          cpu: { cpuMs: all.reduce((s, c) => s + c.cpuMs, 0), gcMs: all.reduce((s, c) => s + c.gcMs, 0) } satisfies Cpu,
        }),
      );
    } else if (m.type === 'stop') {
      for (const w of workers) w.removeAllListeners('exit');
      void Promise.all(workers.map((w) => new Promise((resolve) => (w.once('exit', resolve), w.send(m))))).finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ type: 'ready', port: ports[0] });
}

const workers = Number(process.env.BENCH_WORKERS ?? 1);
const run = cluster.isPrimary && workers > 1 ? primary(workers) : serve();
run.catch((e) => {
  console.error('bench server failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
