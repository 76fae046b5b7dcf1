import type { Config } from '../config';
import { createDatabase, type Database } from './client';
import { startEmbeddedPostgres } from './embedded';
import { runMigrations } from './migrate';
import { seedDemo } from '../demo/seed-demo';

/** Opens `DATABASE_URL` or starts the embedded PostgreSQL, migrates, and loads the demo data once. */
export async function openDatabase(config: Config): Promise<{ database: Database; embedded: boolean; close(): Promise<void> }> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  const url = config.databaseUrl ?? embedded!.url;
  try {
    await runMigrations(url);
    const database = createDatabase(url, config.dbPoolSize);
    if (config.seedDemo) await seedDemo(database.db, config);
    return {
      database,
      embedded: embedded !== null,
      async close() {
        await database.close();
        await embedded?.stop();
      },
    };
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
}
