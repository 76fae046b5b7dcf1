import type pg from 'pg';
import type { Config } from '../config';
import { seedCity } from '../../scripts/seed-city/seed';

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
 * Called once, right after the demo itself was seeded into an empty database.
 */
export async function seedDemoHistory(pool: pg.Pool, config: Config, now?: number) {
  return seedCity(pool, { scale: DEMO_HISTORY_SCALE, seed: 1, phoneEncKey: config.phoneEncKey, phoneHashKey: config.phoneHashKey, now });
}
