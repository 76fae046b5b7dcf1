import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { Database, Db } from '../db/client';
import { seedCity } from '../../scripts/seed-city/seed';
import { seedCommunityHistory } from './seed-community-history';

/**
 * Size of the synthetic city loaded behind the demo on its first start (1 = the 16,000-member
 * city of `npm run seed:city`): about 6,400 members and 3,600 posts over two years, so every
 * month of the last half year holds well over 1,000 participations and 100 posts. It loads by
 * COPY in one transaction with the roll-ups rebuilt (a few seconds on an idle 2-core machine).
 */
export const DEMO_HISTORY_SCALE = 0.4;

/**
 * Months of history for the demo city: the seed-city generator's communities, members, posts,
 * claims, check-ins and check-outs and registry households, in the demo's 板块 (it reuses them by
 * name), with staff sign-ins `dev:city_admin`, `dev:city_district_<n>`, `dev:city_sec_<n>`.
 * Called once, right after the demo itself was seeded into an empty database. The community's
 * history goes through drizzle (`db`); the city's loader streams COPY on a client of the `pool`.
 */
export async function seedDemoHistory(
  database: Pick<Database, 'db' | 'pool'>,
  config: Pick<Config, 'phoneEncKey' | 'phoneHashKey'>,
  now?: number,
) {
  // 清和坊社区's own half year first: the city's load then rebuilds the roll-ups over both.
  await seedCommunityHistory(database.db, { phoneEncKey: config.phoneEncKey, phoneHashKey: config.phoneHashKey, now });
  return seedCity(database.pool, {
    scale: DEMO_HISTORY_SCALE,
    seed: 1,
    phoneEncKey: config.phoneEncKey,
    phoneHashKey: config.phoneHashKey,
    now,
  });
}

/** Whether the history is in (its generated city admin exists): a start stopped while loading it loads it again. */
export async function demoHistoryLoaded(db: Db): Promise<boolean> {
  const { rows } = await db.execute<{ loaded: boolean }>(
    sql`select exists (select 1 from users where openid = 'dev_city_admin') as loaded`,
  );
  return rows[0].loaded;
}

/** The worker's own bundle when the server runs compiled ahead (scripts/build-server.mjs defines it). */
declare const __HISTORY_WORKER__: string | undefined;

/**
 * `seedDemoHistory` in a worker thread on its own small pool (history-worker.ts), so the server
 * answers while it loads. Compiled ahead, the worker runs its bundle; run as TypeScript (tsx), the
 * worker registers tsx itself.
 */
export function seedDemoHistoryInWorker(url: string, config: Pick<Config, 'phoneEncKey' | 'phoneHashKey'>): Promise<void> {
  const workerData = { url, phoneEncKey: config.phoneEncKey, phoneHashKey: config.phoneHashKey };
  const viaTsx = () => {
    const file = path.join(__dirname, 'history-worker.ts');
    return `require(${JSON.stringify(require.resolve('tsx/cjs/api'))}).register(); require(${JSON.stringify(file)});`;
  };
  return new Promise((resolve, reject) => {
    const worker =
      typeof __HISTORY_WORKER__ === 'string'
        ? new Worker(__HISTORY_WORKER__, { workerData })
        : new Worker(viaTsx(), { eval: true, workerData });
    let settled = false;
    worker.once('message', (m: { ok: boolean; message?: string }) => {
      settled = true;
      if (m.ok) resolve();
      else reject(new Error(m.message));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the demo history worker stopped (exit ${code})`));
    });
  });
}
