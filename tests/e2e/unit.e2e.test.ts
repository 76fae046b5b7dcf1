import type { Page } from 'playwright-core';
import { shown, snap } from './helpers/browser';
import { apiAs, inMinutes, mineItem, openAs, orgOf, startWalk, tab, UI_TIMEOUT, type Walk, landOn } from './helpers/walk';

/**
 * The 市住建局 unit admin's day (dev:unit) on the demo city, through its screens only: its 吹哨
 * tab with the whistles addressed to its unit, the 数据看板 of its members' service, the 单位反馈
 * report exported to Excel, and an invitation for a new 红色代办员.
 *
 * Outside the unit admin's day (API): the secretary's whistle.
 */

jest.setTimeout(120_000);
const WHISTLE = '老旧小区加装电梯协调';

let walk: Walk;
let unit: Page;

beforeAll(async () => {
  walk = await startWalk();
  ({ page: unit } = await walk.phone('unit admin'));
  const org = await orgOf(walk.app.baseUrl, 'dev:unit', 'unit_admin');
  await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', '/whistles', {
    title: WHISTLE,
    description: '清和苑 3 幢居民申请加装电梯，需住建部门指导审批。',
    category: 'facilities',
    location: '清和苑 3 幢',
    dueAt: inMinutes(5 * 24 * 60),
    addressedTo: [{ orgId: org, part: 'lead' }],
  });
}, 300_000);

afterAll(async () => walk?.stop(), 60_000);

afterEach(() => {
  expect(walk.problems.splice(0)).toEqual([]);
});

describe('单位管理员: 吹哨 tab, members’ service, 单位反馈, invites', () => {
  it('lands on the dashboard of its members’ service, with a 吹哨 tab', async () => {
    await openAs(unit, walk.app.baseUrl, 'dev:unit');
    const dash = shown(unit).locator('.dash');
    await dash.locator('.dash__metric').first().waitFor({ timeout: UI_TIMEOUT });
    await expect(shown(unit).locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['数据看板', '吹哨', '消息', '我的']);
    await dash.locator('.dash__metric', { hasText: '党员居住社区' }).waitFor({ timeout: UI_TIMEOUT });
  });

  it('exports the 单位反馈 report of last month', async () => {
    const report = shown(unit).locator('[data-testid="unit-report"]');
    await report.waitFor({ timeout: UI_TIMEOUT });
    await report.scrollIntoViewIfNeeded();
    await snap(unit, '37-unit-dashboard');
    const download = unit.waitForEvent('download', { timeout: UI_TIMEOUT });
    await report.locator('.btn', { hasText: '导出单位反馈' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^单位反馈-\d{4}-\d{2}\.xlsx$/);
  });

  it('finds the whistle addressed to its unit under the 吹哨 tab', async () => {
    await tab(unit, '吹哨');
    const inbox = shown(unit).locator('.whistle-inbox');
    await inbox.locator('.whistle-card', { hasText: WHISTLE }).first().click({ timeout: UI_TIMEOUT });
    await shown(unit)
      .locator('.whistle-detail .whistle-detail__assignment', { hasText: '市住建局' })
      .locator('.whistle-detail__sign')
      .waitFor({
        timeout: UI_TIMEOUT,
      });
  });

  it('invites a new 红色代办员 for its unit', async () => {
    await landOn(unit, `${walk.app.baseUrl}/#/pages/mine/index`);
    await mineItem(unit, '邀请人员');
    const invites = shown(unit).locator('.invites');
    await invites.locator('.chip', { hasText: '红色代办员' }).click({ timeout: UI_TIMEOUT });
    await invites.locator('.btn', { hasText: '生成邀请码' }).click();
    const code = (
      (await invites.locator('[data-testid="invite-code"] .invites__code-text').textContent({ timeout: UI_TIMEOUT })) ?? ''
    ).trim();
    expect(code.length).toBeGreaterThan(4);
  });
});
