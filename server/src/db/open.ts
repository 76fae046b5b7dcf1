import type { Config } from '../config';
import { createDatabase, type Database } from './client';
import { startEmbeddedPostgres } from './embedded';
import { runMigrations } from './migrate';
import { seedDemo } from '../demo/seed-demo';
import { seedDemoHistory } from '../demo/seed-history';

/** Opens `DATABASE_URL` or starts the embedded PostgreSQL, migrates, and loads the demo data once. */
export async function openDatabase(config: Config): Promise<{ database: Database; embedded: boolean; close(): Promise<void> }> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  const url = config.databaseUrl ?? embedded!.url;
  try {
    await runMigrations(url);
    const database = createDatabase(url, config.dbPoolSize);
    // The first start of the demo also loads months of history, so dashboards, the 26-week trend
    // and the 先锋指数+ ranking show real figures; later starts find the data and do nothing.
    if (config.seedDemo && (await seedDemo(database.db, config))) await seedDemoHistory(database.pool, config);
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
