import { buildApp } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { createDatabase } from '../../server/src/db/client';
import { ManualClock } from '../../server/src/lib/clock';
import { contextOf, TEST_ENV, type TestContext } from './test-app';

/**
 * A test context on a database someone else runs (a cluster's primary): an app of role `web` with
 * the test keys, for fixtures (members, posts, tokens) written the way the other tests write them.
 * Nothing is dropped on close.
 */
export async function attachContext(dbUrl: string, env: Record<string, string> = {}): Promise<TestContext> {
  const config = loadConfig({ ...TEST_ENV, DATABASE_URL: dbUrl, SERVER_ROLE: 'web', ...env });
  const database = createDatabase(dbUrl, 10);
  const clock = new ManualClock();
  const app = await buildApp({ config, database, clock, logger: false });
  await app.ready();
  return contextOf({ app, database, config, clock, dbUrl }, async () => {
    await app.close();
    await database.close();
  });
}
