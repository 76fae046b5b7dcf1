import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT, startApp, type RunningApp } from './helpers/app-process';
import { launchBrowser, shown, snap, typeInto, type E2eBrowser } from './helpers/browser';

/**
 * 组织报到 in real Chromium against `npm start` with the demo data, through the screens only:
 * the 市住建局 unit admin reports to 清和坊社区 (共建协议), the secretary confirms it and publishes
 * a need, the unit claims it with a plan, publishes a directed post (定向岗位) and delivers, the
 * secretary accepts it with a rating (验收), and the city admin's 单位报到成效 board shows it.
 */

const UI_TIMEOUT = 20_000;
jest.setTimeout(90_000);
const NEED = '楼道照明改造（E2E）';
const POST = '楼道灯具更换志愿岗（E2E）';

let app: RunningApp;
let phones: E2eBrowser;
let unitCtx: BrowserContext;
let secretaryCtx: BrowserContext;
let adminCtx: BrowserContext;
let unit: Page;
let secretary: Page;
let admin: Page;
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

/** Opens the app at its root and signs in: each role lands where the app sends it. */
async function signIn(page: Page, login: string) {
  await page.goto(`${app.baseUrl}/`);
  const form = page.locator('#app .login');
  await form.waitFor({ timeout: UI_TIMEOUT });
  await typeInto(form.locator('.field-input'), login);
  await form.locator('.btn', { hasText: '登录' }).click();
}

/** The hub's tab, by the class of its key. */
async function openTab(page: Page, key: 'agreements' | 'needs' | 'projects' | 'resources') {
  await shown(page).locator(`.units__tab--${key}`).click();
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
  unitCtx = await phones.newPhone();
  secretaryCtx = await phones.newPhone();
  adminCtx = await phones.newPhone();
  unit = await unitCtx.newPage();
  secretary = await secretaryCtx.newPage();
  admin = await adminCtx.newPage();
  watch(unit, 'unit');
  watch(secretary, 'secretary');
  watch(admin, 'admin');
}, 240_000);

afterAll(async () => {
  await phones?.close();
  await app?.stop();
}, 60_000);

afterEach(() => {
  const seen = problems.splice(0);
  expect(seen).toEqual([]);
});

describe('H5 in Chromium: 报到 → 确认 → 需求 → 认领 → 定向岗位 → 交付 → 验收 → 成效', () => {
  it('the unit admin goes from its 数据看板 to 组织报到 and proposes a 共建协议 with 清和坊社区', async () => {
    await signIn(unit, 'unit');
    await shown(unit).locator('.staff-tools__item', { hasText: '组织报到' }).click({ timeout: UI_TIMEOUT });
    const hub = shown(unit).locator('.units');
    await hub.waitFor({ timeout: UI_TIMEOUT });
    await hub.locator('.units__propose').click();

    const form = shown(unit).locator('.agreement-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    // The picker takes a tap once its guard against H5 ghost clicks has passed.
    await form.locator('.org-picker__value[data-armed="true"]').click({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.org-picker .field-input'), '清和坊');
    await form.locator('.org-picker__item', { hasText: '清和坊社区' }).click({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.agreement-new__commitments'), '每月组织党员进社区服务两次，承接社区公共设施类需求。');
    await typeInto(form.locator('.agreement-new__contact'), '王建国');
    await typeInto(form.locator('.agreement-new__phone'), '13800138000');
    await snap(unit, '30-agreement-new');
    await form.locator('.agreement-new__submit').click();

    const row = shown(unit).locator('.units__agreement', { hasText: '清和坊社区' }).filter({ hasText: '待确认' });
    await row.first().waitFor({ timeout: UI_TIMEOUT });
    // The community sees a masked phone only.
    await expect(row.first().textContent()).resolves.toContain('138****8000');
  });

  it('the secretary confirms it from 岗位管理 → 组织报到 and publishes a need', async () => {
    await signIn(secretary, 'secretary');
    await shown(secretary).locator('.manage__action--units').click({ timeout: UI_TIMEOUT });
    const hub = shown(secretary).locator('.units');
    await hub.waitFor({ timeout: UI_TIMEOUT });
    const row = hub.locator('.units__agreement', { hasText: '市住建局' }).filter({ hasText: '待确认' }).first();
    await row.waitFor({ timeout: UI_TIMEOUT });
    await snap(secretary, '31-agreement-inbox');
    const id = await row.getAttribute('data-id');
    await row.locator('.units__accept').click();
    await hub.locator(`.units__agreement[data-id="${id}"]`, { hasText: '已报到' }).waitFor({ timeout: UI_TIMEOUT });

    await hub.locator('.units__publish-need').click();
    const form = shown(secretary).locator('.need-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.need-new__title'), NEED);
    await form.locator('.need-new__categories .chip').first().click();
    await typeInto(form.locator('.need-new__description'), '清和苑 3 幢至 8 幢楼道灯损坏，需更换灯具并检查线路。');
    await snap(secretary, '32-need-new');
    await form.locator('.need-new__submit').click();

    const back = shown(secretary).locator('.units');
    await back.waitFor({ timeout: UI_TIMEOUT });
    await openTab(secretary, 'needs');
    await back.locator('.units__need', { hasText: NEED }).filter({ hasText: '待认领' }).waitFor({ timeout: UI_TIMEOUT });
  });

  it('the unit claims the need with a plan, publishes a directed post and delivers', async () => {
    await unit.reload();
    const hub = shown(unit).locator('.units');
    await hub.waitFor({ timeout: UI_TIMEOUT });
    await openTab(unit, 'needs');
    const need = hub.locator('.units__need', { hasText: NEED });
    await need.waitFor({ timeout: UI_TIMEOUT });
    await need.locator('.units__claim-open').click();
    await typeInto(need.locator('.units__plan'), '组织本局电工党员 6 人，两个周末完成灯具更换与线路检查。');
    await snap(unit, '33-claim');
    await need.locator('.units__claim-submit').click();

    const project = shown(unit).locator('.project');
    await project.locator('.project__status', { hasText: '已认领' }).waitFor({ timeout: UI_TIMEOUT });
    await project.locator('.project__post').click();

    const publish = shown(unit).locator('.publish');
    await publish.waitFor({ timeout: UI_TIMEOUT });
    await publish.locator('.publish__audience-unit.is-active', { hasText: '定向·市住建局' }).waitFor({ timeout: UI_TIMEOUT });
    await typeInto(publish.locator('.field', { hasText: '岗位名称' }).locator('.field-input'), POST);
    await publish.locator('.field', { hasText: '岗位类别' }).locator('.chip').first().click();
    await typeInto(publish.locator('.field', { hasText: '服务地点' }).locator('.field-input'), '清和苑 3 幢');
    await publish.locator('.btn', { hasText: '发布岗位' }).click();

    const after = shown(unit).locator('.project');
    await after.locator('.project__status', { hasText: '实施中' }).waitFor({ timeout: UI_TIMEOUT });
    await after.locator('.project__task', { hasText: POST }).filter({ hasText: '定向·市住建局' }).waitFor();
    await after.locator('.project__deliver').click();
    await typeInto(after.locator('.project__text'), '已更换灯具 42 盏，检查线路 6 幢，居民反映良好。');
    await after.locator('.project__submit').click();
    await after.locator('.project__status', { hasText: '待验收' }).waitFor({ timeout: UI_TIMEOUT });
    await snap(unit, '34-delivered');
  });

  it('the secretary accepts it with a rating (验收)', async () => {
    await secretary.reload();
    const hub = shown(secretary).locator('.units');
    await hub.waitFor({ timeout: UI_TIMEOUT });
    await openTab(secretary, 'projects');
    await hub.locator('.units__project', { hasText: NEED }).filter({ hasText: '待验收' }).click({ timeout: UI_TIMEOUT });
    const project = shown(secretary).locator('.project');
    await project.locator('.project__accept').click({ timeout: UI_TIMEOUT });
    await project.locator('.project__star').nth(3).click();
    await typeInto(project.locator('.project__text'), '灯具更换及时，居民满意。');
    await project.locator('.project__submit').click();
    await project.locator('.project__status', { hasText: '已验收' }).waitFor({ timeout: UI_TIMEOUT });
    await project.locator('.project__rating', { hasText: '★★★★☆' }).waitFor();
    const steps = (await project.locator('.project__event-action').allTextContents()).map((s) => s.trim());
    expect(steps).toEqual(['认领', '发布首个岗位，开始实施', '交付', '验收']);
    await snap(secretary, '35-accepted');
  });

  it('the city admin sees 市住建局 on the 单位报到成效 board, its accepted project counted', async () => {
    await signIn(admin, 'admin');
    await shown(admin).locator('.staff-tools__item', { hasText: '单位报到成效' }).click({ timeout: UI_TIMEOUT });
    const board = shown(admin).locator('.idx--units');
    const row = board.locator('.idx__row', { hasText: '市住建局' });
    await row.waitFor({ timeout: UI_TIMEOUT });
    await snap(admin, '36-unit-board');
    await row.click();
    const explain = shown(admin).locator('.idx--units');
    const accepted = explain.locator('[data-testid="part-projects_accepted"]');
    await accepted.waitFor({ timeout: UI_TIMEOUT });
    await expect(accepted.textContent()).resolves.toMatch(/验收项目数：[1-9]\d* 个/);
    await explain.locator('[data-testid="part-project_rating"]').waitFor();
    await snap(admin, '37-unit-explained');
  });
});
