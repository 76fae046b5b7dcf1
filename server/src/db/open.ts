import type { Config } from '../config';
import { createDatabase, type Database } from './client';
import { startEmbeddedPostgres } from './embedded';
import { runMigrations } from './migrate';
import { seedDemo } from '../demo/seed-demo';
import { demoHistoryLoaded, seedDemoHistory, seedDemoHistoryInWorker } from '../demo/seed-history';

export interface OpenedDatabase {
  database: Database;
  embedded: boolean;
  /**
   * Starts loading the demo's months of history in the background (`historyInBackground`, when
   * it is still to load; else null): the server calls it once it listens. It loads in one
   * transaction: dashboards show it when it commits.
   */
  loadHistory: (() => Promise<void>) | null;
  /** Whether this start seeded the demo into an empty database (the server then adds the demo's service records). */
  seeded: boolean;
  close(): Promise<void>;
}

/**
 * Opens `DATABASE_URL` or starts the embedded PostgreSQL, migrates, and loads the demo data once.
 * The demo's history (thousands of members and posts) is the slow part of a first start: the
 * server asks for it in the background (`historyInBackground`) so the API answers at once;
 * scripts wait for it. A history interrupted by a stop is loaded on the next start.
 */
export async function openDatabase(config: Config, opts: { historyInBackground?: boolean } = {}): Promise<OpenedDatabase> {
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort });
  const url = config.databaseUrl ?? embedded!.url;
  try {
    await runMigrations(url);
    const database = createDatabase(url, config.dbPoolSize);
    // The first start of the demo also loads months of history, so dashboards, the 26-week trend
    // and the 先锋指数+ ranking show real figures; later starts find the data and do nothing.
    const seeded = config.seedDemo && (await seedDemo(database.db, config));
    const needsHistory = seeded || (config.seedDemo && !(await demoHistoryLoaded(database.db)));
    let history: Promise<void> | null = null;
    let loadHistory: OpenedDatabase['loadHistory'] = null;
    if (needsHistory && opts.historyInBackground) {
      loadHistory = () => (history ??= seedDemoHistoryInWorker(url, config));
    } else if (needsHistory) {
      await seedDemoHistory(database, config);
    }
    return {
      database,
      embedded: embedded !== null,
      loadHistory,
      seeded,
      async close() {
        // A stop during the load rolls it back; the next start loads it again.
        await history?.catch(() => undefined);
        await database.close();
        await embedded?.stop();
      },
    };
  } catch (e) {
    await embedded?.stop();
    throw e;
  }
}
