/**
 * The server under test, in its own process (forked by bench/run.ts) so the load generator does
 * not share its event loop. The app is the real buildApp(); the bench only adds `/bench/raw`, a
 * route that touches nothing, as the ceiling of what Fastify does on this machine, and
 * `/bench/auth`, authentication alone.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { buildApp } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { createDatabase } from '../server/src/db/client';
import { principalOf, requireAuth } from '../server/src/plugins/auth';

/** Members are signed as a sign-in would sign them: with their member id. */
type Message = { type: 'sign'; id: number; users: Array<{ userId: string; memberId: string | null }> } | { type: 'stop' };

async function main() {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('bench server needs DATABASE_URL');
  const database = createDatabase(config.databaseUrl, config.dbPoolSize);
  const app = await buildApp({ config, database, logger: false });
  app.get('/bench/raw', { schema: { hide: true } }, async () => ({ ok: true }));
  // Diagnostic: what authentication alone (JWT verify + principal load) costs per request.
  app.get('/bench/auth', { schema: { hide: true }, preHandler: requireAuth }, async (request) => ({ memberId: principalOf(request).memberId }));
  // Diagnostic: the server's own CPU time (user + system) and time in GC pauses (ms), read
  // around a burst to tell its cost from the noise of the shared cores.
  let gcMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  }).observe({ entryTypes: ['gc'] });
  app.get('/bench/cpu', { schema: { hide: true } }, async () => {
    const u = process.cpuUsage();
    return { cpuMs: (u.user + u.system) / 1000, gcMs };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', (m: Message) => {
    if (m.type === 'sign') {
      process.send!({ type: 'signed', id: m.id, tokens: m.users.map((u) => app.signSession(u.userId, u.memberId)) });
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

main().catch((e) => {
  console.error('bench server failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
