import type { Page } from 'playwright-core';
import { readQrPng } from '../helpers/qr-decode';
import { cjkFontLoaded, shown, snap, typeInto } from './helpers/browser';
import {
  apiAs,
  back,
  inMinutes,
  landOn,
  mineItem,
  openAs,
  orgOf,
  signIn,
  startWalk,
  tab,
  titleBar,
  UI_TIMEOUT,
  type Walk,
} from './helpers/walk';

/**
 * A member's day on the demo city, through the member's screens only: reporting through the
 * community's QR link (一键报到), the 先锋码, grabbing a post on 首页, the waitlist and a held
 * place, the check-in the secretary made showing on 我的, 我的数据, the message center and a
 * demand (我要点单); a visitor finding its community by name; the title bar and a missing page.
 *
 * Outside the member's day (API): the secretary's posts, another member taking and giving back a
 * place, the secretary's check-in scan.
 */

jest.setTimeout(120_000);
// A city reused while writing the walk (E2E_APP_URL) already knows the member of an earlier run.
const MEMBER = {
  login: process.env.E2E_APP_URL ? `walk_member_${Date.now().toString(36)}` : 'walk_member',
  name: '赵敏行',
  phone: '13912345678',
  workUnit: '市住建局 科员',
};
const POST = '清和苑楼道杂物清理';

let walk: Walk;
let member: Page;
let community = '';

beforeAll(async () => {
  walk = await startWalk();
  process.stdout.write(`e2e: ${walk.phones.binary.source} Chromium at ${walk.phones.binary.executablePath}\n`);
  // `.ci/run` hides the system browser once: that run must really use the one from the npm package.
  if (process.env.E2E_SYSTEM_CHROMIUM === '0' && !process.env.CHROMIUM_PATH) expect(walk.phones.binary.source).toBe('bundled');
  ({ page: member } = await walk.phone('member'));
  community = await orgOf(walk.app.baseUrl, 'dev:secretary', 'secretary');
}, 300_000);

afterAll(async () => walk?.stop(), 60_000);

afterEach(() => {
  expect(walk.problems.splice(0)).toEqual([]);
});

/** The secretary's post (outside the member's day), starting `startsIn` minutes from now. */
async function post(title: string, capacity: number, startsIn: number): Promise<string> {
  const body = await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', '/tasks', {
    communityOrgId: community,
    title,
    category: 'environment',
    description: '清理楼道堆放的杂物，消除消防隐患。',
    location: '清和苑 5 幢',
    startsAt: inMinutes(startsIn),
    endsAt: inMinutes(startsIn + 120),
    capacity,
  });
  return body.task.id as string;
}

describe('报到: from the community QR link to the 先锋码', () => {
  it('sends a new member from the community QR link through sign-in to the register page', async () => {
    await member.goto(`${walk.app.baseUrl}/r/qinghefang`);
    // No session yet: the H5 app asks for the development sign-in and keeps the register code.
    await member.locator('#app .login').waitFor({ timeout: UI_TIMEOUT });
    expect(decodeURIComponent(member.url())).toContain('/pages/register/index?code=qinghefang');
    // Chinese is drawn with the CJK font from the npm package, whichever Chromium runs.
    await expect(cjkFontLoaded(member, '登录')).resolves.toBe(true);
    // Its title bar offers no home: home would lead straight back to signing in.
    await expect(titleBar(member).locator('.taro-navigation-bar-title').textContent()).resolves.toBe('登录');
    await expect(titleBar(member).locator('.taro-navigation-bar-home').isVisible()).resolves.toBe(false);
    await snap(member, '01-login');

    await signIn(member, MEMBER.login);
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
    // What is typed is drawn in the page's font (a native field's own is the system UI font).
    const fonts = await form
      .locator('[data-testid="input-workUnit"] input')
      .evaluate((input) => [getComputedStyle(input).fontFamily, getComputedStyle(document.body).fontFamily]);
    expect(fonts[0]).toBe(fonts[1]);
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
    const token = ((await code.locator('[data-testid="pcode-token"]').textContent()) ?? '').trim();
    // The compact code: at most 48 characters.
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,48}$/);
    // What Chromium painted decodes (independently, with jsQR) to the code's link: a version ≤ 5 QR.
    const painted = readQrPng(await code.locator('.pcode__img img').screenshot());
    expect(painted?.data).toBe(`${walk.app.baseUrl}/c/${token}`);
    expect(painted?.version).toBeLessThanOrEqual(5);
    await snap(member, '04-pioneer-code');
  });
});

describe('服务: grab, waitlist, the held place, the check-in', () => {
  it('grabs a post on 首页: 抢 turns into 已抢到 and the places left follow', async () => {
    await post(POST, 3, 24 * 60);
    await tab(member, '首页');
    await member.reload();
    const card = shown(member).locator('.home .task-card', { hasText: POST });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await expect(shown(member).locator('.home__banner-title').textContent()).resolves.toBe('清和坊社区');
    const grab = card.locator('.grab-btn');
    await card.locator('.grab-btn[data-state="open"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(grab.textContent()).resolves.toBe('抢');
    await card.scrollIntoViewIfNeeded();
    await snap(member, '07-home');

    await grab.click();
    await card.locator('.grab-btn[data-state="claimed"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(grab.textContent()).resolves.toBe('已抢到');
    await card.filter({ hasText: /剩余\s*2\s*\/\s*3\s*名额/ }).waitFor({ timeout: UI_TIMEOUT });
    await snap(member, '08-home-grabbed');
  });

  it('joins the waitlist of a full post; when a place is given back it accepts the offer held for it', async () => {
    const title = '社区助老陪诊';
    const id = await post(title, 1, 2 * 24 * 60);
    await apiAs(walk.app.baseUrl, 'dev:member1', 'POST', `/tasks/${id}/claims`);

    await member.reload();
    const card = shown(member).locator('.home .task-card', { hasText: title });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.locator('.grab-btn[data-state="can_join"]').click();
    await card.locator('.grab-btn[data-state="waiting"]', { hasText: '候补第 1 位' }).waitFor({ timeout: UI_TIMEOUT });
    await card.scrollIntoViewIfNeeded();
    await snap(member, '17-waitlisted');

    // Another member gives the place back: it is held for the head of the queue.
    await apiAs(walk.app.baseUrl, 'dev:member1', 'DELETE', `/tasks/${id}/claims/me`);
    await card.click();
    const offer = shown(member).locator('.waitlist[data-state="offered"]');
    await offer.waitFor({ timeout: UI_TIMEOUT });
    await offer.locator('.waitlist__text', { hasText: '剩余' }).waitFor();
    await snap(member, '18-offer');
    await offer.locator('.btn', { hasText: '接受' }).click();
    await shown(member).locator('.detail .grab-btn[data-state="claimed"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(shown(member).locator('.waitlist').count()).resolves.toBe(0);
    await snap(member, '19-offer-accepted');
    await back(member);
  });

  it('shows on 我的 the check-in the secretary made by scanning its 先锋码', async () => {
    const title = '今日楼道清扫';
    const id = await post(title, 2, 10);
    await tab(member, '首页');
    const card = shown(member).locator('.home .task-card', { hasText: title });
    await member.reload();
    await card.locator('.grab-btn[data-state="open"]').click({ timeout: UI_TIMEOUT });
    await card.locator('.grab-btn[data-state="claimed"]').waitFor({ timeout: UI_TIMEOUT });

    // The member shows its code; the secretary (outside this walk) scans it on site.
    await tab(member, '先锋码');
    const fresh = shown(member).locator('[data-testid="pcode-token"]');
    await fresh.waitFor({ timeout: UI_TIMEOUT });
    const token = ((await fresh.textContent()) ?? '').trim();
    await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', `/tasks/${id}/check-ins`, { token });

    await tab(member, '我的');
    const record = shown(member).locator('.mine__record', { hasText: title });
    await record.waitFor({ timeout: UI_TIMEOUT });
    await expect(record.locator('.mine__status').textContent()).resolves.toBe('已签到');
    await record.click();
    await shown(member).locator('.detail', { hasText: '已签到' }).waitFor({ timeout: UI_TIMEOUT });
    await back(member);
  });
});

describe('我的: data, messages, a demand', () => {
  it('reads its own data (我的数据) with the phone in full and the consent it gave', async () => {
    await shown(member).locator('.mine').waitFor({ timeout: UI_TIMEOUT });
    await mineItem(member, '我的数据与注销');
    const page = shown(member).locator('.my-data');
    await page.locator('.card-title', { hasText: '个人信息' }).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('.my-data__kv', { hasText: MEMBER.name }).waitFor();
    await page.locator('.card-title', { hasText: '授权记录' }).waitFor();
    await back(member);
  });

  it('opens the message center from the 消息 tab', async () => {
    await tab(member, '消息');
    const page = shown(member).locator('.messages');
    await page.waitFor({ timeout: UI_TIMEOUT });
    // The offer it accepted was announced to it.
    await page.locator('.messages__title').first().waitFor({ timeout: UI_TIMEOUT });
    await tab(member, '我的');
  });

  it('tells its community what it needs (我要点单) and finds it under 我的点单', async () => {
    await shown(member).locator('.mine').waitFor({ timeout: UI_TIMEOUT });
    await mineItem(member, '我要点单');
    const form = shown(member).locator('.demand-new');
    await form.locator('.org-picker__value', { hasText: '清和坊社区' }).waitFor({ timeout: UI_TIMEOUT });
    await form.locator('.chip', { hasText: '便民服务' }).click();
    await form.locator('textarea').fill('单元门口路灯坏了一周，晚上老人出入不便。');
    await form.locator('.btn', { hasText: '提交点单' }).click();
    const mine = shown(member).locator('.my-demands');
    await mine.locator('.my-demands__text', { hasText: '单元门口路灯坏了一周' }).waitFor({ timeout: UI_TIMEOUT });
    await back(member);
    await shown(member).locator('.mine').waitFor({ timeout: UI_TIMEOUT });
  });

  it('reads what its community’s 协调会 decided and how far each action is (社区议事进展), naming no one', async () => {
    await mineItem(member, '社区议事进展');
    const page = shown(member).locator('.progress');
    const meeting = page.locator('.card', { hasText: '世茂商圈停车难现场协调会' });
    await meeting.waitFor({ timeout: UI_TIMEOUT });
    await meeting.locator('.progress__decision', { hasText: '住建局牵头挖潜夜间共享停车位' }).waitFor();
    await meeting.locator('.progress__action', { hasText: '挖潜夜间共享停车位 300 个' }).waitFor();
    // The demo's overdue action reads as 已超期, not as its status.
    await meeting
      .locator('.progress__action', { hasText: '节假日交通疏导方案' })
      .locator('.progress__late', { hasText: '已超期' })
      .waitFor();
    const text = await page.innerText();
    for (const name of ['张伟', '李娜', '王强', '刘洋', '陈静', MEMBER.name]) expect(text).not.toContain(name);
    await back(member);
    await shown(member).locator('.mine').waitFor({ timeout: UI_TIMEOUT });
  });
});

describe('finding the way: a visitor, a new phone, the title bar, a missing page', () => {
  it('lets a visitor without the poster find its community by name and reach the register form', async () => {
    const { ctx, page: visitor } = await walk.phone('visitor');
    await openAs(visitor, walk.app.baseUrl, 'dev:walk_visitor');
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

    // Or with the code printed under the poster's QR: back to 查找社区, type it in.
    await back(visitor);
    const again = shown(visitor).locator('.find');
    await again.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(again.locator('[data-testid="find-code"]'), 'qinghefang');
    await again.locator('.find__go').click();
    const byCode = shown(visitor).locator('.register-form');
    await byCode.waitFor({ timeout: UI_TIMEOUT });
    await expect(byCode.locator('.register-form__community').textContent()).resolves.toBe('清和坊社区');
    await ctx.close();
  });

  it('lands the registered member on 首页 on a new phone, with 先锋码 one tap away', async () => {
    const { ctx, page } = await walk.phone('member (new phone)');
    await openAs(page, walk.app.baseUrl, MEMBER.login);
    await shown(page).locator('.home .home__banner-title', { hasText: '清和坊社区' }).waitFor({ timeout: UI_TIMEOUT });
    expect(page.url()).toContain('#/pages/index/index');
    await expect(shown(page).locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['首页', '先锋码', '消息', '我的']);
    await ctx.close();
  });

  it('退出登录 on 我的 ends the session on the server: the token this browser held opens nothing', async () => {
    // Another person on another phone: the walk's member keeps her sessions.
    const { ctx, page } = await walk.phone('visitor logging out');
    await openAs(page, walk.app.baseUrl, 'walk_logout', '/pages/mine/index');
    const logout = shown(page).locator('.btn', { hasText: '退出登录' });
    await logout.waitFor({ timeout: UI_TIMEOUT });
    // Taro keeps storage as JSON ({ data } in H5).
    const token = await page.evaluate(() => {
      const raw = localStorage.getItem('pc.token');
      const value: unknown = raw ? JSON.parse(raw) : null;
      return typeof value === 'string' ? value : (value as { data?: string } | null)?.data;
    });
    expect(typeof token).toBe('string');
    const me = async () => (await fetch(`${walk.app.baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await me()).toBe(200);
    await logout.click();
    await page.locator('#app .login').waitFor({ timeout: UI_TIMEOUT });
    expect(await me()).toBe(401);
    await ctx.close();
  });

  it('gives every page a title bar that covers nothing, with back on a page opened from another', async () => {
    await tab(member, '首页');
    const card = shown(member).locator('.home .task-card', { hasText: POST });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await expect(titleBar(member).locator('.taro-navigation-bar-title').textContent()).resolves.toBe('先锋领航·码上到');
    await expect(titleBar(member).locator('.taro-navigation-bar-back').isVisible()).resolves.toBe(false);

    await card.locator('.task-card__title').click();
    const detail = shown(member).locator('.detail');
    await detail.waitFor({ timeout: UI_TIMEOUT });
    await expect(titleBar(member).locator('.taro-navigation-bar-title').textContent()).resolves.toBe('岗位详情');
    const bar = await titleBar(member).boundingBox();
    // WeChat's height in screen pixels, not scaled with the 750-wide design.
    expect(bar!.height).toBe(44);
    const first = await detail.locator('.card').first().boundingBox();
    expect(first!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height);
    await snap(member, '36-title-bar');
    await back(member);
    await shown(member).locator('.home .task-card', { hasText: POST }).waitFor({ timeout: UI_TIMEOUT });
  });

  it('shows a 404 page for an unknown page of the app and for an unknown path', async () => {
    // Not watched for 404s: they are what this step asks for.
    const ctx = await walk.phones.newPhone();
    const page = await ctx.newPage();
    await page.goto(`${walk.app.baseUrl}/#/pages/no-such-page/index`);
    await page.locator('[data-testid="not-found"]').waitFor({ timeout: UI_TIMEOUT });
    await expect(page.locator('[data-testid="not-found"]').textContent()).resolves.toContain('页面不存在');
    await snap(page, '34-not-found');
    const res = await page.goto(`${walk.app.baseUrl}/no/such/path`);
    expect(res?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('页面不存在');
    await ctx.close();
  });
});

describe('a post’s contact', () => {
  it('reads the post’s contact person on its page; tapping the number hands it to the phone’s dialer', async () => {
    const title = '社区义诊协助';
    // Outside the member's day: the secretary's post names who to call.
    await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', '/tasks', {
      communityOrgId: community,
      title,
      category: 'medical',
      description: '协助医生维持义诊秩序。',
      location: '清和坊社区党群服务中心',
      startsAt: inMinutes(3 * 24 * 60),
      endsAt: inMinutes(3 * 24 * 60 + 120),
      capacity: 4,
      contactName: '王书记',
      contactPhone: '0512-52345678',
    });
    await landOn(member, `${walk.app.baseUrl}/#/pages/index/index`);
    const card = shown(member).locator('.home .task-card', { hasText: title });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.click();
    const detail = shown(member).locator('.detail');
    const line = detail.locator('.detail__line', { hasText: '联系人：王书记' });
    await line.waitFor({ timeout: UI_TIMEOUT });
    const phone = line.locator('.detail__phone');
    await expect(phone.textContent()).resolves.toBe('0512-52345678');
    await snap(member, '42-post-contact');

    // H5 hands a tel: link to the system (its dialer), the digits without the dash.
    const dialed = member.waitForEvent('request', { predicate: (req) => req.url().startsWith('tel:'), timeout: UI_TIMEOUT });
    await phone.click();
    expect((await dialed).url()).toBe('tel:051252345678');
    // Last in the walk: a browser without a dialer is left mid-navigation by it.
    await landOn(member, `${walk.app.baseUrl}/#/pages/index/index`);
  });
});
