import type { BrowserContext, Page } from 'playwright-core';
import { readQrPng } from '../helpers/qr-decode';
import { shown, snap, typeInto } from './helpers/browser';
import { apiAs, back, inMinutes, openAs, orgOf, signIn, sql, startWalk, UI_TIMEOUT, waitUntil, type Walk, landOn } from './helpers/walk';

/**
 * The 板块 admin's day (dev:district, 虞山街道) on the demo city, through its screens only: the
 * 数据看板 it lands on, the 先锋指数 ranking, 人工评分 with evidence, a post's 候补 queue, and 共商共办 — a coordination
 * meeting convened from a whistle, its check-in QR full screen with the attendance arriving live
 * while a 红色代办员 checks in by opening the QR's link, minutes and an action item, the liaison's
 * progress on 我的任务 and the convener reading it on the timeline.
 *
 * Outside the walk (API): the secretary's whistle the meeting is about, a full post and its waiting member; the meeting's day arriving
 * (its start moved to a minute ago in the database: no screen makes time pass).
 */

jest.setTimeout(120_000);
const WHISTLE = '琴川路口夜间占道停车';
const ACTION = '施划夜间临时泊位 40 个';

let walk: Walk;
let district: Page;
let liaison: Page;
let liaisonCtx: BrowserContext;
let meetingId = '';
let checkinUrl = '';
const districtFrames: string[] = [];
const districtRequests: string[] = [];

beforeAll(async () => {
  walk = await startWalk();
  ({ page: district } = await walk.phone('district admin'));
  ({ page: liaison, ctx: liaisonCtx } = await walk.phone('liaison'));
  district.on('websocket', (ws) => ws.on('framesent', (f) => districtFrames.push(String(f.payload))));
  // A city reused while writing the walk (E2E_APP_URL) keeps the action of an earlier run: renamed away.
  if (process.env.E2E_APP_URL) await sql(walk.app, `update meeting_actions set title = '旧任务' where title = $1`, [ACTION]);
  district.on('request', (req) => {
    if (req.method() === 'GET') districtRequests.push(new URL(req.url()).pathname);
  });
}, 300_000);

afterAll(async () => {
  await liaisonCtx?.close();
  await walk?.stop();
}, 60_000);

afterEach(() => {
  expect(walk.problems.splice(0)).toEqual([]);
});

describe('板块管理员: dashboard, ranking, manual scores', () => {
  it('lands on the 数据看板 of its 板块, with the demo’s history in it and its tools one tap away', async () => {
    await openAs(district, walk.app.baseUrl, 'dev:district');
    const dash = shown(district).locator('.dash');
    await dash.locator('.dash__metric').first().waitFor({ timeout: UI_TIMEOUT });
    expect(district.url()).toContain('#/staff/dashboard/index');
    await expect(shown(district).locator('.bottom-nav__label').allTextContents()).resolves.toEqual(['数据看板', '消息', '我的']);
    const members = Number(await dash.locator('.dash__metric', { hasText: '报到党员' }).locator('.dash__value').textContent());
    expect(members).toBeGreaterThan(0);
    await expect(dash.locator('.staff-tools__item').allTextContents()).resolves.toEqual(
      expect.arrayContaining(['人工评分', '先锋指数', '吹哨报到', '邀请人员']),
    );
    await dash.locator('.chart-bars__bar').first().waitFor({ timeout: UI_TIMEOUT });
    await snap(district, '22-dashboard-district');
  });

  it('opens the full 先锋指数 ranking of its communities from the dashboard', async () => {
    await shown(district).locator('.staff-tools__item', { hasText: '先锋指数' }).click();
    const rows = shown(district).locator('.idx .idx__row');
    await rows.first().waitFor({ timeout: UI_TIMEOUT });
    expect(await rows.count()).toBeGreaterThan(0);
    await shown(district).locator('.idx__hint', { hasText: '满分' }).waitFor();
    await rows.first().click();
    await shown(district).locator('.idx__part').first().waitFor({ timeout: UI_TIMEOUT });
    await back(district);
    await back(district);
    await shown(district).locator('.dash .dash__metric').first().waitFor({ timeout: UI_TIMEOUT });
  });

  it('opens a community’s 业主信息库 and 居民点单 from its 先锋指数 page and reads a member’s full phone and a demand’s contact with a reason', async () => {
    await shown(district).locator('.staff-tools__item', { hasText: '先锋指数' }).click();
    await shown(district).locator('.idx .idx__row', { hasText: '清和坊社区' }).click({ timeout: UI_TIMEOUT });
    await shown(district).locator('.idx .idx__registry', { hasText: '业主信息库' }).click({ timeout: UI_TIMEOUT });
    const row = shown(district).locator('.registry .registry__member').first();
    await row.waitFor({ timeout: UI_TIMEOUT });
    // Ending another user's sessions is the city admin's alone.
    await expect(shown(district).locator('.registry__revoke').count()).resolves.toBe(0);
    await row.locator('.personal-read__open', { hasText: '查看完整信息' }).click();
    const reason = `走访核实 ${Date.now()}`;
    await typeInto(row.locator('.personal-read__reason'), reason);
    await row.locator('.personal-read .btn', { hasText: '确定' }).click();
    await row
      .locator('.personal-read__phone')
      .filter({ hasText: /^1\d{10}$/ })
      .waitFor({ timeout: UI_TIMEOUT });
    const audits = await sql(walk.app, `select 1 from audit_log where action = 'member.personal_data_read' and data->>'reason' = $1`, [
      reason,
    ]);
    expect(audits).toHaveLength(1);
    await back(district);

    // The same page leads to the community's 居民点单: read, not triaged, the contact read audited.
    // Outside the walk: a resident's demand with a contact.
    const community = await orgOf(walk.app.baseUrl, 'dev:secretary', 'secretary');
    await apiAs(walk.app.baseUrl, 'dev:resident', 'POST', '/demands', {
      communityOrgId: community,
      text: '清和苑 9 幢门口路灯不亮，晚上老人出行不便。',
      contactName: '周师傅',
      contactPhone: '13912340088',
      contactConsent: true,
    });
    await shown(district).locator('.idx .idx__demands', { hasText: '居民点单' }).click({ timeout: UI_TIMEOUT });
    const card = shown(district).locator('.demands .card', { hasText: '9 幢门口路灯不亮' });
    await card.filter({ hasText: '联系人：周师傅 139****0088' }).waitFor({ timeout: UI_TIMEOUT });
    // Triage is the community secretary's: an admin sees the demand and its state only.
    await expect(card.locator('.btn', { hasText: '转为岗位' }).count()).resolves.toBe(0);
    await card.locator('.personal-read__open', { hasText: '查看完整信息' }).click();
    const why = `核实路灯报修联系人 ${Date.now()}`;
    await typeInto(card.locator('.personal-read__reason'), why);
    await card.locator('.personal-read .btn', { hasText: '确定' }).click();
    await card.locator('.personal-read__phone', { hasText: '13912340088' }).waitFor({ timeout: UI_TIMEOUT });
    expect(
      await sql(walk.app, `select 1 from audit_log where action = 'demand.personal_data_read' and data->>'reason' = $1`, [why]),
    ).toHaveLength(1);
    await snap(district, '22b-demands-district');
    await back(district);
    await back(district);
    await back(district);
    await shown(district).locator('.dash .dash__metric').first().waitFor({ timeout: UI_TIMEOUT });
  });

  it('gives a community a manual score with its evidence (人工评分)', async () => {
    // Outside the walk: the city admin admits a manual indicator (the demo's catalogue is all automatic).
    const { items } = await apiAs(walk.app.baseUrl, 'dev:admin', 'GET', '/index/indicators');
    if (!items.some((it: { method: string; admitted: boolean }) => it.method === 'manual' && it.admitted)) {
      await apiAs(walk.app.baseUrl, 'dev:admin', 'PUT', '/index/indicators', {
        items: [
          ...items,
          {
            key: 'joint_activities',
            name: '共建活动',
            guidance: '当月与共建单位开展活动的次数和成效，附签到表或照片。',
            method: 'manual',
            weight: 1,
            maxScore: 10,
            admitted: true,
          },
        ],
      });
    }
    await shown(district).locator('.staff-tools__item', { hasText: '人工评分' }).click();
    const page = shown(district).locator('.scores');
    await page.waitFor({ timeout: UI_TIMEOUT });
    const indicator = page.locator('.field', { hasText: '指标' }).locator('.chip').first();
    await indicator.waitFor({ timeout: UI_TIMEOUT });
    await indicator.click();
    await page.locator('.scores__rule', { hasText: '计分方法' }).waitFor();
    const community = page.locator('.field', { hasText: '社区' }).locator('.chip', { hasText: '清和坊社区' });
    await community.click();
    await typeInto(page.locator('.field', { hasText: '分数' }), '4');
    await typeInto(page.locator('.field', { hasText: '评分依据' }), '本月组织共建活动 2 次，有签到表和照片。');
    await page.locator('.btn', { hasText: '保存评分' }).click();
    // The ranking it reads again shows the score on the community's chip.
    await page.locator('.field', { hasText: '社区' }).locator('.chip', { hasText: '清和坊社区（4分）' }).waitFor({ timeout: UI_TIMEOUT });
    await back(district);
  });
});

describe('候补队列: a post’s queue two taps from the 数据看板', () => {
  it('lists its 板块’s open posts with members waiting first and opens one’s queue', async () => {
    // Outside the walk: a 清和坊 post fills and a member waits for a place.
    const title = '书院新村助老理发';
    const { task } = await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', '/tasks', {
      communityOrgId: await orgOf(walk.app.baseUrl, 'dev:secretary', 'secretary'),
      title,
      category: 'care',
      description: '为高龄老人上门理发。',
      location: '书院新村 12 幢',
      startsAt: inMinutes(2 * 24 * 60),
      endsAt: inMinutes(2 * 24 * 60 + 120),
      capacity: 1,
    });
    await apiAs(walk.app.baseUrl, 'dev:member1', 'POST', `/tasks/${task.id}/claims`);
    await apiAs(walk.app.baseUrl, 'dev:member2', 'POST', `/tasks/${task.id}/waitlist`);

    await landOn(district, `${walk.app.baseUrl}/#/staff/dashboard/index`);
    await shown(district).locator('.staff-tools__item', { hasText: '候补队列' }).click({ timeout: UI_TIMEOUT });
    const card = shown(district).locator('.wq .task-card', { hasText: title });
    await card.waitFor({ timeout: UI_TIMEOUT });
    await expect(card.locator('[data-testid="queue-post-count"]').textContent()).resolves.toBe('候补 1 人');
    // Those with members waiting come first.
    await expect(
      shown(district).locator('.wq .task-card').first().locator('[data-testid="queue-post-count"]').textContent(),
    ).resolves.not.toBe('无人候补');
    await card.click();
    const row = shown(district).locator('.wq .wq__row--waiting');
    await row.waitFor({ timeout: UI_TIMEOUT });
    // 李娜 (dev:member2), masked for staff.
    await expect(row.locator('.wq__name').textContent()).resolves.toMatch(/^李\*\s+138\*{4}8002$/);
    await snap(district, '44-waitlist-district');
    // Back to the list it came from.
    await back(district);
    await shown(district).locator('.wq .task-card', { hasText: title }).waitFor({ timeout: UI_TIMEOUT });
  });
});

describe('共商共办: a meeting from a whistle, live attendance, minutes, an action and its progress', () => {
  it('convenes a coordination meeting from the whistle, the form pre-filled from it', async () => {
    // Outside the walk: the 清和坊社区 secretary's whistle to 市住建局.
    const unit = await orgOf(walk.app.baseUrl, 'dev:liaison', 'unit_liaison');
    await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', '/whistles', {
      title: WHISTLE,
      description: '晚高峰后车辆占道停放，消防通道受阻。',
      category: 'traffic',
      location: '琴川路与枫林路路口',
      dueAt: inMinutes(3 * 24 * 60),
      addressedTo: [{ orgId: unit, part: 'lead' }],
    });

    await landOn(district, `${walk.app.baseUrl}/#/staff/dashboard/index`);
    await shown(district).locator('.staff-tools__item', { hasText: '吹哨报到' }).click({ timeout: UI_TIMEOUT });
    // The newest first (a city reused while writing the walk holds earlier ones).
    const card = shown(district).locator('.whistles .whistle-card', { hasText: WHISTLE }).first();
    await card.waitFor({ timeout: UI_TIMEOUT });
    await card.click();
    const detail = shown(district).locator('.whistle-detail');
    await detail.locator('.whistle-detail__publish', { hasText: '召开现场协调会' }).click();

    const form = shown(district).locator('.meeting-new');
    await form.locator('.meeting-new__from').waitFor({ timeout: UI_TIMEOUT });
    // Title, place and the addressed unit come from the whistle.
    await form.locator('.chip', { hasText: '市住建局' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(form.locator('.field', { hasText: '会议名称' }).locator('input').inputValue()).resolves.toBe(`${WHISTLE}现场协调会`);
    await snap(district, '40-meeting-new');
    await form.locator('.meeting-new__submit').click();

    const meeting = shown(district).locator('.meeting');
    await meeting.locator('.meeting__title', { hasText: `${WHISTLE}现场协调会` }).waitFor({ timeout: UI_TIMEOUT });
    meetingId = new URL(district.url().replace('#', '')).searchParams.get('id') ?? '';
    expect(meetingId).toMatch(/^[0-9a-f-]{36}$/);
    await meeting.locator('.meeting__link', { hasText: WHISTLE }).waitFor();
  });

  it('shows the check-in QR full screen; the liaison checks in by its link and the list updates live', async () => {
    // Outside the walk: the meeting's day arrives (it started a minute ago: check-in is open, closing allowed).
    await sql(walk.app, `update meetings set starts_at = now() - interval '1 minute' where id = $1`, [meetingId]);
    await district.reload();
    const meeting = shown(district).locator('.meeting');
    await meeting.locator('.btn', { hasText: '签到二维码' }).click({ timeout: UI_TIMEOUT });

    const screen = shown(district).locator('.meeting-qr');
    const qr = screen.locator('.meeting-qr__code img');
    await qr.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await expect(screen.locator('[data-testid="meeting-qr-count"]').textContent()).resolves.toContain('已签到 0 人');
    // The screen watches the meeting over the live channel before anyone scans.
    await waitUntil(() => districtFrames.some((f) => f.includes('"watch-meeting"') && f.includes(meetingId)), 'the live watch');
    // What a camera reads off the screen: the meeting's check-in link.
    const painted = readQrPng(await qr.screenshot());
    checkinUrl = painted?.data ?? '';
    expect(checkinUrl).toMatch(new RegExp(`^${walk.app.baseUrl}/m/${meetingId}\\.[A-Za-z0-9_-]+$`));

    const readsBefore = districtRequests.length;
    // The 市住建局 红色代办员 scans it: the link opens the meeting page, which records the attendance.
    await liaison.goto(checkinUrl);
    await signIn(liaison, 'dev:liaison');
    await shown(liaison).locator('.meeting__checked', { hasText: '已签到：市住建局' }).waitFor({ timeout: UI_TIMEOUT });

    // The convener's screen lists it without asking the server again.
    const row = screen.locator('.meeting-qr__row', { hasText: '市住建局' });
    await row.waitFor({ timeout: UI_TIMEOUT });
    await expect(row.textContent()).resolves.toContain('红色代办员');
    await expect(screen.locator('[data-testid="meeting-qr-count"]').textContent()).resolves.toContain('已签到 1 人');
    expect(districtRequests.slice(readsBefore).filter((p) => p.startsWith(`/api/v1/meetings/${meetingId}`))).toEqual([]);
    await snap(district, '41-meeting-qr');
  });

  it('closes the meeting with minutes and gives 市住建局 an action item with a milestone', async () => {
    await back(district);
    const meeting = shown(district).locator('.meeting');
    await meeting.locator('.btn', { hasText: '填写纪要' }).click({ timeout: UI_TIMEOUT });
    const close = meeting.locator('.card', { hasText: '会议纪要' }).filter({ has: district.locator('textarea') });
    const areas = close.locator('textarea');
    await areas.nth(0).fill('住建、城管、交警现场会商：路口两侧施划夜间临时泊位，增设禁停标志。');
    await areas.nth(1).fill('住建局牵头施划夜间临时泊位\n城管局协同劝导');
    await close.locator('.btn', { hasText: '保存纪要' }).click();
    await meeting.locator('.meeting__minutes', { hasText: '夜间临时泊位' }).waitFor({ timeout: UI_TIMEOUT });

    await meeting.locator('.meeting__add', { hasText: '新增任务' }).click();
    const editor = meeting.locator('.card', { hasText: '新增任务（责任分工）' });
    await typeInto(editor.locator('.field', { hasText: '任务' }).first(), ACTION);
    // The picker takes a tap once its guard against H5 ghost clicks has passed.
    await editor.locator('.field', { hasText: '牵头单位' }).locator('.org-picker__value[data-armed="true"]').click({ timeout: UI_TIMEOUT });
    await typeInto(editor.locator('.field', { hasText: '牵头单位' }).locator('.org-picker'), '住建');
    await editor.locator('.org-picker__item', { hasText: '市住建局' }).click();
    await editor.locator('.field', { hasText: '牵头单位' }).locator('.org-picker__value', { hasText: '市住建局' }).waitFor();
    await editor.locator('.btn', { hasText: '添加节点' }).click();
    await editor.locator('.meeting__milestone-title input').fill('完成现场勘测');
    await editor.locator('.btn', { hasText: '分派任务' }).click();
    await meeting.locator('.action-card', { hasText: ACTION }).waitFor({ timeout: UI_TIMEOUT });
    await snap(district, '42-meeting-held');
  });

  it('the liaison reports progress on 我的任务 with a milestone done; the convener reads it on the timeline', async () => {
    await liaison.goto(walk.app.baseUrl);
    // A liaison lands on its whistle inbox; 我的任务 is one tap from there.
    await shown(liaison).locator('.whistle-inbox').waitFor({ timeout: UI_TIMEOUT });
    await shown(liaison).locator('.whistle-inbox__meetings').click();
    await shown(liaison).locator('.meetings__tab.is-active', { hasText: '我的任务' }).waitFor({ timeout: UI_TIMEOUT });
    await shown(liaison).locator('.action-card', { hasText: ACTION }).click({ timeout: UI_TIMEOUT });

    const page = shown(liaison).locator('.action');
    const report = page.locator('.card', { hasText: '报告进度' });
    await report.waitFor({ timeout: UI_TIMEOUT });
    await dragSlider(liaison, report.locator('.weui-slider__handler'), report.locator('.weui-slider__inner'), 0.6);
    // The slider's value is shown once the drag has ended.
    await report
      .locator('.accent', { hasText: /^([5-9]\d|100)%$/ })
      .first()
      .waitFor({ timeout: UI_TIMEOUT });
    const shownProgress = Number(((await report.locator('.accent').first().textContent()) ?? '').replace('%', ''));
    await report.locator('.chip', { hasText: '完成现场勘测' }).click();
    await report.locator('textarea').fill('已完成现场勘测，划线方案报交警备案。');
    await report.locator('.btn', { hasText: '提交进度' }).click();
    const timeline = page.locator('.card', { hasText: '进度时间线' });
    await timeline.locator('.action__event', { hasText: `${shownProgress}%` }).waitFor({ timeout: UI_TIMEOUT });
    await snap(liaison, '43-action-progress');

    // The convener, on the meeting page, opens the action: the liaison's report is on its timeline.
    await district.reload();
    const meeting = shown(district).locator('.meeting');
    await meeting.locator('.action-card', { hasText: ACTION }).click({ timeout: UI_TIMEOUT });
    const seen = shown(district).locator('.action .card', { hasText: '进度时间线' });
    await seen.locator('.action__event', { hasText: '已完成现场勘测' }).waitFor({ timeout: UI_TIMEOUT });
    await seen.locator('.action__event', { hasText: '市住建局' }).first().waitFor();
    await shown(district).locator('.action__milestone', { hasText: '完成现场勘测' }).waitFor();
  });
});

/** Drags a Taro slider's handle to `fraction` of its track with real touch events. */
async function dragSlider(page: Page, handle: ReturnType<Page['locator']>, track: ReturnType<Page['locator']>, fraction: number) {
  await handle.scrollIntoViewIfNeeded();
  const h = (await handle.boundingBox())!;
  const t = (await track.boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const y = h.y + h.height / 2;
  const from = h.x + h.width / 2;
  const to = t.x + t.width * fraction;
  const point = (x: number) => [{ x, y, id: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: point(from) });
  for (let i = 1; i <= 5; i++)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: point(from + ((to - from) * i) / 5) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}
