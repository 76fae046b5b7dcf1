/// <reference lib="dom.iterable" />
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { findChromium, type ChromiumBinary } from './find-chromium';

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

/** Git-ignored, so `npm test` leaves the tree clean; `npm run screenshots` points it at docs/screenshots. */
export const SCREENSHOT_DIR = path.resolve(process.env.E2E_SCREENSHOT_DIR ?? path.join(__dirname, '..', '.tmp', 'screenshots'));

const FONT_DIR = path.join(path.dirname(require.resolve('@fontsource-variable/noto-sans-sc/package.json')), 'files');
const FONT_PATH = '/__e2e-fonts/';
/** The family the pages ask for first among CJK fonts (app.scss); on the machine it usually does not exist. */
export const CJK_FAMILY = 'PingFang SC';

/**
 * Noto Sans SC from the npm package, served to every page under the name of the app's first CJK
 * font: a bare Chromium has no CJK font, and the screenshots then look the same on every machine.
 * Each unicode-range subset is fetched only when a page draws one of its characters.
 */
const FONT_FACES = [
  ...readFileSync(path.join(FONT_DIR, '..', 'index.css'), 'utf8').matchAll(
    /url\(\.\/files\/([\w-]+\.woff2)\)[^;]*;\s*unicode-range:\s*([^;]+);/g,
  ),
].map(([, file, unicodeRange]) => ({ url: `${FONT_PATH}${file}`, unicodeRange: unicodeRange! }));

async function serveCjkFont(context: BrowserContext): Promise<void> {
  await context.route(`**${FONT_PATH}*`, async (route) => {
    const name = path.basename(new URL(route.request().url()).pathname);
    if (!/^[\w-]+\.woff2$/.test(name)) return route.fulfill({ status: 404 });
    return route.fulfill({ status: 200, contentType: 'font/woff2', body: await readFile(path.join(FONT_DIR, name)) });
  });
  // Before any page script, and before the document has an element to hang a <style> on.
  await context.addInitScript(
    ({ family, faces }) => {
      for (const f of faces) {
        document.fonts.add(
          new FontFace(family, `url(${f.url}) format('woff2')`, { weight: '100 900', unicodeRange: f.unicodeRange, display: 'swap' }),
        );
      }
    },
    { family: CJK_FAMILY, faces: FONT_FACES },
  );
}

export interface E2eBrowser {
  browser: Browser;
  /** Which Chromium runs: the system's, or the one unpacked from @sparticuz/chromium. */
  binary: ChromiumBinary;
  newPhone(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Chromium (see findChromium) through playwright-core. Playwright gives every launch a fresh
 * temporary profile (it refuses a --user-data-dir argument) and deletes it on close.
 */
export async function launchBrowser(): Promise<E2eBrowser> {
  const binary = findChromium();
  const browser = await chromium.launch({
    executablePath: binary.executablePath,
    args: CHROMIUM_ARGS,
    env: binary.env ? { ...process.env, ...binary.env } : undefined,
  });
  return {
    browser,
    binary,
    // A phone-sized context each: no shared storage, so each person signs in for themselves.
    async newPhone() {
      const context = await browser.newContext({
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      await serveCjkFont(context);
      return context;
    },
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
  // Taro slides a page opened with navigateTo in from the right (300 ms): shoot once it is in place.
  await page.waitForFunction(
    () => [...document.querySelectorAll('#app .taro_page.taro_page_show')].every((p) => Math.abs(p.getBoundingClientRect().left) < 1),
    undefined,
    {
      timeout: 5_000,
    },
  );
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: false });
}

/**
 * Whether the page's own Chinese text made the browser load the served CJK font, so `sample` can be
 * painted with it (a bare Chromium would draw boxes).
 */
export async function cjkFontLoaded(page: Page, sample: string): Promise<boolean> {
  return page.evaluate(
    async ({ family, text }) => {
      await document.fonts.ready;
      return (
        document.fonts.check(`16px '${family}'`, text) &&
        [...document.fonts].some((f) => f.family.replace(/['"]/g, '') === family && f.status === 'loaded')
      );
    },
    { family: CJK_FAMILY, text: sample },
  );
}

/** Taro renders <Input> as <taro-input-core> around a real <input>. */
export async function typeInto(field: Locator, value: string): Promise<void> {
  const input = field.locator('input, textarea').first();
  await input.fill(value);
}
