/**
 * `npx tsx scripts/dashboard-screenshots.ts` (or `npm run screenshots`, which writes to
 * docs/screenshots): screenshots of the dashboards and the 先锋指数+ on a city as the city admin,
 * a district admin and a secretary see them, in Chromium at phone size, with the CJK font the
 * end-to-end tests serve. The city is DATABASE_URL's, or an embedded PostgreSQL of its own under
 * DATA_DIR (default ./.data/screenshots, port EMBEDDED_PG_PORT, default 54341), seeded at scale 1
 * with `seed:city` the first time. Needs the H5 build (npm run build:h5). Writes 20-…24-*.png to
 * E2E_SCREENSHOT_DIR (default tests/e2e/.tmp/screenshots).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { buildApp } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { openDatabase } from '../server/src/db/open';
import { seedCity } from '../server/scripts/seed-city/seed';
import { launchBrowser, SCREENSHOT_DIR, shown, typeInto } from '../tests/e2e/helpers/browser';

const UI_TIMEOUT = 60_000;

async function signIn(page: Page, base: string, login: string) {
  await page.goto(`${base}/#/pages/login/index`);
  const form = page.locator('#app .login');
  await form.waitFor({ timeout: UI_TIMEOUT });
  await typeInto(form.locator('.field-input'), login);
  await form.locator('.btn', { hasText: '登录' }).click();
  await page.waitForFunction(() => !location.hash.includes('login'), undefined, { timeout: UI_TIMEOUT });
}

/**
 * The H5 pages scroll inside their own container, so a "full page" screenshot would stop at the
 * phone's height: make the phone as tall as the tallest scrolling content instead.
 */
async function snapFull(page: Page, name: string, maxHeight = 6000) {
  const height = await page.evaluate(() => Math.max(...[...document.querySelectorAll('body *')].map((e) => e.scrollHeight)));
  await page.setViewportSize({ width: 390, height: Math.min(maxHeight, Math.max(844, height + 60)) });
  await page.waitForTimeout(500);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
  console.log(`wrote ${name}.png`);
}

/** YYYY-MM of the month before this one in Changshu (UTC+8). */
function lastMonth(): string {
  const local = new Date(Date.now() + 8 * 3600_000);
  return new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

async function main() {
  const config = loadConfig({
    DATA_DIR: './.data/screenshots',
    EMBEDDED_PG_PORT: '54341',
    ...process.env,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    ROLLUP_INTERVAL_MS: '0',
  });
  const opened = await openDatabase(config);
  const seeded = await opened.database.pool.query(`select 1 from users where openid = 'dev_city_admin'`);
  if (!seeded.rowCount) {
    console.log('seeding a city at scale 1 ...');
    await seedCity(opened.database.pool, { scale: 1, seed: 1, phoneEncKey: config.phoneEncKey, phoneHashKey: config.phoneHashKey });
  }
  const app = await buildApp({ config, database: opened.database, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { rows: busiest } = await opened.database.pool.query<{ id: string }>(
    `select scope_id as id from stats_rollups where scope = 'community' and grain = 'month' and period = $1::date order by participations desc limit 1`,
    [`${lastMonth()}-01`],
  );
  const phones = await launchBrowser();
  try {
    const shots: { login: string; name: string; url?: string; wait: string; lastMonth?: boolean; maxHeight?: number }[] = [
      { login: 'dev:city_admin', name: '20-dashboard-city', wait: '.chart-bars__bar' },
      // Last month's ranking (上月), its first screens: every community is listed below.
      {
        login: 'dev:city_admin',
        name: '21-index-ranking-city',
        url: '/#/staff/index-ranking/index',
        wait: '.idx__row',
        lastMonth: true,
        maxHeight: 1800,
      },
      { login: 'dev:city_district_1', name: '22-dashboard-district', wait: '.chart-bars__bar' },
      { login: 'dev:city_sec_1', name: '23-dashboard-secretary', wait: '.chart-bars__bar' },
      // Last month's busiest community, as the city admin opens it from the ranking: a month that
      // has ended, with posts, explains more than one that has just begun.
      {
        login: 'dev:city_admin',
        name: '24-index-explained',
        url: `/#/staff/index-org/index?id=${busiest[0].id}&period=${lastMonth()}`,
        wait: '.idx__part',
      },
    ];
    for (const s of shots) {
      const phone = await phones.newPhone();
      const page = await phone.newPage();
      await signIn(page, base, s.login);
      await page.goto(`${base}${s.url ?? '/#/staff/dashboard/index'}`);
      await shown(page).locator(s.wait).first().waitFor({ timeout: UI_TIMEOUT });
      if (s.lastMonth) {
        await shown(page).locator('.idx__period .btn').first().click();
        await shown(page)
          .locator('.idx__month', { hasText: lastMonth().replace('-', '年') })
          .waitFor({ timeout: UI_TIMEOUT });
        await shown(page).locator(s.wait).first().waitFor({ timeout: UI_TIMEOUT });
      }
      await page.waitForTimeout(500);
      await snapFull(page, s.name, s.maxHeight);
      await phone.close();
    }
  } finally {
    await phones.close();
    await app.close();
    await opened.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
