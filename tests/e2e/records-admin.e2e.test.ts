import type { BrowserContext, Page } from 'playwright-core';
import { startApp, type RunningApp } from './helpers/app-process';
import { launchBrowser, shown, snap, typeInto, type E2eBrowser } from './helpers/browser';
import { UI_TIMEOUT, apiAs, backTo, demoIds, insertEndedPost, signIn, watch } from './helpers/records';

/**
 * 服务记录, the other ways through the screens, in real Chromium against `npm start` with the demo
 * data: member 李娜 asks to 补录 a post she never claimed and the 清和坊社区 secretary 驳回s it with a
 * note (she reads 已驳回 and the note); member 张伟 gets a 志愿服务记录证明, asks a correction of a record
 * it holds, the secretary approves it and the certificate is 已作废 in 我的证明 and on its `/v/<no>` page;
 * the city admin changes the points rules and star thresholds on 积分规则 and reads them back.
 */

jest.setTimeout(90_000);
const RECORDED = '社区助老理发（E2E 证明）';
const UNCLAIMED = '楼道清扫（E2E 补录）';
const MEMBER1 = '张伟';
const MEMBER2 = '李娜';

let app: RunningApp;
let phones: E2eBrowser;
const contexts: BrowserContext[] = [];
let secretary: Page;
let member1: Page;
let member2: Page;
let admin: Page;
let certificateNo = '';
const problems: string[] = [];

async function phone(who: string): Promise<Page> {
  const ctx = await phones.newPhone();
  contexts.push(ctx);
  const page = await ctx.newPage();
  watch(page, who, problems);
  return page;
}

/** 我的 → 服务记录与证明 (我的服务). */
async function openService(page: Page) {
  await shown(page).locator('.bottom-nav__item', { hasText: '我的' }).click();
  await shown(page).locator('[data-testid="mine-service"]').click();
  await shown(page).locator('.service').waitFor({ timeout: UI_TIMEOUT });
}

beforeAll(async () => {
  const [started, launched] = await Promise.allSettled([startApp(), launchBrowser()]);
  if (started.status === 'fulfilled') app = started.value;
  if (launched.status === 'fulfilled') phones = launched.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
  // Set-up by SQL and API (the walk of 补记 itself is records.e2e): 张伟 served yesterday's post and the
  // secretary recorded it; 李娜 holds no claim on a second post of yesterday.
  const ids = await demoIds(app, ['dev:member1', 'dev:member2']);
  const recorded = await insertEndedPost(app, {
    title: RECORDED,
    community: ids.community,
    createdBy: ids.secretaryUserId,
    memberIds: [ids.memberIds[0]],
  });
  await insertEndedPost(app, { title: UNCLAIMED, community: ids.community, createdBy: ids.secretaryUserId, memberIds: [], hourOffset: 4 });
  await apiAs(app, 'dev:secretary', `/tasks/${recorded}/records`, { method: 'POST', body: { memberIds: [ids.memberIds[0]] } });
  secretary = await phone('secretary');
  member1 = await phone('member1');
  member2 = await phone('member2');
  admin = await phone('admin');
}, 240_000);

afterAll(async () => {
  await phones?.close();
  await app?.stop();
}, 60_000);

afterEach(() => {
  const seen = problems.splice(0);
  expect(seen).toEqual([]);
});

describe('H5 in Chromium: 补录 驳回, a certificate revoked by a correction, 积分规则', () => {
  it('member 李娜 asks to 补录 a post of her community she never claimed', async () => {
    await member2.goto(`${app.baseUrl}/`);
    await signIn(member2, 'member2');
    await openService(member2);
    await shown(member2).locator('[data-testid="service-supplement"]').click();
    const form = shown(member2).locator('.correction-new');
    const post = form.locator('[data-testid="supplement-post"]', { hasText: UNCLAIMED });
    await post.waitFor({ timeout: UI_TIMEOUT });
    await post.click();
    await typeInto(form.locator('.correction-new__reason'), '当天和楼长一起清扫了楼道，没有报名');
    await snap(member2, 'records-admin-01-supplement');
    await form.locator('[data-testid="correction-submit"]').click();
    const mine = shown(member2).locator('.service [data-testid="my-correction"]', { hasText: UNCLAIMED });
    await mine.waitFor({ timeout: UI_TIMEOUT });
    await expect(mine.textContent()).resolves.toContain('补录');
    await expect(mine.locator('.service__state').textContent()).resolves.toBe('待审核');
  });

  it('the secretary 驳回s it from 更正审核 with a note', async () => {
    await secretary.goto(`${app.baseUrl}/`);
    await signIn(secretary, 'secretary');
    await shown(secretary).locator('.manage__action', { hasText: '更正审核' }).click();
    const item = shown(secretary).locator('[data-testid="correction"]', { hasText: MEMBER2 });
    await item.waitFor({ timeout: UI_TIMEOUT });
    await expect(item.textContent()).resolves.toContain(UNCLAIMED);
    await typeInto(item.locator('.corrections__note'), '当天签到表上没有您的名字，请联系楼长核实');
    await item.locator('[data-testid="correction-reject"]').click();
    await item.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await shown(secretary).locator('.chip', { hasText: '已驳回' }).click();
    await shown(secretary).locator('[data-testid="correction"]', { hasText: MEMBER2 }).waitFor({ timeout: UI_TIMEOUT });
    await snap(secretary, 'records-admin-02-rejected');
  });

  it('李娜 sees 已驳回 and the secretary’s note; no record was added', async () => {
    await member2.reload();
    const service = shown(member2).locator('.service');
    const mine = service.locator('[data-testid="my-correction"]', { hasText: UNCLAIMED });
    await mine.locator('.service__state', { hasText: '已驳回' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(mine.textContent()).resolves.toContain('书记意见：当天签到表上没有您的名字');
    await expect(service.locator('[data-testid="service-record"]', { hasText: UNCLAIMED }).count()).resolves.toBe(0);
  });

  it('member 张伟 gets a 志愿服务记录证明 of the recorded post', async () => {
    await member1.goto(`${app.baseUrl}/`);
    await signIn(member1, 'member1');
    await openService(member1);
    await shown(member1).locator('.service__link', { hasText: '我的证明' }).click();
    const page = shown(member1).locator('.certificates');
    await page.locator('[data-testid="certificate-request"]').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-testid="certificate-request"]').click();
    const cert = page.locator('[data-testid="certificate"]').first();
    await cert.waitFor({ timeout: UI_TIMEOUT });
    await expect(cert.locator('.certificates__state').textContent()).resolves.toBe('有效');
    certificateNo = ((await cert.locator('.certificates__no').textContent()) ?? '').trim();
    expect(certificateNo).not.toBe('');
  });

  it('张伟 asks a correction of that record and the secretary approves it', async () => {
    await backTo(member1, () => shown(member1).locator('.service__links'));
    const record = shown(member1).locator('.service [data-testid="service-record"]', { hasText: RECORDED });
    await record.waitFor({ timeout: UI_TIMEOUT });
    await record.locator('.accent', { hasText: '申请更正' }).click();
    const form = shown(member1).locator('.correction-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.correction-new__reason'), '服务结束后又陪老人聊了半小时');
    await form.locator('[data-testid="correction-submit"]').click();
    await shown(member1).locator('.service [data-testid="my-correction"]', { hasText: RECORDED }).waitFor({ timeout: UI_TIMEOUT });

    await secretary.reload();
    await shown(secretary).locator('.chip', { hasText: '待审核' }).click();
    const item = shown(secretary).locator('[data-testid="correction"]', { hasText: MEMBER1 });
    await item.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(item.locator('.corrections__minutes'), '150');
    await item.locator('[data-testid="correction-approve"]').click();
    await item.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
  });

  it('the certificate is 已作废 in 我的证明 and on its /v/<no> page', async () => {
    await shown(member1).locator('.service__link', { hasText: '我的证明' }).click();
    const cert = shown(member1).locator('.certificates [data-testid="certificate"]', { hasText: certificateNo });
    await cert.locator('.certificates__state', { hasText: '已作废' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(cert.locator('.certificates__revoked').textContent()).resolves.toContain('记录已更正，此证明已作废');
    await snap(member1, 'records-admin-03-revoked');
    const scanned = await phone('scanned');
    await scanned.goto(`${app.baseUrl}/v/${encodeURIComponent(certificateNo)}`);
    await expect(scanned.locator('.bad').textContent()).resolves.toContain('本证明已作废（服务记录已更正）');
    await expect(scanned.locator('.ok').count()).resolves.toBe(0);
  });

  it('the city admin changes 积分规则 and the star thresholds, and reads them back', async () => {
    await admin.goto(`${app.baseUrl}/`);
    await signIn(admin, 'admin');
    await shown(admin).locator('[data-testid="staff-tools"] .staff-tools__item', { hasText: '积分规则' }).click();
    const rules = shown(admin).locator('.rules');
    await rules.locator('.rules__per-hour').waitFor({ timeout: UI_TIMEOUT });
    await typeInto(rules.locator('.rules__per-hour'), '12');
    await typeInto(rules.locator('.rules__expiry'), '24');
    const thresholds = ['2', '50', '200', '500', '1000'];
    for (const [i, h] of thresholds.entries()) await typeInto(rules.locator('.rules__threshold').nth(i), h);
    const saved = admin.waitForResponse((res) => res.url().endsWith('/api/v1/points/rules') && res.request().method() === 'PUT', {
      timeout: UI_TIMEOUT,
    });
    await rules.locator('[data-testid="rules-save"]').click();
    expect((await saved).status()).toBe(200);
    await expect(rules.locator('.rules__error').count()).resolves.toBe(0);
    await snap(admin, 'records-admin-04-points-rules');

    await admin.reload();
    const again = shown(admin).locator('.rules');
    await again.locator('.rules__per-hour input').waitFor({ timeout: UI_TIMEOUT });
    await expect(again.locator('.rules__per-hour input').inputValue()).resolves.toBe('12');
    await expect(again.locator('.rules__expiry input').inputValue()).resolves.toBe('24');
    const read = await again.locator('.rules__threshold input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(read).toEqual(thresholds);
  });

  it('张伟’s 我的服务 reads his star by the new thresholds (2小时30分 → 一星)', async () => {
    await backTo(member1, () => shown(member1).locator('.service__links'));
    await member1.reload();
    const service = shown(member1).locator('.service');
    await service.locator('[data-testid="service-hours"]', { hasText: '2小时30分' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(service.locator('.service__level').textContent()).resolves.toBe('一星');
  });
});
