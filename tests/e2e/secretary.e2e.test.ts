import type { Page, WebSocket } from 'playwright-core';
import { decodeQrPng } from '../helpers/qr-decode';
import { shown, snap, typeInto } from './helpers/browser';
import {
  apiAs,
  back,
  beijingDay,
  inMinutes,
  mineItem,
  openAs,
  orgOf,
  pickDate,
  startWalk,
  tab,
  titleBar,
  UI_TIMEOUT,
  type Walk,
  landOn,
  sql,
  answerModal,
  modalDialog,
} from './helpers/walk';

/**
 * The 清和坊社区 secretary's day (dev:secretary) on the demo city, through its screens only:
 * 岗位管理 it lands on, publishing a post and watching it fill live, editing it, its claimants and
 * its 候补 queue, a 抽签 post with its contact, its days picked in the H5 date picker, checking a
 * member in by their 先锋码 (pasted, and by the code's link), a 签退 before the start refused with
 * its reason shown, the poster, the community's dashboard and
 * its 先锋指数 explained, the 业主信息库 CSV import, 居民点单 turned into a post and into a whistle,
 * and a whistle raised, then verified, closed and rated once the unit answered.
 *
 * Outside the secretary's day (API): members grabbing and waiting, a member's code,
 * a resident's demand, the unit's 红色代办员 signing and answering.
 */

jest.setTimeout(120_000);
const POST = '消防通道杂物清理';
const WHISTLE = '世茂商圈夜间停车';

let walk: Walk;
let secretary: Page;
let community = '';
const liveFrames: string[] = [];

beforeAll(async () => {
  walk = await startWalk();
  ({ page: secretary } = await walk.phone('secretary'));
  secretary.on('websocket', (ws: WebSocket) => ws.on('framereceived', (f) => liveFrames.push(String(f.payload))));
  community = await orgOf(walk.app.baseUrl, 'dev:secretary', 'secretary');
}, 300_000);

afterAll(async () => walk?.stop(), 60_000);

afterEach(() => {
  expect(walk.problems.splice(0)).toEqual([]);
});

const field = (page: Page, label: string) => shown(page).locator('.publish .field').filter({ hasText: label });

/** Ten minutes from now, but on today's date in Beijing (the verify card lists the day's posts). */
function laterToday(): string {
  const now = Date.now();
  const beijingMidnight = Math.ceil((now + 8 * 3_600_000) / 86_400_000) * 86_400_000 - 8 * 3_600_000;
  return new Date(Math.min(now + 10 * 60_000, beijingMidnight - 60_000)).toISOString();
}

describe('岗位: publish, live counts, edit, claimants', () => {
  it('lands on 岗位管理 and publishes a post from 发布岗位; it heads the list', async () => {
    await openAs(secretary, walk.app.baseUrl, 'dev:secretary');
    const manage = shown(secretary);
    await manage.locator('.manage__actions').waitFor({ timeout: UI_TIMEOUT });
    expect(secretary.url()).toContain('#/staff/manage/index');
    await expect(manage.locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['岗位管理', '扫码核验', '消息', '我的']);
    await manage.locator('.manage__action', { hasText: '发布岗位' }).click();

    const publish = shown(secretary).locator('.publish');
    await publish.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(field(secretary, '岗位名称').locator('.field-input'), POST);
    await field(secretary, '岗位类别').locator('.chip', { hasText: '环境治理' }).click();
    await typeInto(field(secretary, '服务地点').locator('.field-input'), '清和苑 5 幢楼道');
    await typeInto(field(secretary, '岗位说明').locator('.field-textarea'), '清理楼道堆放的杂物，消除消防隐患。');
    await typeInto(field(secretary, '招募名额').locator('.field-input'), '3');
    await snap(secretary, '05-publish');
    await publish.locator('.btn', { hasText: '发布岗位' }).click();

    const card = shown(secretary).locator('.manage .task-card', { hasText: POST });
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

  it('watches the post fill live: a member grabs it and the numbers change without a reload', async () => {
    const card = shown(secretary).locator('.manage .task-card', { hasText: POST });
    const reloads: string[] = [];
    const countReloads = (req: { url(): string; method(): string }) => {
      if (req.method() === 'GET' && /\/api\/v1\/tasks(\?|$)/.test(req.url())) reloads.push(req.url());
    };
    secretary.on('request', countReloads);
    const framesBefore = liveFrames.length;
    const list = await apiAs(walk.app.baseUrl, 'dev:secretary', 'GET', `/tasks?communityOrgId=${community}&limit=50`);
    const id = (list.items as Array<{ id: string; title: string }>).find((t) => t.title === POST)!.id;
    await apiAs(walk.app.baseUrl, 'dev:member1', 'POST', `/tasks/${id}/claims`);

    await card.filter({ hasText: /剩余\s*2\s*\/\s*3\s*名额/ }).waitFor({ timeout: UI_TIMEOUT });
    await card.filter({ hasText: '已抢到 1 人' }).waitFor({ timeout: UI_TIMEOUT });
    secretary.off('request', countReloads);
    expect(reloads).toEqual([]);
    const frames = liveFrames.slice(framesBefore).map((f) => JSON.parse(f) as Record<string, unknown>);
    expect(frames).toEqual(expect.arrayContaining([expect.objectContaining({ taskId: id, claimed: 1, remaining: 2 })]));
    await card.scrollIntoViewIfNeeded();
    await snap(secretary, '09-manage-live');
  });

  it('opens its claimants, edits the post and finds the change on the list', async () => {
    await shown(secretary).locator('.manage .task-card', { hasText: POST }).click();
    const claimants = shown(secretary).locator('.claimants');
    await claimants.locator('.claimants__row').first().waitFor({ timeout: UI_TIMEOUT });
    await claimants.locator('.btn', { hasText: '编辑岗位' }).click();
    const place = field(secretary, '服务地点').locator('input');
    // The form fills in once the post has loaded.
    await secretary.waitForFunction(
      (el) => (el as HTMLInputElement | null)?.value === '清和苑 5 幢楼道',
      await place.elementHandle({ timeout: UI_TIMEOUT }),
      { timeout: UI_TIMEOUT },
    );
    await place.fill('清和苑 5 幢 1 单元楼道');
    await shown(secretary).locator('.publish .btn', { hasText: '保存修改' }).click();
    await shown(secretary).locator('.claimants, .manage').first().waitFor({ timeout: UI_TIMEOUT });
    await landOn(secretary, `${walk.app.baseUrl}/#/staff/manage/index`);
    await shown(secretary)
      .locator('.manage .task-card', { hasText: POST })
      .filter({ hasText: '5 幢 1 单元' })
      .waitFor({ timeout: UI_TIMEOUT });
  });
});

describe('岗位: its 候补 queue, a 抽签 post', () => {
  it('opens the 候补 queue of the full post from its claimants: the member waiting first, masked', async () => {
    // Outside the secretary's day: two more members fill the post, a fourth waits for a place.
    const list = await apiAs(walk.app.baseUrl, 'dev:secretary', 'GET', `/tasks?communityOrgId=${community}&limit=50`);
    const id = (list.items as Array<{ id: string; title: string }>).find((t) => t.title === POST)!.id;
    await apiAs(walk.app.baseUrl, 'dev:member2', 'POST', `/tasks/${id}/claims`);
    await apiAs(walk.app.baseUrl, 'dev:member3', 'POST', `/tasks/${id}/claims`);
    await apiAs(walk.app.baseUrl, 'dev:member4', 'POST', `/tasks/${id}/waitlist`);

    await landOn(secretary, `${walk.app.baseUrl}/#/staff/manage/index`);
    await shown(secretary).locator('.manage .task-card', { hasText: POST }).click({ timeout: UI_TIMEOUT });
    const claimants = shown(secretary).locator('.claimants');
    await claimants.locator('.claimants__row').nth(2).waitFor({ timeout: UI_TIMEOUT });
    await claimants.locator('.claimants__queue', { hasText: '查看候补队列（1 人）' }).click({ timeout: UI_TIMEOUT });
    const queue = shown(secretary).locator('.wq');
    const row = queue.locator('.wq__row--waiting');
    await row.waitFor({ timeout: UI_TIMEOUT });
    await expect(row.locator('.wq__pos').textContent()).resolves.toBe('1');
    // 刘洋 (dev:member4), as the server masks a name and phone for staff.
    await expect(row.locator('.wq__name').textContent()).resolves.toMatch(/^刘\*\s+138\*{4}8004$/);
    await expect(row.locator('.wq__status').textContent()).resolves.toBe('候补中');
    await queue.locator('.card-title', { hasText: '候补 1 人' }).waitFor();
    await snap(secretary, '37-waitlist-queue');
  });

  it('publishes a 抽签 post with its contact, the service day and the draw day picked in the date picker', async () => {
    const title = '敬老院周末陪护（抽签）';
    const serviceDay = beijingDay(2);
    const drawDay = beijingDay(1);
    await landOn(secretary, `${walk.app.baseUrl}/#/staff/manage/index`);
    await shown(secretary).locator('.manage__action', { hasText: '发布岗位' }).click({ timeout: UI_TIMEOUT });
    const publish = shown(secretary).locator('.publish');
    await publish.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(field(secretary, '岗位名称').locator('.field-input'), title);
    await field(secretary, '岗位类别').locator('.chip', { hasText: '关爱帮扶' }).click();
    await typeInto(field(secretary, '服务地点').locator('.field-input'), '虞山敬老院');
    await typeInto(field(secretary, '联系人').locator('.field-input'), '王书记');
    await typeInto(field(secretary, '联系电话').locator('.field-input'), '0512-52345678');
    await typeInto(field(secretary, '招募名额').locator('.field-input'), '2');
    await pickDate(secretary, field(secretary, '服务日期').locator('.publish__picker'), serviceDay);
    await field(secretary, '服务日期').locator('.publish__picker', { hasText: serviceDay }).waitFor();
    await field(secretary, '分配方式').locator('.chip', { hasText: '抽签' }).click();
    const drawPicker = field(secretary, '分配方式').locator('.publish__picker').first();
    await pickDate(secretary, drawPicker, drawDay);
    await field(secretary, '分配方式').locator('.publish__picker', { hasText: drawDay }).waitFor();
    await snap(secretary, '38-publish-draw');
    await publish.locator('.btn', { hasText: '发布岗位' }).click();

    const card = shown(secretary).locator('.manage .task-card', { hasText: title });
    await card.waitFor({ timeout: UI_TIMEOUT });
    // What was published: a draw at 21:00 of the picked draw day, the post on the picked day, its contact.
    const list = await apiAs(walk.app.baseUrl, 'dev:secretary', 'GET', `/tasks?communityOrgId=${community}&limit=50`);
    const id = (list.items as Array<{ id: string; title: string }>).find((t) => t.title === title)!.id;
    const { task } = await apiAs(walk.app.baseUrl, 'dev:secretary', 'GET', `/tasks/${id}`);
    expect(task).toMatchObject({
      allocation: 'draw',
      drawAt: new Date(`${drawDay}T21:00:00+08:00`).toISOString(),
      startsAt: new Date(`${serviceDay}T09:00:00+08:00`).toISOString(),
      contactName: '王书记',
      contactPhone: '0512-52345678',
    });
  });
});

describe('扫码核验: the member’s 先锋码 pasted, and its link', () => {
  let token = '';
  it('verifies a pasted 先锋码: the card lists today’s posts and offers only the valid action', async () => {
    // Outside the secretary's day: a member grabbed today's post and shows its code.
    const today = await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', '/tasks', {
      communityOrgId: community,
      title: '今日楼道清扫',
      category: 'environment',
      description: '',
      location: '清和苑 5 幢',
      startsAt: laterToday(),
      endsAt: inMinutes(130),
      capacity: 2,
    });
    await apiAs(walk.app.baseUrl, 'dev:member2', 'POST', `/tasks/${today.task.id}/claims`);
    token = (await apiAs(walk.app.baseUrl, 'dev:member2', 'GET', '/members/me/pioneer-code')).token;

    await tab(secretary, '扫码核验');
    const verify = shown(secretary).locator('.verify');
    await verify.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(verify.locator('[data-testid="verify-input"]'), token);
    await snap(secretary, '10-verify-paste');
    await verify.locator('.verify__btn', { hasText: '核验' }).click();

    const card = verify.locator('[data-testid="verify-card"]');
    await card.waitFor({ timeout: UI_TIMEOUT });
    await expect(card.locator('.verify__badge').textContent()).resolves.toBe('身份已核验');
    await card.locator('.verify__kv', { hasText: '清和坊社区' }).waitFor();
    const claim = card.locator('[data-testid="verify-claim"]');
    await expect(claim.allTextContents()).resolves.toEqual([expect.stringContaining('今日楼道清扫')]);
    await expect(claim.locator('.verify__state').textContent()).resolves.toBe('已抢到，未签到');
    await expect(card.locator('[data-testid="verify-check-out"]').getAttribute('aria-disabled')).resolves.toBe('true');
    await snap(secretary, '11-verified');

    await card.locator('[data-testid="verify-check-in"]').click();
    await verify.locator('[data-testid="verify-notice"]', { hasText: '签到成功' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(claim.locator('.verify__state').textContent()).resolves.toBe('已签到');
    await expect(card.locator('[data-testid="verify-check-in"]').getAttribute('aria-disabled')).resolves.toBe('true');
    await snap(secretary, '12-checked-in');
  });

  it("opens the verify page from the code's /c/ link (what WeChat's 扫一扫 does)", async () => {
    await secretary.goto(`${walk.app.baseUrl}/c/${token}`);
    const card = shown(secretary).locator('[data-testid="verify-card"]');
    await card.waitFor({ timeout: UI_TIMEOUT });
    expect(secretary.url()).toContain('#/staff/verify/index');
    // Checked in a moment ago; the post has not started, so 签退 is not offered either.
    await expect(card.locator('[data-testid="verify-check-in"]').getAttribute('aria-disabled')).resolves.toBe('true');
    await snap(secretary, '30-scanned-link');
  });
});

describe('签退: refused before the post starts, asked first when it would record a few minutes', () => {
  it('shows why a 签退 before the start is refused, and keeps the member checked in', async () => {
    const card = shown(secretary).locator('[data-testid="verify-card"]');
    const claim = card.locator('[data-testid="verify-claim"]');
    await card.locator('[data-testid="verify-check-out"]').click();
    await shown(secretary).locator('[data-testid="verify-notice"]', { hasText: '岗位尚未开始' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(claim.locator('.verify__state').textContent()).resolves.toBe('已签到');
    await snap(secretary, '39-check-out-refused');
  });

  it('once the post has started, asks before a 签退 of a few minutes: 再想想 keeps it, 确认签退 records it', async () => {
    // Outside the secretary's day: the post's start arrives (a minute ago), and the member shows a fresh code.
    await sql(walk.app, `update tasks set starts_at = greatest(claim_opens_at, now() - interval '1 minute') where title = '今日楼道清扫'`);
    const token = (await apiAs(walk.app.baseUrl, 'dev:member2', 'GET', '/members/me/pioneer-code')).token as string;
    await secretary.goto(`${walk.app.baseUrl}/c/${token}`);
    const card = shown(secretary).locator('[data-testid="verify-card"]');
    const claim = card.locator('[data-testid="verify-claim"]');
    await claim.locator('.verify__state', { hasText: '已签到' }).waitFor({ timeout: UI_TIMEOUT });

    await card.locator('[data-testid="verify-check-out"]').click();
    await expect(modalDialog(secretary).textContent({ timeout: UI_TIMEOUT })).resolves.toMatch(/现在签退只记录 \d 分钟服务，且不能撤销/);
    await snap(secretary, '40-check-out-confirm');
    await answerModal(secretary, '再想想');
    await expect(claim.locator('.verify__state').textContent()).resolves.toBe('已签到');
    await expect(shown(secretary).locator('[data-testid="verify-notice"]').count()).resolves.toBe(0);

    await card.locator('[data-testid="verify-check-out"]').click();
    await answerModal(secretary, '确认签退');
    await shown(secretary)
      .locator('[data-testid="verify-notice"]', { hasText: /签退成功，本次服务 \d+ 分钟/ })
      .waitFor({ timeout: UI_TIMEOUT });
    await expect(claim.locator('.verify__state').textContent()).resolves.toBe('已完成');
  });
});

describe('业主信息库: the CSV import', () => {
  it('tries a CSV from the file picker, shows the rows it would add and the one it refuses, then imports it', async () => {
    await landOn(secretary, `${walk.app.baseUrl}/#/pages/mine/index`);
    await mineItem(secretary, '业主信息库');
    const registry = shown(secretary).locator('.registry');
    await registry.locator('.card-title', { hasText: '导入业主信息' }).waitFor({ timeout: UI_TIMEOUT });
    const csv = [
      '小区,楼栋,单元,室号,业主姓名,手机号',
      '清和苑,88,1,101,周业主,13800008801',
      '书院新村,88,2,202,吴业主,13800008802',
      '不存在的小区,1,1,101,郑业主,13800008803',
    ].join('\r\n');
    const chooser = secretary.waitForEvent('filechooser', { timeout: UI_TIMEOUT });
    await registry.locator('.btn', { hasText: '选择文件试导入' }).click();
    await (await chooser).setFiles({ name: '业主信息.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

    const figure = (label: string) => registry.locator('.import-result').first().locator('.import-result__figure', { hasText: label });
    await registry.locator('.import-result .card-title', { hasText: '试导入结果（未写入）' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(figure('新增').locator('.import-result__num').textContent()).resolves.toBe('2');
    await expect(figure('有误行').locator('.import-result__num').textContent()).resolves.toBe('1');
    await registry.locator('.import-result__row', { hasText: '第 4 行' }).filter({ hasText: '不存在的小区' }).waitFor();
    await snap(secretary, '41-registry-dry-run');

    await registry.locator('.btn', { hasText: '确认导入' }).click();
    await registry.locator('.import-result .card-title', { hasText: '导入完成' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(figure('新增').locator('.import-result__num').textContent()).resolves.toBe('2');
    await expect(registry.locator('.btn', { hasText: '确认导入' }).count()).resolves.toBe(0);
  });
});

describe('业主信息库: a member’s full phone, read with a reason', () => {
  it('opens a member’s full phone and home after writing why; the read is audited with that reason', async () => {
    await landOn(secretary, `${walk.app.baseUrl}/#/pages/mine/index`);
    await mineItem(secretary, '业主信息库');
    const row = shown(secretary).locator('.registry .registry__member').first();
    await row.waitFor({ timeout: UI_TIMEOUT });
    const name = (await row.locator('.registry__name').textContent())!.trim();
    const masked = (await row.locator('.muted').first().textContent())!.split(' · ')[0]!;
    expect(masked).toMatch(/^\d{3}\*{4}\d{4}$/);
    await row.locator('.personal-read__open', { hasText: '查看完整信息' }).click();
    await row.locator('.personal-read__hint', { hasText: '每次查看都会留痕，请写明事由' }).waitFor({ timeout: UI_TIMEOUT });
    const reason = `上门核实住址 ${Date.now()}`;
    await typeInto(row.locator('.personal-read__reason'), reason);
    await row.locator('.personal-read .btn', { hasText: '确定' }).click();
    const phone = row.locator('.personal-read__phone');
    await phone.waitFor({ timeout: UI_TIMEOUT });
    const full = (await phone.textContent())!;
    expect(full).toMatch(/^1\d{10}$/);
    expect(`${full.slice(0, 3)}****${full.slice(7)}`).toBe(masked);
    await row.locator('.personal-read__call', { hasText: '拨打' }).waitFor();
    await snap(secretary, '42-registry-personal-read');

    const audits = await sql<{ name: string; community_org_id: string }>(
      walk.app,
      `select m.name, m.community_org_id from audit_log a join members m on m.id = a.entity_id
        where a.action = 'member.personal_data_read' and a.data->>'reason' = $1`,
      [reason],
    );
    expect(audits).toEqual([{ name, community_org_id: community }]);
  });
});

describe('社区: poster, dashboard, 先锋指数', () => {
  it('shows the printable A4 poster with the community’s QR', async () => {
    await landOn(secretary, `${walk.app.baseUrl}/#/staff/manage/index`);
    await shown(secretary).locator('.manage__action', { hasText: '报到海报' }).click({ timeout: UI_TIMEOUT });
    const poster = shown(secretary).locator('[data-testid="poster"] img');
    await poster.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    const src = (await poster.getAttribute('src'))!;
    const png = Buffer.from(src.split(',')[1]!, 'base64');
    expect({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) }).toEqual({ width: 1240, height: 1754 });
    expect(decodeQrPng(png)).toMatch(new RegExp(`^${walk.app.baseUrl}/r/[A-Za-z0-9_-]+$`));
    await snap(secretary, '31-poster');
    await back(secretary);
  });

  it('reads its community’s dashboard and the 先锋指数 explained item by item', async () => {
    await shown(secretary).locator('.manage__action', { hasText: '数据看板' }).click({ timeout: UI_TIMEOUT });
    const dash = shown(secretary).locator('.dash');
    await dash.locator('.dash__metric', { hasText: '报到党员' }).waitFor({ timeout: UI_TIMEOUT });
    await dash.locator('.dash__more', { hasText: '查看每项得分说明' }).waitFor({ timeout: UI_TIMEOUT });
    await snap(secretary, '23-dashboard-secretary');
    await dash.locator('.dash__more', { hasText: '查看每项得分说明' }).click();
    const part = shown(secretary).locator('.idx__part').first();
    await part.waitFor({ timeout: UI_TIMEOUT });
    await shown(secretary).locator('.idx__part-line', { hasText: '计分方法' }).first().waitFor();
    await snap(secretary, '24-index-explained');
    await back(secretary);
    await back(secretary);
  });
});

describe('居民点单 and 吹哨', () => {
  it('turns a resident’s demand into a post pre-filled from it', async () => {
    await apiAs(walk.app.baseUrl, 'dev:resident', 'POST', '/demands', {
      communityOrgId: community,
      text: '清和苑 3 幢楼下的健身器材坏了，老人锻炼不便。',
      category: 'convenience',
    });
    await landOn(secretary, `${walk.app.baseUrl}/#/staff/manage/index`);
    await shown(secretary).locator('.manage__action', { hasText: '居民点单' }).click({ timeout: UI_TIMEOUT });
    const card = shown(secretary).locator('.demands .card', { hasText: '健身器材坏了' });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.locator('.demands__primary .btn', { hasText: '转为岗位' }).click();
    const publish = shown(secretary).locator('.publish');
    await publish.waitFor({ timeout: UI_TIMEOUT });
    await secretary.waitForFunction(
      () => [...document.querySelectorAll('textarea')].some((t) => t.value.includes('健身器材坏了')),
      undefined,
      { timeout: UI_TIMEOUT },
    );
    await typeInto(field(secretary, '岗位名称').locator('.field-input'), '健身器材报修协助');
    if (!(await field(secretary, '服务地点').locator('input').inputValue())) {
      await typeInto(field(secretary, '服务地点').locator('.field-input'), '清和苑 3 幢');
    }
    if (!(await field(secretary, '岗位类别').locator('.chip.is-active').count())) {
      await field(secretary, '岗位类别').locator('.chip', { hasText: '便民服务' }).click();
    }
    await publish.locator('.btn', { hasText: '发布岗位' }).click();
    await shown(secretary).locator('.task-card', { hasText: '健身器材报修协助' }).first().waitFor({ timeout: UI_TIMEOUT });
  });

  it('turns a resident’s demand into a whistle in one request, its form pre-filled from it', async () => {
    await apiAs(walk.app.baseUrl, 'dev:resident', 'POST', '/demands', {
      communityOrgId: community,
      text: '清和苑北门外人行道地砖松动，雨天溅水绊脚。',
    });
    await landOn(secretary, `${walk.app.baseUrl}/#/staff/manage/index`);
    await shown(secretary).locator('.manage__action', { hasText: '居民点单' }).click({ timeout: UI_TIMEOUT });
    const card = shown(secretary).locator('.demands .card', { hasText: '地砖松动' });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.locator('.demands__primary .btn', { hasText: '转为吹哨' }).click();
    const form = shown(secretary).locator('.whistle-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await secretary.waitForFunction(
      () => [...document.querySelectorAll('textarea')].some((t) => t.value === '居民点单：清和苑北门外人行道地砖松动，雨天溅水绊脚。'),
      undefined,
      { timeout: UI_TIMEOUT },
    );
    await form.locator('.field', { hasText: '类别' }).locator('.chip', { hasText: '公共设施' }).click();
    if (!(await form.locator('.whistle-new__location input').inputValue())) {
      await typeInto(form.locator('.whistle-new__location'), '清和苑北门');
    }
    await form.locator('.org-picker__value[data-armed="true"]').click({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.org-picker .field-input'), '住建');
    await form.locator('.org-picker__item', { hasText: '市住建局' }).click();
    await form.locator('.whistle-new__unit', { hasText: '市住建局' }).waitFor({ timeout: UI_TIMEOUT });

    const writes: string[] = [];
    const countWrites = (req: { url(): string; method(): string }) => {
      if (req.method() === 'POST' && /\/api\/v1\/(whistles|demands)/.test(req.url())) writes.push(new URL(req.url()).pathname);
    };
    secretary.on('request', countWrites);
    await form.locator('.btn', { hasText: '吹哨' }).click();
    const detail = shown(secretary).locator('.whistle-detail');
    await detail.locator('.whistle-detail__title', { hasText: '地砖松动' }).waitFor({ timeout: UI_TIMEOUT });
    secretary.off('request', countWrites);
    expect(writes).toEqual([expect.stringMatching(/^\/api\/v1\/demands\/[0-9a-f-]+\/triage$/)]);
    await detail.locator('.whistle-detail__assignment', { hasText: '市住建局' }).filter({ hasText: '待签收' }).waitFor();

    await landOn(secretary, `${walk.app.baseUrl}/#/pages/demands/index`);
    await shown(secretary)
      .locator('.demands .card', { hasText: '地砖松动' })
      .filter({ hasText: '吹哨：' })
      .waitFor({ timeout: UI_TIMEOUT });
  });

  it('reads a demand’s contact in full with a reason: the phone the list masks, with 拨打', async () => {
    await apiAs(walk.app.baseUrl, 'dev:resident', 'POST', '/demands', {
      communityOrgId: community,
      text: '清和苑 7 幢独居老人家中灯坏了，需要上门帮忙更换。',
      contactName: '陈阿姨',
      contactPhone: '13912340077',
      contactConsent: true,
    });
    await landOn(secretary, `${walk.app.baseUrl}/#/staff/manage/index`);
    await shown(secretary).locator('.manage__action', { hasText: '居民点单' }).click({ timeout: UI_TIMEOUT });
    const card = shown(secretary).locator('.demands .card', { hasText: '家中灯坏了' });
    await card.filter({ hasText: '联系人：陈阿姨 139****0077' }).waitFor({ timeout: UI_TIMEOUT });
    await card.locator('.personal-read__open', { hasText: '查看完整信息' }).click();
    const reason = `电话联系上门时间 ${Date.now()}`;
    await typeInto(card.locator('.personal-read__reason'), reason);
    await card.locator('.personal-read .btn', { hasText: '确定' }).click();
    await card.locator('.personal-read__phone', { hasText: '13912340077' }).waitFor({ timeout: UI_TIMEOUT });
    await card.locator('.personal-read__call', { hasText: '拨打' }).waitFor();
    const audits = await sql(walk.app, `select entity from audit_log where action = 'demand.personal_data_read' and data->>'reason' = $1`, [
      reason,
    ]);
    expect(audits).toEqual([{ entity: 'demand' }]);
  });

  it('raises a whistle to 市住建局 (lead) and 市城管局 (assist)', async () => {
    await landOn(secretary, `${walk.app.baseUrl}/#/pages/mine/index`);
    await mineItem(secretary, '吹哨报到');
    await shown(secretary).locator('.whistles__raise').click({ timeout: UI_TIMEOUT });
    const form = shown(secretary).locator('.whistle-new');
    await form.waitFor({ timeout: UI_TIMEOUT });
    await typeInto(form.locator('.whistle-new__title'), WHISTLE);
    await form.locator('.field', { hasText: '类别' }).locator('.chip', { hasText: '交通停车' }).click();
    await typeInto(form.locator('.whistle-new__location'), '世茂商圈北侧道路');
    await typeInto(form.locator('.whistle-new__description'), '夜间车辆违停占道，需住建规划临时停车、城管协同疏导。');
    for (const [search, name] of [
      ['住建', '市住建局'],
      ['城管', '市城管局'],
    ]) {
      // The picker takes a tap once its guard against H5 ghost clicks has passed.
      await form.locator('.org-picker__value[data-armed="true"]').click({ timeout: UI_TIMEOUT });
      await typeInto(form.locator('.org-picker .field-input'), search!);
      await form.locator('.org-picker__item', { hasText: name }).click();
      await form.locator('.whistle-new__unit', { hasText: name }).waitFor({ timeout: UI_TIMEOUT });
    }
    await expect(form.locator('.whistle-new__unit', { hasText: '市住建局' }).locator('.chip.is-active').textContent()).resolves.toBe(
      '牵头',
    );
    await expect(form.locator('.whistle-new__unit', { hasText: '市城管局' }).locator('.chip.is-active').textContent()).resolves.toBe(
      '协办',
    );
    await snap(secretary, '13-whistle-new');
    await form.locator('.btn', { hasText: '吹哨' }).click();
    const detail = shown(secretary).locator('.whistle-detail');
    await detail.locator('.whistle-detail__title', { hasText: WHISTLE }).waitFor({ timeout: UI_TIMEOUT });
    await detail.locator('.whistle-detail__assignment', { hasText: '市住建局' }).filter({ hasText: '待签收' }).waitFor();
  });

  it('verifies, closes and rates it once 市住建局 answered; the timeline shows every step', async () => {
    // Outside the secretary's day: the unit's 红色代办员 signs and answers.
    const unit = await orgOf(walk.app.baseUrl, 'dev:liaison', 'unit_liaison');
    const id = new URL(secretary.url().replace('#', '')).searchParams.get('id')!;
    await apiAs(walk.app.baseUrl, 'dev:liaison', 'POST', `/whistles/${id}/assignments/${unit}/sign`);
    await apiAs(walk.app.baseUrl, 'dev:liaison', 'POST', `/whistles/${id}/assignments/${unit}/answer`, {
      text: '已规划商圈北侧临时停车场，并发布党员疏导岗。',
    });
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
    await snap(secretary, '16-whistle-rated');
  });
});
