import type { Page } from 'playwright-core';
import { shown, snap, typeInto } from './helpers/browser';
import { back, openAs, startWalk, UI_TIMEOUT, type Walk } from './helpers/walk';

/**
 * 组织报到 in real Chromium against `npm start` with the demo data, through the screens only:
 * the 市住建局 unit admin proposes a 共建协议 with 清和坊社区 (already reported there, the secretary
 * rejects it with the reason), the secretary confirms 市民政局's pending one and publishes a need, the
 * unit ends its agreement with 书院社区, claims the need with a plan and publishes a directed post
 * (定向岗位), a member of another unit (市卫健委) sees the post and why he cannot grab it, the unit
 * delivers, the secretary accepts it with a rating (验收), and the city admin's 单位报到成效 board shows it.
 */

jest.setTimeout(90_000);
const NEED = '楼道照明改造（E2E）';
const POST = '楼道灯具更换志愿岗（E2E）';
const REJECTION = '贵局已在本社区报到，协议有效期内无需重复提交。';

let walk: Walk;
let unit: Page;
let secretary: Page;
let admin: Page;
let member: Page;

/** The hub's tab, by the class of its key. */
async function openTab(page: Page, key: 'agreements' | 'needs' | 'projects' | 'resources') {
  await shown(page).locator(`.units__tab--${key}`).click();
}

beforeAll(async () => {
  walk = await startWalk();
  unit = (await walk.phone('unit')).page;
  secretary = (await walk.phone('secretary')).page;
  admin = (await walk.phone('admin')).page;
  member = (await walk.phone('member')).page;
}, 240_000);

afterAll(async () => walk?.stop(), 60_000);

afterEach(() => {
  expect(walk.problems.splice(0)).toEqual([]);
});

describe('H5 in Chromium: 报到 → 退回 / 确认 → 需求 → 终止 → 认领 → 定向岗位 → 交付 → 验收 → 成效', () => {
  it('the unit admin goes from its 数据看板 to 组织报到 and proposes a 共建协议 with 清和坊社区', async () => {
    await openAs(unit, walk.app.baseUrl, 'unit');
    await shown(unit).locator('.staff-tools__item', { hasText: '组织报到' }).click({ timeout: UI_TIMEOUT });
    const hub = shown(unit).locator('.units');
    await hub.waitFor({ timeout: UI_TIMEOUT });
    // The demo's 市住建局 is reported to 清和坊社区 and to 书院社区.
    await hub.locator('.units__agreement', { hasText: '书院社区' }).filter({ hasText: '已报到' }).first().waitFor({ timeout: UI_TIMEOUT });
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

  it('the secretary, from 岗位管理 → 组织报到, rejects it with the reason, confirms 市民政局 and publishes a need', async () => {
    await openAs(secretary, walk.app.baseUrl, 'secretary');
    await shown(secretary).locator('.manage__action--units').click({ timeout: UI_TIMEOUT });
    const hub = shown(secretary).locator('.units');
    await hub.waitFor({ timeout: UI_TIMEOUT });
    const proposed = hub.locator('.units__agreement', { hasText: '市住建局' }).filter({ hasText: '待确认' }).first();
    await proposed.waitFor({ timeout: UI_TIMEOUT });
    await snap(secretary, '31-agreement-inbox');
    const rejected = await proposed.getAttribute('data-id');
    await proposed.locator('.units__reject').click();
    const row = hub.locator(`.units__agreement[data-id="${rejected}"]`);
    await typeInto(row.locator('.units__reason'), REJECTION);
    await row.locator('.units__reason-submit').click();
    await row.filter({ hasText: '未通过' }).filter({ hasText: REJECTION }).waitFor({ timeout: UI_TIMEOUT });

    // The demo's pending 报到 of 市民政局 is confirmed.
    const pending = hub.locator('.units__agreement', { hasText: '市民政局' }).filter({ hasText: '待确认' }).first();
    const id = await pending.getAttribute('data-id', { timeout: UI_TIMEOUT });
    await pending.locator('.units__accept').click();
    await hub.locator(`.units__agreement[data-id="${id}"]`, { hasText: '已报到' }).waitFor({ timeout: UI_TIMEOUT });

    await hub.locator('.units__publish-need').click();
    const form = shown(secretary).locator('.need-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.need-new__title'), NEED);
    await form.locator('.need-new__categories .chip').first().click();
    await typeInto(form.locator('.need-new__description'), '清和苑 3 幢至 8 幢楼道灯损坏，需更换灯具并检查线路。');
    await snap(secretary, '32-need-new');
    await form.locator('.need-new__submit').click();

    const needsTab = shown(secretary).locator('.units');
    await needsTab.waitFor({ timeout: UI_TIMEOUT });
    await openTab(secretary, 'needs');
    await needsTab.locator('.units__need', { hasText: NEED }).filter({ hasText: '待认领' }).waitFor({ timeout: UI_TIMEOUT });

    // A need talked over at a 共商共办 meeting shows it; the meeting page shows what was decided and its actions.
    const clinic = needsTab.locator('.units__need', { hasText: '社区义诊进楼栋' });
    await clinic.locator('.units__meeting', { hasText: '红色代办员组团上门服务日' }).filter({ hasText: '已召开' }).click();
    const meeting = shown(secretary).locator('.meeting__title', { hasText: '红色代办员组团上门服务日' });
    await meeting.waitFor({ timeout: UI_TIMEOUT });
    await shown(secretary).getByText('楼道照明维修').first().waitFor({ timeout: UI_TIMEOUT });
    await back(secretary);
    await shown(secretary).locator('.units__need', { hasText: NEED }).waitFor({ timeout: UI_TIMEOUT });
  });

  it('the unit reads why it was not accepted and ends its 共建协议 with 书院社区', async () => {
    await unit.reload();
    const hub = shown(unit).locator('.units');
    await hub.waitFor({ timeout: UI_TIMEOUT });
    await hub.locator('.units__agreement', { hasText: '清和坊社区' }).filter({ hasText: '未通过' }).filter({ hasText: REJECTION }).waitFor({
      timeout: UI_TIMEOUT,
    });
    const active = hub.locator('.units__agreement', { hasText: '书院社区' }).filter({ hasText: '已报到' }).first();
    const id = await active.getAttribute('data-id', { timeout: UI_TIMEOUT });
    await active.locator('.units__end').click();
    const row = hub.locator(`.units__agreement[data-id="${id}"]`);
    await typeInto(row.locator('.units__reason'), '局机关党员统一到清和坊社区报到。');
    await row.locator('.units__reason-submit').click();
    await row.filter({ hasText: '已终止' }).waitFor({ timeout: UI_TIMEOUT });
    await snap(unit, '33-agreement-ended');
  });

  it('the unit claims the need with a plan and publishes a directed post', async () => {
    const hub = shown(unit).locator('.units');
    await openTab(unit, 'needs');
    const need = hub.locator('.units__need', { hasText: NEED });
    await need.waitFor({ timeout: UI_TIMEOUT });
    await need.locator('.units__claim-open').click();
    await typeInto(need.locator('.units__plan'), '组织本局电工党员 6 人，两个周末完成灯具更换与线路检查。');
    await snap(unit, '34-claim');
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
  });

  it('a member of 市卫健委 living in 清和坊社区 sees the post as 定向·市住建局 and why he cannot grab it', async () => {
    await openAs(member, walk.app.baseUrl, 'member2');
    const card = shown(member).locator('.task-card', { hasText: POST });
    await card.locator('.task-card__audience', { hasText: '定向·市住建局' }).waitFor({ timeout: UI_TIMEOUT });
    await card.locator('.task-card__title').click();
    const detail = shown(member).locator('.detail');
    await detail.locator('.detail__audience', { hasText: '定向·市住建局' }).waitFor({ timeout: UI_TIMEOUT });
    const refusal = detail.locator('[data-testid="audience-refusal"]');
    await refusal.waitFor({ timeout: UI_TIMEOUT });
    await expect(refusal.textContent()).resolves.toContain('这是市住建局的定向岗位，仅该单位党员可以抢');
    await detail.locator('.grab-btn[data-state="not_in_audience"]', { hasText: '仅限定向单位' }).waitFor({ timeout: UI_TIMEOUT });
    await snap(member, '35-directed-refused');
  });

  it('the unit delivers the project', async () => {
    const after = shown(unit).locator('.project');
    await after.locator('.project__deliver').click();
    await typeInto(after.locator('.project__text'), '已更换灯具 42 盏，检查线路 6 幢，居民反映良好。');
    await after.locator('.project__submit').click();
    await after.locator('.project__status', { hasText: '待验收' }).waitFor({ timeout: UI_TIMEOUT });
    await snap(unit, '36-delivered');
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
    await snap(secretary, '37-accepted');
  });

  it('the city admin sees 市住建局 on the 单位报到成效 board, its accepted project counted', async () => {
    await openAs(admin, walk.app.baseUrl, 'admin');
    await shown(admin).locator('.staff-tools__item', { hasText: '单位报到成效' }).click({ timeout: UI_TIMEOUT });
    const board = shown(admin).locator('.idx--units');
    const row = board.locator('.idx__row', { hasText: '市住建局' });
    await row.waitFor({ timeout: UI_TIMEOUT });
    await snap(admin, '38-unit-board');
    await row.click();
    const explain = shown(admin).locator('.idx--units');
    const accepted = explain.locator('[data-testid="part-projects_accepted"]');
    await accepted.waitFor({ timeout: UI_TIMEOUT });
    await expect(accepted.textContent()).resolves.toMatch(/验收项目数：[1-9]\d* 个/);
    await explain.locator('[data-testid="part-project_rating"]').waitFor();
    await snap(admin, '39-unit-explained');
  });
});
