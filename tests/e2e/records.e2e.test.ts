import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { maskName } from '@pioneer/shared';
import { startApp, type RunningApp } from './helpers/app-process';
import { launchBrowser, shown, snap, typeInto, type E2eBrowser } from './helpers/browser';
import { UI_TIMEOUT, answerModal, backTo, demoIds, insertEndedPost, signIn, watch } from './helpers/records';

/**
 * 服务记录 in real Chromium against `npm start` with the demo data: the 清和坊社区 secretary 补记s two
 * members on a post that ended yesterday and sets up the certificate (seal upload); member 张伟 asks
 * for a correction, the secretary approves it with other minutes, the member reads the record's
 * history, asks for a 志愿服务记录证明 and opens its PDF; the secretary lists a reward and redeems it
 * by the member's pasted 先锋码 on 扫码核验.
 */

jest.setTimeout(90_000);
const POST = '社区助老理发（E2E 记录）';
const REWARD = '环保购物袋（E2E）';
const MEMBER1 = '张伟';
const MEMBER2 = '李娜';

let app: RunningApp;
let phones: E2eBrowser;
let secretaryCtx: BrowserContext;
let memberCtx: BrowserContext;
let secretary: Page;
let member: Page;
const problems: string[] = [];

/**
 * The demo's 清和坊社区 posts all lie ahead; records need one that ended: yesterday 09:00–11:00
 * (Beijing), claimed by 张伟 and 李娜, who were there but never scanned.
 */
async function seedPastPost() {
  const ids = await demoIds(app, ['dev:member1', 'dev:member2']);
  await insertEndedPost(app, { title: POST, community: ids.community, createdBy: ids.secretaryUserId, memberIds: ids.memberIds });
}

/** A small red seal, a real PNG. */
function sealPng(): Buffer {
  const png = new PNG({ width: 64, height: 64 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([200, 22, 29, (i / 4) % 64 < 32 ? 255 : 0], i);
  return PNG.sync.write(png);
}

beforeAll(async () => {
  const [started, launched] = await Promise.allSettled([startApp(), launchBrowser()]);
  if (started.status === 'fulfilled') app = started.value;
  if (launched.status === 'fulfilled') phones = launched.value;
  if (started.status === 'rejected') throw started.reason;
  if (launched.status === 'rejected') throw launched.reason;
  await seedPastPost();
  secretaryCtx = await phones.newPhone();
  memberCtx = await phones.newPhone();
  secretary = await secretaryCtx.newPage();
  member = await memberCtx.newPage();
  watch(secretary, 'secretary', problems);
  watch(member, 'member', problems);
}, 240_000);

afterAll(async () => {
  await phones?.close();
  await app?.stop();
}, 60_000);

afterEach(() => {
  const seen = problems.splice(0);
  expect(seen).toEqual([]);
});

describe('H5 in Chromium: 补记 → 申请更正 → 审核 → 修改历史 → 证明 → 兑换', () => {
  it('the secretary 补记s both members at once from the ended post’s claim list', async () => {
    await secretary.goto(`${app.baseUrl}/`);
    await signIn(secretary, 'secretary');
    const card = shown(secretary).locator('.manage .task-card', { hasText: POST });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.click();
    const panel = shown(secretary).locator('[data-testid="record-panel"]');
    await panel.waitFor({ timeout: UI_TIMEOUT });
    await panel.locator('[data-testid="record-pick"]', { hasText: MEMBER1 }).click();
    await panel.locator('[data-testid="record-pick"]', { hasText: MEMBER2 }).click();
    await expect(panel.locator('[data-testid="record-submit"]').textContent()).resolves.toBe('补记（2 人）');
    await snap(secretary, 'records-01-record-panel');
    await panel.locator('[data-testid="record-submit"]').click();
    await answerModal(secretary, '确认补记');
    // Recorded members leave the panel (and it goes once nobody is left); the list says 已完成.
    await panel.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await shown(secretary).locator('.claimants__row', { hasText: MEMBER1 }).locator('.claimants__status', { hasText: '已完成' }).waitFor();
  });

  it('the secretary sets 负责人, 经办人 and uploads the community seal', async () => {
    await backTo(secretary, () => shown(secretary).locator('.manage__actions'));
    await shown(secretary).locator('.manage__action', { hasText: '证明设置' }).click();
    const page = shown(secretary).locator('.cert-settings');
    await page.locator('.cert-settings__leader').waitFor({ timeout: UI_TIMEOUT });
    await typeInto(page.locator('.cert-settings__leader'), '王建国');
    await typeInto(page.locator('.cert-settings__handler'), '陈静');
    const chooser = secretary.waitForEvent('filechooser');
    await page.locator('[data-testid="seal-choose"]').click();
    await (await chooser).setFiles({ name: 'seal.png', mimeType: 'image/png', buffer: sealPng() });
    await page.locator('[data-testid="seal-state"]', { hasText: '新印章待保存' }).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-testid="settings-save"]').click();
    await page.locator('[data-testid="seal-state"]', { hasText: '已设置印章' }).waitFor({ timeout: UI_TIMEOUT });
    await snap(secretary, 'records-02-certificate-settings');
  });

  it('the member sees the record in 我的服务 (hours, star) and asks for a correction with a reason', async () => {
    await member.goto(`${app.baseUrl}/`);
    await signIn(member, 'member1');
    await shown(member).locator('.bottom-nav__item', { hasText: '我的' }).click();
    await shown(member).locator('[data-testid="mine-service"]').click();
    const service = shown(member).locator('.service');
    const record = service.locator('[data-testid="service-record"]', { hasText: POST });
    await record.waitFor({ timeout: UI_TIMEOUT });
    await expect(record.locator('.service__minutes').textContent()).resolves.toBe('2小时');
    await expect(record.locator('.tag').first().textContent()).resolves.toBe('书记补记');
    await expect(service.locator('[data-testid="service-hours"]').textContent()).resolves.toBe('2小时');
    await expect(service.locator('.service__level').textContent()).resolves.toBe('未定级');
    await snap(member, 'records-03-service');

    await record.locator('.accent', { hasText: '申请更正' }).click();
    const form = shown(member).locator('.correction-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.correction-new__reason'), '理发结束后又帮老人收拾了半小时，签退晚了');
    await form.locator('[data-testid="correction-submit"]').click();
    const mine = shown(member).locator('.service [data-testid="my-correction"]', { hasText: POST });
    await mine.waitFor({ timeout: UI_TIMEOUT });
    await expect(mine.locator('.service__state').textContent()).resolves.toBe('待审核');
  });

  it('the secretary approves it from 更正审核 with other minutes', async () => {
    await backTo(secretary, () => shown(secretary).locator('.manage__actions'));
    await shown(secretary).locator('.manage__action', { hasText: '更正审核' }).click();
    const item = shown(secretary).locator('[data-testid="correction"]', { hasText: MEMBER1 });
    await item.waitFor({ timeout: UI_TIMEOUT });
    await expect(item.textContent()).resolves.toContain('理发结束后又帮老人收拾了半小时');
    await typeInto(item.locator('.corrections__minutes'), '150');
    await typeInto(item.locator('.corrections__note'), '经核实，按 150 分钟记录');
    await snap(secretary, 'records-04-corrections');
    await item.locator('[data-testid="correction-approve"]').click();
    await item.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
    await shown(secretary).locator('.chip', { hasText: '已通过' }).click();
    await shown(secretary).locator('[data-testid="correction"]', { hasText: MEMBER1 }).waitFor({ timeout: UI_TIMEOUT });
  });

  it('the member reads the amended record and its history: who, when, why, before and after', async () => {
    await member.reload();
    const service = shown(member).locator('.service');
    const record = service.locator('[data-testid="service-record"]', { hasText: POST });
    await record.locator('.service__minutes', { hasText: '2小时30分' }).waitFor({ timeout: UI_TIMEOUT });
    await record.locator('.tag', { hasText: '已更正' }).waitFor();
    await service.locator('[data-testid="my-correction"]', { hasText: '已通过' }).waitFor();
    await record.locator('.accent', { hasText: '修改历史' }).click();
    const history = shown(member).locator('.record');
    const amendments = history.locator('[data-testid="amendment"]');
    await amendments.first().waitFor({ timeout: UI_TIMEOUT });
    const texts = await amendments.allTextContents();
    expect(texts).toEqual([expect.stringContaining('书记补记'), expect.stringContaining('更正')]);
    expect(texts[1]).toContain('理发结束后又帮老人收拾了半小时');
    expect(texts[1]).toContain('修改前');
    expect(texts[1]).toContain('2小时30分');
    await snap(member, 'records-05-history');
  });

  it('the member asks for a 志愿服务记录证明 and opens its PDF', async () => {
    await backTo(member, () => shown(member).locator('.service__links'));
    await shown(member).locator('.service__link', { hasText: '我的证明' }).click();
    const page = shown(member).locator('.certificates');
    await page.locator('[data-testid="certificate-request"]').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('[data-testid="certificate-request"]').click();
    const cert = page.locator('[data-testid="certificate"]').first();
    await cert.waitFor({ timeout: UI_TIMEOUT });
    await expect(cert.locator('.certificates__state').textContent()).resolves.toBe('有效');
    await expect(cert.textContent()).resolves.toContain('共 2小时30分');
    await snap(member, 'records-06-certificates');
    const download = member.waitForEvent('download');
    await cert.locator('.certificates__open').click();
    const file = await (await download).path();
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('the secretary lists a reward and redeems it by the member’s pasted 先锋码 on 扫码核验', async () => {
    await backTo(secretary, () => shown(secretary).locator('.manage__actions'));
    await shown(secretary).locator('.manage__action', { hasText: '爱心超市' }).click();
    const rewards = shown(secretary).locator('.rewards');
    await rewards.locator('.rewards__name').waitFor({ timeout: UI_TIMEOUT });
    await typeInto(rewards.locator('.rewards__name'), REWARD);
    await typeInto(rewards.locator('.rewards__cost'), '20');
    await typeInto(rewards.locator('.rewards__stock'), '2');
    await rewards.locator('[data-testid="reward-create"]').click();
    await rewards.locator('[data-testid="reward-row"]', { hasText: REWARD }).waitFor({ timeout: UI_TIMEOUT });
    await rewards.locator('[data-testid="rewards-scan"]').click();

    // The member goes back to 我的 and shows a fresh 先锋码 (codes live 60 s).
    await backTo(member, () => shown(member).locator('.service__links'));
    await backTo(member, () => shown(member).locator('.bottom-nav__item', { hasText: '先锋码' }));
    await shown(member).locator('.bottom-nav__item', { hasText: '先锋码' }).click();
    const tokenText = shown(member).locator('[data-testid="pcode-token"]');
    await tokenText.waitFor({ timeout: UI_TIMEOUT });
    const token = ((await tokenText.textContent()) ?? '').trim();

    const verify = shown(secretary).locator('.verify');
    await verify.locator('[data-testid="verify-input"]').waitFor({ timeout: UI_TIMEOUT });
    await typeInto(verify.locator('[data-testid="verify-input"]'), token);
    await verify.locator('.verify__btn', { hasText: '核验' }).click();
    const offer = verify.locator('[data-testid="redeem-reward"]', { hasText: REWARD });
    await offer.waitFor({ timeout: UI_TIMEOUT });
    await snap(secretary, 'records-07-redeem');
    await offer.click();
    await answerModal(secretary, '确认兑换');
    await verify
      .locator('[data-testid="verify-notice"]', { hasText: `已为 ${MEMBER1} 兑换「${REWARD}」，剩余积分 5` })
      .waitFor({ timeout: UI_TIMEOUT });
    await offer.locator('.muted', { hasText: '库存 1' }).waitFor();

    // Back on 爱心超市: the ledger says who took what (the name masked), the stock has moved.
    await backTo(secretary, () => shown(secretary).locator('.rewards [data-testid="redemption-row"]', { hasText: REWARD }));
    const ledger = shown(secretary).locator('.rewards [data-testid="redemption-row"]', { hasText: REWARD });
    await expect(ledger.textContent()).resolves.toContain(`${maskName(MEMBER1)} · ${REWARD}-20 积分`);
    await expect(ledger.textContent()).resolves.not.toContain(MEMBER1);
    await secretary.waitForFunction(
      (name) =>
        [...document.querySelectorAll('[data-testid="reward-row"]')].some(
          (row) => row.textContent?.includes(name) && row.querySelector<HTMLInputElement>('.rewards__stock-input input')?.value === '1',
        ),
      REWARD,
      { timeout: UI_TIMEOUT },
    );
    await snap(secretary, 'records-07b-ledger');
  });

  it('the member’s 积分 shows the redemption and the balance left', async () => {
    await shown(member).locator('.bottom-nav__item', { hasText: '我的' }).click();
    await shown(member).locator('.mine__menu-item', { hasText: '积分与爱心超市' }).click();
    const points = shown(member).locator('.points');
    await expect(points.locator('[data-testid="points-balance"]').textContent({ timeout: UI_TIMEOUT })).resolves.toBe('5');
    await points.locator('[data-testid="redemption"]', { hasText: REWARD }).waitFor();
    await points.locator('[data-testid="reward"]', { hasText: REWARD }).waitFor();
    await expect(points.locator('[data-testid="points-entry"]').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('-20'), expect.stringContaining('+25')]),
    );
    await snap(member, 'records-08-points');
  });
});
