import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/open';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  // The database (an embedded PostgreSQL's initdb on a first start: another process) comes up
  // while this one loads the app's modules: on a first start the two take about as long.
  const opening = openDatabase(config, { historyInBackground: true });
  opening.catch(() => undefined);
  const { buildApp } = await import('./app');
  const database = await opening;
  const app = await buildApp({ config, database: database.database });
  if (database.seeded) {
    // The demo's service records go through the API itself, so the app has to be built first; a
    // start without them still serves (they are demo data only).
    const { seedDemoRecords } = await import('./demo/seed-records');
    await seedDemoRecords(app, database.database.db, new Date()).catch((err: unknown) =>
      console.error('The demo service records could not be added:', err instanceof Error ? err.message : String(err)),
    );
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      await database.close();
    } finally {
      process.exit(0);
    }
  };
  // A promise someone forgot to await must not take every member's session down with it.
  process.on('unhandledRejection', (err) => app.log.error({ err }, 'unhandled rejection'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  const ready = `先锋领航·码上到 ready at ${config.publicUrl} (database: ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`;
  // Quiet development logging (LOG_LEVEL=warn) still says once where the server is.
  const quiet = ['warn', 'error', 'fatal'].includes(config.logLevel);
  if (!quiet) app.log.info(ready);
  else console.log(`${ready}; LOG_LEVEL=${config.logLevel}, set LOG_LEVEL=info for request logs`);
  if (database.loadHistory) {
    console.log('Loading the demo city’s months of history in the background; dashboards fill in when it is done.');
    const started = Date.now();
    database.loadHistory().then(
      () => console.log(`Demo history loaded in ${Math.round((Date.now() - started) / 1000)} s.`),
      (err: unknown) => {
        if (!closing) console.error('The demo history could not be loaded:', err instanceof Error ? err.message : String(err));
      },
    );
  }
}

main().catch((err) => {
  // Whatever was thrown, the operator reads a cause (a library may reject with undefined).
  const why =
    err instanceof Error ? err.message : err === undefined || err === null ? 'no reason given (see the lines above)' : String(err);
  console.error('start-up failed:', why);
  process.exit(1);
});
