import { buildApp } from './app';
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
  const database = await openDatabase(config);
  const app = await buildApp({ config, database: database.database });

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
  app.log.info(`先锋领航·码上到 ready at ${config.publicUrl} (database: ${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`);
}

main().catch((err) => {
  // Whatever was thrown, the operator reads a cause (a library may reject with undefined).
  const why =
    err instanceof Error ? err.message : err === undefined || err === null ? 'no reason given (see the lines above)' : String(err);
  console.error('start-up failed:', why);
  process.exit(1);
});
