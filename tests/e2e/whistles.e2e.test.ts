import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT, startApp, type RunningApp } from './helpers/app-process';
import { launchBrowser, shown, snap, typeInto, type E2eBrowser } from './helpers/browser';

/**
 * 吹哨报到 in real Chromium against `npm start` with the demo data: the 清和坊社区 secretary
 * raises a whistle to 市住建局 (lead) and 市城管局, the 市住建局 红色代办员 signs it and answers
 * with a linked post, and the secretary verifies, closes and rates it.
 */

const UI_TIMEOUT = 15_000;
jest.setTimeout(60_000);
const TITLE = '世茂商圈夜间停车（E2E）';

let app: RunningApp;
let phones: E2eBrowser;
let secretaryCtx: BrowserContext;
let liaisonCtx: BrowserContext;
let secretary: Page;
let liaison: Page;
let detailUrl = '';
const problems: string[] = [];

function watch(page: Page, who: string) {
  page.on('pageerror', (err) => problems.push(`${who} page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`${who} console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 500 || (res.status() === 404 && !res.url().endsWith('/favicon.ico'))) {
      problems.push(`${who} ${res.status()} ${res.request().method()} ${res.url()}`);
    }
  });
}

async function signIn(page: Page, login: string) {
  const form = page.locator('#app .login');
  await form.waitFor({ timeout: UI_TIMEOUT });
  await typeInto(form.locator('.field-input'), login);
  await form.locator('.btn', { hasText: '登录' }).click();
}

async function pickUnit(page: Page, search: string, name: string) {
  const form = shown(page).locator('.whistle-new');
  // The picker ignores a tap within 400 ms of closing (its guard against H5 ghost clicks).
  await page.waitForTimeout(500);
  await form.locator('.org-picker__value').click();
  await typeInto(form.locator('.org-picker .field-input'), search);
  await form.locator('.org-picker__item', { hasText: name }).click();
  await shown(page).locator('.whistle-new__unit', { hasText: name }).waitFor({ timeout: UI_TIMEOUT });
}

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'client', 'dist', 'h5', 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build:h5'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (build.status !== 0) throw new Error('npm run build:h5 failed');
  }
  const [started, launched] = await Promise.allSettled([startApp(), launchBrowser()]);
  if (started.status === 'fulfilled') app = started.value;
  if (launched.status === 'fulfilled') phones = launched.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
  secretaryCtx = await phones.newPhone();
  liaisonCtx = await phones.newPhone();
  secretary = await secretaryCtx.newPage();
  liaison = await liaisonCtx.newPage();
  watch(secretary, 'secretary');
  watch(liaison, 'liaison');
}, 240_000);

afterAll(async () => {
  await phones?.close();
  await app?.stop();
}, 60_000);

afterEach(() => {
  const seen = problems.splice(0);
  expect(seen).toEqual([]);
});

describe('H5 in Chromium: 吹哨 → 签收 → 反馈 with a post → 核查, 办结, 回访', () => {
  it('the secretary raises a whistle to 市住建局 (lead) and 市城管局 (assist)', async () => {
    await secretary.goto(`${app.baseUrl}/#/pages/whistles/index`);
    await signIn(secretary, 'secretary');
    await shown(secretary).locator('.whistles .whistle-card').first().waitFor({ timeout: UI_TIMEOUT });
    await shown(secretary).locator('.whistles__raise').click();

    const form = shown(secretary).locator('.whistle-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.whistle-new__title'), TITLE);
    await form.locator('.field', { hasText: '类别' }).locator('.chip', { hasText: '交通停车' }).click();
    await typeInto(form.locator('.whistle-new__location'), '世茂商圈北侧道路');
    await typeInto(form.locator('.whistle-new__description'), '夜间车辆违停占道，需住建规划临时停车、城管协同疏导。');
    await pickUnit(secretary, '住建', '市住建局');
    await pickUnit(secretary, '城管', '市城管局');
    await expect(form.locator('.whistle-new__unit', { hasText: '市住建局' }).locator('.chip.is-active').textContent()).resolves.toBe(
      '牵头',
    );
    await expect(form.locator('.whistle-new__unit', { hasText: '市城管局' }).locator('.chip.is-active').textContent()).resolves.toBe(
      '协办',
    );
    await snap(secretary, '13-whistle-new');

    await form.locator('.btn', { hasText: '吹哨' }).click();
    const detail = shown(secretary).locator('.whistle-detail');
    await detail.locator('.whistle-detail__title', { hasText: TITLE }).waitFor({ timeout: UI_TIMEOUT });
    await detail.locator('.whistle-detail__assignment', { hasText: '市住建局' }).filter({ hasText: '待签收' }).waitFor();
    detailUrl = secretary.url();
    expect(detailUrl).toContain('#/pages/whistle-detail/index?id=');
  });

  it('the 市住建局 红色代办员 finds it under 待签收, signs it and answers with a linked post', async () => {
    await liaison.goto(`${app.baseUrl}/#/pages/whistle-inbox/index`);
    await signIn(liaison, 'liaison');
    const inbox = shown(liaison).locator('.whistle-inbox');
    const card = inbox.locator('.whistle-card', { hasText: TITLE });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await snap(liaison, '14-whistle-inbox');
    await card.click();

    const detail = shown(liaison).locator('.whistle-detail');
    const mine = detail.locator('.whistle-detail__assignment', { hasText: '市住建局' });
    await mine.locator('.whistle-detail__sign').click();
    await mine.filter({ hasText: '办理中' }).waitFor({ timeout: UI_TIMEOUT });
    // Only its own unit's assignment offers actions.
    await expect(
      detail.locator('.whistle-detail__assignment', { hasText: '市城管局' }).locator('.whistle-detail__actions').count(),
    ).resolves.toBe(0);

    await mine.locator('.whistle-detail__answer').click();
    await typeInto(mine.locator('.whistle-detail__text'), '已规划商圈北侧临时停车场，并发布党员疏导岗。');
    const post = mine.locator('.whistle-detail__posts .chip').first();
    await post.waitFor({ timeout: UI_TIMEOUT });
    const postTitle = ((await post.textContent()) ?? '').trim();
    await post.click();
    await mine.locator('.whistle-detail__submit').click();

    await mine.filter({ hasText: '已反馈' }).waitFor({ timeout: UI_TIMEOUT });
    await detail.locator('.whistle-detail__status', { hasText: '已反馈' }).waitFor();
    await detail.locator('.whistle-detail__task', { hasText: postTitle }).waitFor();
    await detail.locator('.whistle-detail__event', { hasText: '签收' }).waitFor();
    await snap(liaison, '15-whistle-answered');
  });

  it('the secretary verifies, closes and rates it; the timeline shows every step', async () => {
    await secretary.goto(detailUrl);
    await secretary.reload();
    const detail = shown(secretary).locator('.whistle-detail');
    await detail.locator('.whistle-detail__verify').click({ timeout: UI_TIMEOUT });
    await detail.locator('.whistle-detail__status', { hasText: '已核查' }).waitFor({ timeout: UI_TIMEOUT });
    await detail.locator('.whistle-detail__close').click();
    await detail.locator('.whistle-detail__status', { hasText: '已办结' }).waitFor({ timeout: UI_TIMEOUT });
    await detail.locator('.whistle-detail__star').nth(3).click();
    await detail.locator('.whistle-detail__rate').click();
    await detail.locator('.whistle-detail__status', { hasText: '已回访' }).waitFor({ timeout: UI_TIMEOUT });

    const steps = (await detail.locator('.whistle-detail__event-action').allTextContents()).map((s) => s.trim());
    expect(steps).toEqual(['吹哨', '签收', '反馈', '核查', '办结', '回访评价']);
    await detail.locator('.whistle-detail__event', { hasText: '满意度 ★★★★' }).waitFor();
    await snap(secretary, '16-whistle-rated');
  });
});
