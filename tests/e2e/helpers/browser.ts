import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const SCREENSHOT_DIR = path.resolve(__dirname, '..', 'screenshots');

export interface E2eBrowser {
  browser: Browser;
  newPhone(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Debian's chromium through playwright-core. Playwright gives every launch a fresh
 * temporary profile (it refuses a --user-data-dir argument) and deletes it on close.
 */
export async function launchBrowser(): Promise<E2eBrowser> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    browser,
    // A phone-sized context each: no shared storage, so each person signs in for themselves.
    newPhone: () =>
      browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      }),
    async close() {
      await browser.close();
    },
  };
}

/** The page Taro shows now: earlier pages of a navigateTo stack stay in the DOM, hidden. */
export function shown(page: Page): Locator {
  return page.locator('#app .taro_page').filter({ visible: true }).last();
}

export async function snap(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

/** Taro renders <Input> as <taro-input-core> around a real <input>. */
export async function typeInto(field: Locator, value: string): Promise<void> {
  const input = field.locator('input, textarea').first();
  await input.fill(value);
}
