import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { eventually } from '../../helpers/fake-wechat';
import { ROOT, startApp, type RunningApp } from './app-process';
import { launchBrowser, shown, typeInto, type E2eBrowser } from './browser';

/**
 * What every role's walk shares: one `npm start` (the demo city) and one Chromium per file, phones
 * signed in through the login page, and the problems a page showed (errors, 5xx, unexpected 404s),
 * which fail the step they happened in.
 */

export const UI_TIMEOUT = 20_000;

export interface Walk {
  app: RunningApp;
  phones: E2eBrowser;
  /** Problems seen since the last check; `afterEach(() => expect(walk.problems.splice(0)).toEqual([]))`. */
  problems: string[];
  /** A new phone (its own storage) with a page watched for problems. */
  phone(who: string): Promise<{ ctx: BrowserContext; page: Page }>;
  stop(): Promise<void>;
}

export function watch(page: Page, who: string, problems: string[]): void {
  page.on('pageerror', (err) => problems.push(`${who} page error: ${err.message}`));
  page.on('console', (msg) => {
    // Chromium logs a failed resource itself; the response handler below says which.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`${who} console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 500 || (res.status() === 404 && !res.url().endsWith('/favicon.ico'))) {
      problems.push(`${who} ${res.status()} ${res.request().method()} ${res.url().replace(/token=[^&]+/, 'token=…')}`);
    }
  });
}

/** Starts `npm start` (the H5 build must exist: the e2e project's globalSetup makes it) and Chromium side by side. */
export async function startWalk(): Promise<Walk> {
  if (!existsSync(path.join(ROOT, 'client', 'dist', 'h5', 'index.html'))) throw new Error('client/dist/h5 is missing');
  const [started, launched] = await Promise.allSettled([process.env.E2E_APP_URL ? reuseApp() : startApp(), launchBrowser()]);
  if (started.status === 'rejected' || launched.status === 'rejected') {
    if (started.status === 'fulfilled') await started.value.stop();
    if (launched.status === 'fulfilled') await launched.value.close();
    throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
  }
  const app = started.value;
  const phones = launched.value;
  const problems: string[] = [];
  return {
    app,
    phones,
    problems,
    async phone(who) {
      const ctx = await phones.newPhone();
      const page = await ctx.newPage();
      watch(page, who, problems);
      return { ctx, page };
    },
    async stop() {
      await phones.close().catch(() => undefined);
      await app.stop();
    },
  };
}

/**
 * While writing a walk: `E2E_APP_URL`, `E2E_APP_DATA_DIR` and `E2E_APP_PG_PORT` point at an `npm start`
 * already running (its DATA_DIR and EMBEDDED_PG_PORT), so a run skips the start. What a run wrote
 * stays in that city; the suite itself always starts its own.
 */
async function reuseApp(): Promise<RunningApp> {
  return {
    baseUrl: process.env.E2E_APP_URL!,
    dataDir: process.env.E2E_APP_DATA_DIR ?? '',
    databaseUrl: async () => {
      const password = (await readFile(path.join(process.env.E2E_APP_DATA_DIR ?? '', 'pg-password'), 'utf8')).trim();
      return `postgres://postgres:${password}@127.0.0.1:${process.env.E2E_APP_PG_PORT}/pioneer`;
    },
    output: () => '',
    stop: async () => undefined,
  };
}

/** Signs in on the login page the app shows (a development login code, as the README lists them). */
export async function signIn(page: Page, login: string): Promise<void> {
  const form = page.locator('#app .login');
  await form.waitFor({ timeout: UI_TIMEOUT });
  await typeInto(form.locator('.field-input'), login);
  await form.locator('.btn', { hasText: '登录' }).click();
  await page.waitForFunction(() => !location.hash.includes('/pages/login/'), undefined, { timeout: UI_TIMEOUT });
}

/** Opens the app at `hash` (or its landing) and signs in there. */
export async function openAs(page: Page, baseUrl: string, login: string, hash = ''): Promise<void> {
  await page.goto(`${baseUrl}/${hash ? `#${hash}` : ''}`);
  await signIn(page, login);
}

/** Taro's H5 title bar: one for the app, showing the current page's title. */
export function titleBar(page: Page): Locator {
  return page.locator('#taro-navigation-bar');
}

/**
 * Opens a page of the app by its address as a fresh load: a hash change alone makes Taro's router
 * swap pages under the test's feet (elements detach mid-click).
 */
export async function landOn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.reload();
}

/** Back, as the title bar's arrow does it. */
export async function back(page: Page): Promise<void> {
  await titleBar(page).locator('.taro-navigation-bar-back').click();
}

/** A tab of the bottom bar of the page shown. */
export async function tab(page: Page, label: string): Promise<void> {
  await shown(page).locator('.bottom-nav__item', { hasText: label }).click();
}

/** A row of 我的 (the page shown must be 我的). */
export async function mineItem(page: Page, label: string | RegExp): Promise<void> {
  await shown(page).locator('.mine__menu-item', { hasText: label }).first().click();
}

/** The dialog Taro shows (showModal) while it is open. Its wrapper has no box of its own (mask and dialog are fixed). */
export function modalDialog(page: Page): Locator {
  return page.locator('.taro__modal .taro-modal__content').filter({ visible: true }).last();
}

/** Answers the dialog Taro shows (showModal) with the button that names the action, and waits for it to close. */
export async function answerModal(page: Page, button: string | RegExp): Promise<void> {
  const dialog = modalDialog(page);
  await dialog.waitFor({ timeout: UI_TIMEOUT });
  await dialog.locator('.taro-model__btn', { hasText: button }).click();
  await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

/** Straight to the API as a development user: for what happens outside the walking role's day. */
export async function apiAs<T = any>(baseUrl: string, login: string, method: string, url: string, body?: unknown): Promise<T> {
  const signed = await fetch(`${baseUrl}/api/v1/auth/wechat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: login }),
  });
  if (!signed.ok) throw new Error(`sign-in ${login}: ${signed.status} ${await signed.text()}`);
  const session = (await signed.json()) as { token: string };
  const res = await fetch(`${baseUrl}/api/v1${url}`, {
    method,
    headers: { authorization: `Bearer ${session.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${login} ${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The role grants of a development user (e.g. the secretary's community). */
export async function orgOf(baseUrl: string, login: string, role: string): Promise<string> {
  const me = await apiAs<{ user: { roles: Array<{ role: string; orgId: string | null }> } }>(baseUrl, login, 'GET', '/auth/me');
  const grant = me.user.roles.find((g) => g.role === role);
  if (!grant?.orgId) throw new Error(`${login} holds no ${role} grant`);
  return grant.orgId;
}

/**
 * A statement on the app's embedded PostgreSQL: for time passing (a meeting's day arriving), which no
 * screen does. The password is the one the embedded cluster keeps in its data dir.
 */
export async function sql<T extends pg.QueryResultRow = any>(app: RunningApp, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: await app.databaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** ISO time `minutes` from now. */
export const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

/** Waits for a condition the test itself tracks (frames heard, requests made): the suite's one `eventually`. */
export async function waitUntil(test: () => boolean, what: string, timeoutMs = UI_TIMEOUT): Promise<void> {
  await eventually(test, timeoutMs, 100).catch((e: Error) => {
    throw new Error(`waiting for ${what}: ${e.message}`);
  });
}

/** `YYYY-MM-DD` of the Beijing day `days` from today (the app's pickers and dates are Beijing's). */
export function beijingDay(days = 0): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Picks `day` (`YYYY-MM-DD`) in Taro's H5 date picker that `trigger` opens, as a thumb does: each
 * column (年, 月, 日) whose value differs is dragged row by row until it shows the day's, then 确定.
 * Drags (not taps) also cross a year's end, where the month column goes back from 12月 to 1月.
 */
export async function pickDate(page: Page, trigger: Locator, day: string): Promise<void> {
  await trigger.click();
  // The sheet of the picker just opened (its overlay has no height of its own: the sheet is fixed to the bottom).
  const sheet = page.locator('.weui-picker').filter({ visible: true }).last();
  await sheet.waitFor({ timeout: UI_TIMEOUT });
  // It slides up (300 ms): drag once it stands still.
  await page.waitForFunction(
    (el) => !!el && getComputedStyle(el as HTMLElement).transform.replace(/\s/g, '') === 'matrix(1,0,0,1,0,0)',
    await sheet.elementHandle(),
    { timeout: UI_TIMEOUT },
  );
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const groups = sheet.locator('.weui-picker__group');
  for (const [column, value] of [
    [0, y],
    [1, m],
    [2, d],
  ] as const) {
    const group = groups.nth(column);
    // Rows read 2026年, 12月, 09日.
    const rows = (await group.locator('.weui-picker__item').allTextContents()).map((t) => Number(t.replace(/\D/g, '')));
    const target = rows.indexOf(value);
    if (target < 0) throw new Error(`the date picker offers no ${value} in column ${column} (${rows.join(' ')})`);
    // The column's offset says which row sits in the indicator (TOP 102 px, a row 34 px).
    const selected = async () =>
      Math.round(
        (102 - (await group.locator('.weui-picker__content').evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).m42))) /
          34,
      );
    const box = (await group.boundingBox())!;
    const x = box.x + box.width / 2;
    const middle = box.y + box.height / 2;
    // At most three rows per drag: a longer one leaves the column, and leaving it ends the drag.
    for (let at = await selected(); at !== target; at = await selected()) {
      const rowsToMove = Math.max(-3, Math.min(3, target - at));
      await page.mouse.move(x, middle);
      await page.mouse.down();
      await page.mouse.move(x, middle - rowsToMove * 34, { steps: 8 });
      await page.mouse.up();
      await page.waitForFunction(
        ({ el, want }) =>
          Math.round(
            (102 - new DOMMatrixReadOnly(getComputedStyle((el as HTMLElement).querySelector('.weui-picker__content')!).transform).m42) / 34,
          ) === want,
        { el: await group.elementHandle(), want: at + rowsToMove },
        { timeout: UI_TIMEOUT },
      );
    }
  }
  await sheet.locator('.weui-picker__action', { hasText: '确定' }).click();
  await sheet.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}
