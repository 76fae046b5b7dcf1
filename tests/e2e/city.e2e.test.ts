import type { Page } from 'playwright-core';
import { xlsx } from '../helpers/upload';
import { shown, snap } from './helpers/browser';
import { answerModal, apiAs, back, modalDialog, openAs, startWalk, UI_TIMEOUT, waitUntil, type Walk, landOn } from './helpers/walk';

/**
 * The city admin's day (dev:admin) on the demo city, through its screens only: the 数据看板 it
 * lands on (the demo's two years of history in it), the 先锋指数+ indicator catalogue (准入,
 * weights, 计分方法), the city ranking and its Excel export, the 目录导入 of a workbook, and a
 * community's 业主信息库 reached from the ranking, where it ends a member's sessions (强制下线).
 */

jest.setTimeout(120_000);

let walk: Walk;
let admin: Page;

beforeAll(async () => {
  walk = await startWalk();
  ({ page: admin } = await walk.phone('city admin'));
}, 300_000);

afterAll(async () => walk?.stop(), 60_000);

afterEach(() => {
  expect(walk.problems.splice(0)).toEqual([]);
});

describe('市级管理员: dashboard, indicators, ranking, exports', () => {
  it('lands on the city’s 数据看板, without member tabs, its tools one tap away', async () => {
    // A first start loads the demo city's months of history after the API is up; the figures below are from it.
    await waitUntil(() => walk.app.output().includes('Demo history loaded'), 'the demo history has loaded', 600_000);
    await openAs(admin, walk.app.baseUrl, 'dev:admin');
    const dash = shown(admin).locator('.dash');
    await dash.locator('.dash__metric').first().waitFor({ timeout: UI_TIMEOUT });
    expect(admin.url()).toContain('#/staff/dashboard/index');
    await expect(shown(admin).locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['数据看板', '消息', '我的']);
    await expect(dash.locator('.staff-tools__item').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['指标管理', '目录导入', '先锋指数', '吹哨报到', '邀请人员']),
    );
    const participations = Number(await dash.locator('.dash__metric', { hasText: '参与人次' }).locator('.dash__value').textContent());
    expect(participations).toBeGreaterThan(1000);
    await dash.locator('.chart-bars__bar').first().waitFor({ timeout: UI_TIMEOUT });
    await snap(admin, '32-admin-landing');
    await snap(admin, '20-dashboard-city');
  }, 660_000);

  it('changes an indicator’s weight in the 先锋指数+ catalogue and saves it', async () => {
    await shown(admin).locator('.staff-tools__item', { hasText: '指标管理' }).click();
    const page = shown(admin).locator('.indicators');
    const first = page.locator('.indicator').first();
    await first.waitFor({ timeout: UI_TIMEOUT });
    await first.locator('.indicator__rule', { hasText: '计分方法' }).waitFor();
    const weight = first.locator('.indicator__number', { hasText: '权重' }).locator('input');
    const before = await weight.inputValue();
    await weight.fill(String(Number(before) === 1 ? 1.5 : 1));
    await page.locator('.btn', { hasText: '保存指标' }).click();
    await admin.getByText('指标已保存').first().waitFor({ timeout: UI_TIMEOUT });
    await admin.reload();
    await expect(
      shown(admin)
        .locator('.indicators .indicator')
        .first()
        .locator('.indicator__number', { hasText: '权重' })
        .locator('input')
        .inputValue(),
    ).resolves.toBe(String(Number(before) === 1 ? 1.5 : 1));
    await back(admin).catch(() => admin.goto(`${walk.app.baseUrl}/#/staff/dashboard/index`));
  });

  it('reads the city ranking and exports it to Excel', async () => {
    await landOn(admin, `${walk.app.baseUrl}/#/staff/dashboard/index`);
    await shown(admin).locator('.staff-tools__item', { hasText: '先锋指数' }).click({ timeout: UI_TIMEOUT });
    const rows = shown(admin).locator('.idx .idx__row');
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    expect(await rows.count()).toBeGreaterThan(1);
    await snap(admin, '21-index-ranking-city');
    const download = admin.waitForEvent('download', { timeout: UI_TIMEOUT });
    await shown(admin).locator('.idx .btn', { hasText: '导出 Excel' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^先锋指数_\d{4}-\d{2}\.xlsx$/);
    const head = (await file.createReadStream())!;
    const chunk: Buffer = await new Promise((resolve) => head.once('data', (c) => resolve(c as Buffer)));
    // An XLSX is a zip.
    expect(chunk.subarray(0, 2).toString()).toBe('PK');
  });

  it('imports the directory from a workbook: a dry run lists the refused row, the import creates the rest', async () => {
    await landOn(admin, `${walk.app.baseUrl}/#/staff/dashboard/index`);
    await shown(admin).locator('.staff-tools__item', { hasText: '目录导入' }).click({ timeout: UI_TIMEOUT });
    const page = shown(admin);
    await page.locator('.card-title', { hasText: '导入组织目录' }).waitFor({ timeout: UI_TIMEOUT });
    const workbook = await xlsx({
      板块: [['名称'], ['虞城新区']],
      社区党组织: [
        ['名称', '板块'],
        ['虞城社区', '虞城新区'],
        ['长江社区', '不存在街道'],
      ],
      小区: [
        ['社区党组织', '名称'],
        ['虞城社区', '虞城花园'],
      ],
      单位党组织: [
        ['名称', '板块'],
        ['市档案馆党支部', '虞城新区'],
      ],
    });
    const chooser = admin.waitForEvent('filechooser', { timeout: UI_TIMEOUT });
    await page.locator('.btn', { hasText: '选择文件试导入' }).click();
    await (
      await chooser
    ).setFiles({
      name: '组织目录.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: workbook,
    });

    const result = page.locator('.import-result').first();
    const figure = (label: string) => result.locator('.import-result__figure', { hasText: label }).locator('.import-result__num');
    await result.locator('.card-title', { hasText: '试导入结果（未写入）' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(figure('新建').textContent()).resolves.toBe('4');
    await expect(figure('有误行').textContent()).resolves.toBe('1');
    await result.locator('.import-result__row', { hasText: '「社区党组织」第 3 行' }).filter({ hasText: '不存在街道' }).waitFor();
    await snap(admin, '43-directory-dry-run');

    await page.locator('.btn', { hasText: '确认导入' }).click();
    await result.locator('.card-title', { hasText: '导入完成' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(figure('新建').textContent()).resolves.toBe('4');
    // The import is recorded: the mini-program, which cannot upload, shows it under the result.
    await page.locator('.import-result .card-title', { hasText: '导入' }).nth(1).waitFor({ timeout: UI_TIMEOUT });
  });
});

/** Signs a development user in and registers it in the community dev:member1 lives in; answers its member-bound token. */
async function registerLostPhone(baseUrl: string, login: string, name: string): Promise<string> {
  const { member: like } = await apiAs(baseUrl, 'dev:member1', 'GET', '/members/me');
  const signed = await fetch(`${baseUrl}/api/v1/auth/wechat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: login }),
  });
  const { token } = (await signed.json()) as { token: string };
  const res = await fetch(`${baseUrl}/api/v1/members/me`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name,
      phone: '13900007711',
      unitOrgId: like.unitOrg.id,
      workUnit: like.workUnit,
      communityOrgId: like.community.id,
      estateId: like.estate.id,
      building: '9',
      unitNo: '1',
      room: '901',
      intentions: ['care'],
      consentVersion: like.consentVersion,
    }),
  });
  if (!res.ok) throw new Error(`register ${login}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { session?: { token: string } };
  return body.session?.token ?? token;
}

describe('市级管理员: a community’s 业主信息库', () => {
  it('reaches 清和坊社区’s 业主信息库 from the ranking and 强制下线 a member who lost a phone: its token is refused', async () => {
    const name = '陆失机';
    const token = await registerLostPhone(walk.app.baseUrl, 'dev:lostphone', name);
    const me = () => fetch(`${walk.app.baseUrl}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me()).status).toBe(200);

    await landOn(admin, `${walk.app.baseUrl}/#/staff/dashboard/index`);
    await shown(admin).locator('.staff-tools__item', { hasText: '先锋指数' }).click({ timeout: UI_TIMEOUT });
    await shown(admin).locator('.idx .idx__row', { hasText: '清和坊社区' }).click({ timeout: UI_TIMEOUT });
    await shown(admin).locator('.idx .idx__registry', { hasText: '业主信息库' }).click({ timeout: UI_TIMEOUT });
    const registry = shown(admin).locator('.registry');
    // A city admin may import a community's registry (the server allows it): the upload is there.
    await registry.locator('.card-title', { hasText: '导入业主信息' }).waitFor({ timeout: UI_TIMEOUT });
    const row = registry.locator('.registry__member', { hasText: name });
    await row.waitFor({ timeout: UI_TIMEOUT });
    await row.locator('.muted', { hasText: '139****7711' }).waitFor();
    await snap(admin, '44-registry-city-admin');

    await row.locator('.registry__revoke', { hasText: '强制下线' }).click();
    await modalDialog(admin).filter({ hasText: '将使该党员在所有设备上退出登录' }).waitFor({ timeout: UI_TIMEOUT });
    await answerModal(admin, '强制下线');
    await admin.getByText('已强制下线').first().waitFor({ timeout: UI_TIMEOUT });
    expect((await me()).status).toBe(401);
  });
});
