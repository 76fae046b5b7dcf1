import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page, WebSocket } from 'playwright-core';
import { decodeQrPng, readQrPng } from '../helpers/qr-decode';
import { ROOT, startApp, type RunningApp } from './helpers/app-process';
import { cjkFontLoaded, launchBrowser, shown, snap, typeInto, type E2eBrowser } from './helpers/browser';

/**
 * The H5 build in real Chromium against `npm start` (embedded PostgreSQL, demo data):
 * a new member reports through the community QR link and gets a 先锋码, the secretary
 * publishes a post, the member grabs it while the secretary's list updates live, and the
 * secretary verifies the member's code and checks them in.
 *
 * The steps share one server and two phones, so they run in order and each builds on the last.
 */

const UI_TIMEOUT = 15_000;
// The project's testTimeout does not reach tests run through `projects`; each step sets its own.
jest.setTimeout(60_000);
const POST_TITLE = '楼道杂物清理（E2E）';
const MEMBER = { login: 'e2e_member', name: '赵敏行', phone: '13912345678', workUnit: '市住建局 科员' };

let app: RunningApp;
let phones: E2eBrowser;
let memberCtx: BrowserContext;
let secretaryCtx: BrowserContext;
let member: Page;
let secretary: Page;
let token = '';
const liveFrames: string[] = [];

function watch(page: Page, who: string, problems: string[]) {
  page.on('pageerror', (err) => problems.push(`${who} page error: ${err.message}`));
  page.on('console', (msg) => {
    // The favicon request is the one resource the H5 build lacks; Chromium logs its 404.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`${who} console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    // favicon.ico is the only file the H5 build does not ship.
    if (res.status() >= 500 || (res.status() === 404 && !res.url().endsWith('/favicon.ico'))) {
      problems.push(`${who} ${res.status()} ${res.request().method()} ${res.url().replace(/token=[^&]+/, 'token=…')}`);
    }
  });
}
const problems: string[] = [];

/** Straight to the API as a development user: setting up what the UI step is not about. */
async function apiAs(login: string, method: string, path: string, body?: unknown) {
  const signIn = await fetch(`${app.baseUrl}/api/v1/auth/wechat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: login }),
  });
  const session = (await signIn.json()) as { token: string; user: { roles: Array<{ role: string; orgId: string | null }> } };
  const res = await fetch(`${app.baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return { body: (await res.json()) as Record<string, unknown>, session };
}

/** A post of the secretary's community starting in 10 minutes: its check-in window is open. */
async function publishTodayPost(title: string): Promise<string> {
  const { session } = await apiAs('dev:secretary', 'GET', '/auth/me');
  const community = session.user.roles.find((g) => g.role === 'secretary')!.orgId;
  const now = Date.now();
  const { body } = await apiAs('dev:secretary', 'POST', '/tasks', {
    communityOrgId: community,
    title,
    category: 'environment',
    description: '',
    location: '清和苑 5 幢',
    startsAt: new Date(now + 10 * 60_000).toISOString(),
    endsAt: new Date(now + 130 * 60_000).toISOString(),
    capacity: 2,
  });
  return (body.task as { id: string }).id;
}

/** Taro's H5 title bar: one for the app, showing the current page's title. */
function titleBar(page: Page) {
  return page.locator('#taro-navigation-bar');
}

async function signInThroughUi(page: Page, login: string) {
  const form = page.locator('#app .login');
  await form.waitFor({ timeout: UI_TIMEOUT });
  await typeInto(form.locator('.field-input'), login);
  await form.locator('.btn', { hasText: '登录' }).click();
}

beforeAll(async () => {
  // The H5 build (when missing) happens in the project's globalSetup, outside this hook's timeout.
  if (!existsSync(path.join(ROOT, 'client', 'dist', 'h5', 'index.html'))) throw new Error('client/dist/h5 is missing');
  const [started, launched] = await Promise.allSettled([startApp(), launchBrowser()]);
  if (started.status === 'fulfilled') app = started.value;
  if (launched.status === 'fulfilled') phones = launched.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
  // `.ci/run` hides the system browser once: that run must really use the one from the npm package.
  if (process.env.E2E_SYSTEM_CHROMIUM === '0' && !process.env.CHROMIUM_PATH) expect(phones.binary.source).toBe('bundled');
  process.stdout.write(`e2e: ${phones.binary.source} Chromium at ${phones.binary.executablePath}\n`);
  memberCtx = await phones.newPhone();
  secretaryCtx = await phones.newPhone();
  member = await memberCtx.newPage();
  secretary = await secretaryCtx.newPage();
  watch(member, 'member', problems);
  watch(secretary, 'secretary', problems);
  secretary.on('websocket', (ws: WebSocket) => ws.on('framereceived', (f) => liveFrames.push(String(f.payload))));
}, 240_000);

afterAll(async () => {
  await phones?.close();
  await app?.stop();
}, 60_000);

afterEach(() => {
  // A broken request or an uncaught error fails the step it happened in, not a later one.
  const seen = problems.splice(0);
  expect(seen).toEqual([]);
});

describe('H5 in Chromium: report, grab, live counts, check-in', () => {
  it('sends a new member from the community QR link through sign-in to the register page', async () => {
    await member.goto(`${app.baseUrl}/r/qinghefang`);
    // No session yet: the H5 app asks for the development sign-in and keeps the register code.
    await member.locator('#app .login').waitFor({ timeout: UI_TIMEOUT });
    expect(decodeURIComponent(member.url())).toContain('/pages/register/index?code=qinghefang');
    // Chinese is drawn with the CJK font from the npm package, whichever Chromium runs.
    await expect(cjkFontLoaded(member, '登录')).resolves.toBe(true);
    // Its title bar offers no home: home would lead straight back to signing in.
    await expect(titleBar(member).locator('.taro-navigation-bar-title').textContent()).resolves.toBe('登录');
    await expect(titleBar(member).locator('.taro-navigation-bar-home').isVisible()).resolves.toBe(false);
    await snap(member, '01-login');

    await signInThroughUi(member, MEMBER.login);
    const form = shown(member).locator('.register-form');
    await form.waitFor({ timeout: UI_TIMEOUT });
    expect(member.url()).toContain('#/pages/register/index?code=qinghefang');
    await expect(form.locator('.register-form__community').textContent()).resolves.toBe('清和坊社区');
    await snap(member, '02-register');
  });

  it('fills the register form and shows the new 先锋码', async () => {
    const form = shown(member).locator('.register-form');
    await typeInto(form.locator('[data-testid="input-name"]'), MEMBER.name);
    await typeInto(form.locator('[data-testid="input-phone"]'), MEMBER.phone);

    // Party-org picker: search, pick, and it collapses to the chosen name.
    await form.locator('.org-picker__value').click();
    await typeInto(form.locator('.org-picker .field-input'), '住建');
    await form.locator('.org-picker__item', { hasText: '市住建局' }).click();
    await form.locator('.org-picker__value', { hasText: '市住建局' }).waitFor({ timeout: UI_TIMEOUT });

    await typeInto(form.locator('[data-testid="input-workUnit"]'), MEMBER.workUnit);
    await form.locator('.chip', { hasText: '清和苑' }).click();
    await typeInto(form.locator('[data-testid="input-building"]'), '5');
    await typeInto(form.locator('[data-testid="input-unitNo"]'), '1');
    await typeInto(form.locator('[data-testid="input-room"]'), '302');
    await form.locator('.chip', { hasText: '便民服务' }).click();
    await form.locator('.chip', { hasText: '环境治理' }).click();
    // The box, not the row's middle: that is the notice link, which opens the notice instead.
    await form.locator('.register-form__check').click();
    await form.locator('.register-form__check.is-checked').waitFor();
    expect(await form.locator('.chip.is-active').allTextContents()).toEqual(['清和苑', '便民服务', '环境治理']);
    await form.locator('.btn', { hasText: '生成先锋码' }).scrollIntoViewIfNeeded();
    await snap(member, '03-register-filled');

    await form.locator('.btn', { hasText: '生成先锋码' }).click();
    const code = shown(member).locator('.pcode');
    await code.locator('.pcode__img img').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(member.url()).toContain('#/pages/pioneer-code/index');
    await code.locator('.pcode__name', { hasText: MEMBER.name }).waitFor({ timeout: UI_TIMEOUT });
    await expect(code.locator('.pcode__who .muted').textContent()).resolves.toBe('清和坊社区 · 清和苑');
    // The QR is a real decoded image, not a broken one.
    const qr = await code.locator('.pcode__img img').evaluate((img: HTMLImageElement) => ({
      ok: img.complete && img.naturalWidth > 0,
      src: img.src.slice(0, 30),
    }));
    expect(qr).toEqual({ ok: true, src: expect.stringMatching(/^data:image\/svg\+xml/) });
    token = ((await code.locator('[data-testid="pcode-token"]').textContent()) ?? '').trim();
    // The compact code: at most 48 characters.
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,48}$/);
    // What Chromium painted decodes (independently, with jsQR) to the code's link: a version ≤ 5 QR.
    const painted = readQrPng(await code.locator('.pcode__img img').screenshot());
    expect(painted?.data).toBe(`${app.baseUrl}/c/${token}`);
    expect(painted?.version).toBeLessThanOrEqual(5);
    await snap(member, '04-pioneer-code');
  });

  it('lands the secretary on 岗位管理 and lets them publish a post from 发布岗位', async () => {
    await secretary.goto(app.baseUrl);
    // The login code as the README writes it.
    await signInThroughUi(secretary, 'dev:secretary');
    const manage = shown(secretary);
    await manage.locator('.manage__actions').waitFor({ timeout: UI_TIMEOUT });
    expect(secretary.url()).toContain('#/staff/manage/index');
    // A secretary's tabs: its work first, no 抢 home and no 先锋码.
    await expect(manage.locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['岗位管理', '扫码核验', '消息', '我的']);
    await manage.locator('.manage__action', { hasText: '发布岗位' }).click();

    const publish = shown(secretary).locator('.publish');
    await publish.waitFor({ timeout: UI_TIMEOUT });
    const fields = publish.locator('.field');
    await typeInto(fields.filter({ hasText: '岗位名称' }).locator('.field-input'), POST_TITLE);
    await fields.filter({ hasText: '岗位类别' }).locator('.chip', { hasText: '环境治理' }).click();
    await typeInto(fields.filter({ hasText: '服务地点' }).locator('.field-input'), '清和苑 5 幢楼道');
    await typeInto(fields.filter({ hasText: '岗位说明' }).locator('.field-textarea'), '清理楼道堆放的杂物，消除消防隐患。');
    await typeInto(fields.filter({ hasText: '招募名额' }).locator('.field-input'), '3');
    await snap(secretary, '05-publish');

    await publish.locator('.btn', { hasText: '发布岗位' }).click();
    // Published, then redirected to 岗位管理 where the new post heads the list with no claims.
    const card = shown(secretary).locator('.manage .task-card', { hasText: POST_TITLE });
    await card.waitFor({ timeout: UI_TIMEOUT });
    expect(secretary.url()).toContain('#/staff/manage/index');
    await card.filter({ hasText: /剩余\s*3\s*\/\s*3\s*名额/ }).waitFor({ timeout: UI_TIMEOUT });
    await card.filter({ hasText: '已抢到 0 人' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(card.locator('.manage__status').textContent()).resolves.toBe('招募中');
    // Back to the 岗位管理 it came from, not a second copy of it with a back arrow to the first.
    await expect(titleBar(secretary).locator('.taro-navigation-bar-back').isVisible()).resolves.toBe(false);
    await card.scrollIntoViewIfNeeded();
    await snap(secretary, '06-manage-published');
  });

  it('shows the post on the member 首页; 抢 turns into 已抢到 and the secretary list follows live', async () => {
    await shown(member).locator('.bottom-nav__item', { hasText: '首页' }).click();
    const card = shown(member).locator('.home .task-card', { hasText: POST_TITLE });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await expect(shown(member).locator('.home__banner-title').textContent()).resolves.toBe('清和坊社区');
    const grab = card.locator('.grab-btn');
    await card.locator('.grab-btn[data-state="open"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(grab.textContent()).resolves.toBe('抢');
    await snap(member, '07-home');

    const secretaryCard = shown(secretary).locator('.manage .task-card', { hasText: POST_TITLE });
    const framesBefore = liveFrames.length;
    const reloads: string[] = [];
    const countReloads = (req: { url(): string; method(): string }) => {
      if (req.method() === 'GET' && /\/api\/v1\/tasks(\?|$)/.test(req.url())) reloads.push(req.url());
    };
    secretary.on('request', countReloads);

    await grab.click();
    await card.locator('.grab-btn[data-state="claimed"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(grab.textContent()).resolves.toBe('已抢到');
    await card.filter({ hasText: /剩余\s*2\s*\/\s*3\s*名额/ }).waitFor({ timeout: UI_TIMEOUT });
    await snap(member, '08-home-grabbed');

    // The secretary's page was not reloaded: the numbers arrive over the live socket.
    await secretaryCard.filter({ hasText: /剩余\s*2\s*\/\s*3\s*名额/ }).waitFor({ timeout: UI_TIMEOUT });
    await secretaryCard.filter({ hasText: '已抢到 1 人' }).waitFor({ timeout: UI_TIMEOUT });
    secretary.off('request', countReloads);
    expect(reloads).toEqual([]);
    const frames = liveFrames.slice(framesBefore).map((f) => JSON.parse(f) as Record<string, unknown>);
    expect(frames).toEqual(expect.arrayContaining([expect.objectContaining({ claimed: 1, remaining: 2, status: 'open' })]));
    await secretaryCard.scrollIntoViewIfNeeded();
    await snap(secretary, '09-manage-live');
  });

  it("lets the secretary verify the pasted 先锋码 on 扫码核验: the card lists today's posts and offers only the valid action", async () => {
    // A post of today whose check-in is open (it starts in 10 minutes), claimed by the member.
    const todayPost = await publishTodayPost('今日楼道清扫（E2E）');
    await apiAs('dev:e2e_member', 'POST', `/tasks/${todayPost}/claims`);

    // A fresh code from the member's phone: codes live 60 s.
    await shown(member).locator('.bottom-nav__item', { hasText: '先锋码' }).click();
    const fresh = shown(member).locator('[data-testid="pcode-token"]');
    await fresh.waitFor({ timeout: UI_TIMEOUT });
    token = ((await fresh.textContent()) ?? '').trim();

    await shown(secretary).locator('.bottom-nav__item', { hasText: '扫码核验' }).click();
    const verify = shown(secretary).locator('.verify');
    await verify.waitFor({ timeout: UI_TIMEOUT });
    // The paste box is at the top; no list of every open post above it.
    await expect(verify.locator('.verify__task').count()).resolves.toBe(0);
    await typeInto(verify.locator('[data-testid="verify-input"]'), token);
    await snap(secretary, '10-verify-paste');
    await verify.locator('.verify__btn', { hasText: '核验' }).click();

    const card = verify.locator('[data-testid="verify-card"]');
    await card.waitFor({ timeout: UI_TIMEOUT });
    await expect(card.locator('.verify__badge').textContent()).resolves.toBe('身份已核验');
    await expect(card.locator('.verify__name').textContent()).resolves.toBe(MEMBER.name);
    await card.locator('.verify__kv', { hasText: '清和坊社区' }).waitFor();
    // Staff see the phone masked.
    expect(await card.textContent()).not.toContain(MEMBER.phone);
    // Only today's posts: the post of tomorrow the member grabbed is not listed.
    const claim = card.locator('[data-testid="verify-claim"]');
    await expect(claim.allTextContents()).resolves.toEqual([expect.stringContaining('今日楼道清扫（E2E）')]);
    await expect(claim.locator('.verify__state').textContent()).resolves.toBe('已抢到，未签到');
    await expect(card.locator('[data-testid="verify-check-in"]').getAttribute('aria-disabled')).resolves.toBe('false');
    await expect(card.locator('[data-testid="verify-check-out"]').getAttribute('aria-disabled')).resolves.toBe('true');
    await snap(secretary, '11-verified');

    await card.locator('[data-testid="verify-check-in"]').click();
    await verify.locator('[data-testid="verify-notice"]', { hasText: `${MEMBER.name} 签到成功` }).waitFor({ timeout: UI_TIMEOUT });
    await expect(claim.locator('.verify__state').textContent()).resolves.toBe('已签到');
    await expect(card.locator('[data-testid="verify-check-in"]').getAttribute('aria-disabled')).resolves.toBe('true');
    await expect(card.locator('[data-testid="verify-check-out"]').getAttribute('aria-disabled')).resolves.toBe('false');
    await snap(secretary, '12-checked-in');
  });

  it("opens the verify page from the code's /c/ link for a secretary (what WeChat's 扫一扫 does)", async () => {
    const fresh = shown(member).locator('[data-testid="pcode-token"]');
    const code = ((await fresh.textContent()) ?? '').trim();
    await secretary.goto(`${app.baseUrl}/c/${code}`);
    const card = shown(secretary).locator('[data-testid="verify-card"]');
    await card.waitFor({ timeout: UI_TIMEOUT });
    expect(secretary.url()).toContain('#/staff/verify/index');
    await expect(card.locator('.verify__name').textContent()).resolves.toBe(MEMBER.name);
    // Checked in a moment ago: now only 签退 is possible.
    await expect(card.locator('[data-testid="verify-check-in"]').getAttribute('aria-disabled')).resolves.toBe('true');
    await expect(card.locator('[data-testid="verify-check-out"]').getAttribute('aria-disabled')).resolves.toBe('false');
    await snap(secretary, '30-scanned-link');

    // Anyone else who scans it (here a member on another phone) learns what the code is for.
    const ctx = await phones.newPhone();
    const other = await ctx.newPage();
    watch(other, 'member scanning', problems);
    await other.goto(`${app.baseUrl}/c/${code}`);
    await signInThroughUi(other, MEMBER.login);
    const friendly = shown(other).locator('[data-testid="scanned-friendly"]');
    await friendly.waitFor({ timeout: UI_TIMEOUT });
    await expect(friendly.textContent()).resolves.toContain('这是一位在职党员的先锋码');
    expect(await shown(other).textContent()).not.toContain(MEMBER.phone);
    await ctx.close();
  });

  it('shows the secretary a printable A4 poster (PNG) with the community, its district and the QR', async () => {
    await secretary.goto(`${app.baseUrl}/#/staff/community-qr/index`);
    const poster = shown(secretary).locator('[data-testid="poster"] img');
    await poster.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const src = await poster.getAttribute('src');
    expect(src).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(src!.split(',')[1], 'base64');
    const size = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
    // A4: 210 × 297 mm.
    expect(size).toEqual({ width: 1240, height: 1754 });
    expect(decodeQrPng(png)).toMatch(new RegExp(`^${app.baseUrl}/r/[A-Za-z0-9_-]+$`));
    await snap(secretary, '31-poster');
  });
});

describe('H5 in Chromium: each role where it belongs, a visitor finding its community, a missing page', () => {
  it('lands a city admin on the 数据看板, without member tabs', async () => {
    const ctx = await phones.newPhone();
    const admin = await ctx.newPage();
    watch(admin, 'admin', problems);
    await admin.goto(app.baseUrl);
    await signInThroughUi(admin, 'dev:admin');
    const dash = shown(admin).locator('.dash');
    await dash.locator('.dash__metric').first().waitFor({ timeout: UI_TIMEOUT });
    expect(admin.url()).toContain('#/staff/dashboard/index');
    await expect(shown(admin).locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['数据看板', '消息', '我的']);
    await snap(admin, '32-admin-landing');
    await ctx.close();
  });

  it('lets a visitor without the poster find its community by name and reach the register form', async () => {
    const ctx = await phones.newPhone();
    const visitor = await ctx.newPage();
    watch(visitor, 'visitor', problems);
    await visitor.goto(app.baseUrl);
    await signInThroughUi(visitor, 'dev:e2e_visitor');
    const home = shown(visitor).locator('.home__register');
    await home.waitFor({ timeout: UI_TIMEOUT });
    await expect(shown(visitor).locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['首页', '消息', '我的']);
    await snap(visitor, '35-visitor-landing');
    await home.locator('.btn', { hasText: '查找我的社区' }).click();

    const find = shown(visitor).locator('.find');
    await find.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(find.locator('[data-testid="find-q"]'), '清和');
    const hit = find.locator('.find__item', { hasText: '清和坊社区' });
    await hit.waitFor({ timeout: UI_TIMEOUT });
    await snap(visitor, '33-find-community');
    await hit.click();
    const form = shown(visitor).locator('.register-form');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await expect(form.locator('.register-form__community').textContent()).resolves.toBe('清和坊社区');
    await form.locator('.chip', { hasText: '清和苑' }).waitFor({ timeout: UI_TIMEOUT });

    // Or with the code printed under the poster's QR: back (the title bar's) to 查找社区, type it in.
    await titleBar(visitor).locator('.taro-navigation-bar-back').click();
    const again = shown(visitor).locator('.find');
    await again.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(again.locator('[data-testid="find-code"]'), 'qinghefang');
    await again.locator('.find__go').click();
    const byCode = shown(visitor).locator('.register-form');
    await byCode.waitFor({ timeout: UI_TIMEOUT });
    await expect(byCode.locator('.register-form__community').textContent()).resolves.toBe('清和坊社区');
    expect(decodeURIComponent(visitor.url())).toContain('/pages/register/index?code=qinghefang');
    await ctx.close();
  });

  it('lands a registered member on 首页 with 先锋码 one tap away', async () => {
    const ctx = await phones.newPhone();
    const again = await ctx.newPage();
    watch(again, 'member (new phone)', problems);
    await again.goto(app.baseUrl);
    await signInThroughUi(again, MEMBER.login);
    await shown(again).locator('.home .home__banner-title', { hasText: '清和坊社区' }).waitFor({ timeout: UI_TIMEOUT });
    expect(again.url()).toContain('#/pages/index/index');
    await expect(shown(again).locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['首页', '先锋码', '消息', '我的']);
    await ctx.close();
  });

  it('gives every H5 page a title bar that covers nothing, with back on a page opened from another', async () => {
    await shown(member).locator('.bottom-nav__item', { hasText: '首页' }).click();
    const card = shown(member).locator('.home .task-card', { hasText: POST_TITLE });
    await card.waitFor({ timeout: UI_TIMEOUT });
    // 首页 is the first page: a title, no back.
    await expect(titleBar(member).locator('.taro-navigation-bar-title').textContent()).resolves.toBe('先锋领航·码上到');
    await expect(titleBar(member).locator('.taro-navigation-bar-back').isVisible()).resolves.toBe(false);

    await card.locator('.task-card__title').click();
    const detail = shown(member).locator('.detail');
    await detail.waitFor({ timeout: UI_TIMEOUT });
    await expect(titleBar(member).locator('.taro-navigation-bar-title').textContent()).resolves.toBe('岗位详情');
    // The page starts below the bar: its first card is not under it.
    const bar = await titleBar(member).boundingBox();
    // WeChat's height in screen pixels, not scaled with the 750-wide design.
    expect(bar!.height).toBe(44);
    const first = await detail.locator('.card').first().boundingBox();
    expect(first!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height);
    await snap(member, '36-title-bar');

    await titleBar(member).locator('.taro-navigation-bar-back').click();
    await shown(member).locator('.home .task-card', { hasText: POST_TITLE }).waitFor({ timeout: UI_TIMEOUT });
    await expect(titleBar(member).locator('.taro-navigation-bar-title').textContent()).resolves.toBe('先锋领航·码上到');
  });

  it('shows a 404 page for an unknown page of the app and for an unknown path', async () => {
    const ctx = await phones.newPhone();
    const page = await ctx.newPage();
    await page.goto(`${app.baseUrl}/#/pages/no-such-page/index`);
    await page.locator('[data-testid="not-found"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(page.locator('[data-testid="not-found"]').textContent()).resolves.toContain('页面不存在');
    await snap(page, '34-not-found');
    const res = await page.goto(`${app.baseUrl}/no/such/path`);
    expect(res?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('页面不存在');
    await ctx.close();
  });

  it('puts the member on the waitlist of a full post; another cancels and the member accepts the offer', async () => {
    // Set up over the API: a one-slot post, taken by a demo member.
    const api = async (method: string, url: string, token: string | null, body?: unknown) => {
      const res = await fetch(`${app.baseUrl}/api/v1${url}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const signIn = async (name: string) => (await api('POST', '/auth/wechat', null, { code: `dev:${name}` })).body.token as string;
    const [secretaryToken, holderToken] = await Promise.all([signIn('secretary'), signIn('member1')]);
    const me = await api('GET', '/auth/me', secretaryToken);
    const communityOrgId = me.body.user.roles.find((g: { role: string }) => g.role === 'secretary').orgId;
    const startsAt = Date.now() + 2 * 24 * 3600_000;
    const title = '候补岗位（E2E）';
    const post = await api('POST', '/tasks', secretaryToken, {
      communityOrgId,
      title,
      category: 'care',
      location: '清和坊社区服务站',
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 2 * 3600_000).toISOString(),
      capacity: 1,
    });
    expect(post.status).toBe(201);
    expect((await api('POST', `/tasks/${post.body.task.id}/claims`, holderToken)).status).toBe(201);

    // The member finds it full on 首页 and joins the waitlist there.
    await shown(member).locator('.bottom-nav__item', { hasText: '首页' }).click();
    await member.reload();
    const card = shown(member).locator('.home .task-card', { hasText: title });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.locator('.grab-btn[data-state="can_join"]').click();
    await card.locator('.grab-btn[data-state="waiting"]', { hasText: '候补第 1 位' }).waitFor({ timeout: UI_TIMEOUT });
    await snap(member, '17-waitlisted');

    // Another member cancels: the slot is held for the head of the queue as an offer.
    expect((await api('DELETE', `/tasks/${post.body.task.id}/claims/me`, holderToken)).status).toBe(200);
    await card.click();
    const offer = shown(member).locator('.waitlist[data-state="offered"]');
    await offer.waitFor({ timeout: UI_TIMEOUT });
    await offer.locator('.waitlist__text', { hasText: '剩余' }).waitFor();
    await snap(member, '18-offer');
    await offer.locator('.btn', { hasText: '接受' }).click();
    await shown(member).locator('.detail .grab-btn[data-state="claimed"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(shown(member).locator('.waitlist').count()).resolves.toBe(0);
    await snap(member, '19-offer-accepted');
  });
});
