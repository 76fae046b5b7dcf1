import type { Page } from 'playwright-core';
import { shown, snap, typeInto } from './helpers/browser';
import { apiAs, inMinutes, openAs, orgOf, startWalk, UI_TIMEOUT, type Walk } from './helpers/walk';

/**
 * The 市住建局 红色代办员's day (dev:liaison) on the demo city, through its screens only: it lands
 * on its whistle inbox (its whole job), signs a whistle addressed to its unit and answers it with a
 * linked post; only its own unit's assignment offers actions. Its 共商共办 tasks are walked in
 * district.e2e.test.ts, next to the meeting that gives them.
 *
 * Outside the liaison's day (API): the secretary's whistle.
 */

jest.setTimeout(120_000);
const WHISTLE = '商圈北侧道路违停疏导';

let walk: Walk;
let liaison: Page;

beforeAll(async () => {
  walk = await startWalk();
  ({ page: liaison } = await walk.phone('liaison'));
  const [lead, assist] = await Promise.all([
    orgOf(walk.app.baseUrl, 'dev:liaison', 'unit_liaison'),
    apiAs(walk.app.baseUrl, 'dev:liaison', 'GET', `/party-orgs?kind=unit&q=${encodeURIComponent('城管')}`).then(
      (r) => (r.items as Array<{ id: string; name: string }>).find((o) => o.name === '市城管局')!.id,
    ),
  ]);
  await apiAs(walk.app.baseUrl, 'dev:secretary', 'POST', '/whistles', {
    title: WHISTLE,
    description: '夜间车辆违停占道，需住建规划临时停车、城管协同疏导。',
    category: 'traffic',
    location: '世茂商圈北侧道路',
    dueAt: inMinutes(3 * 24 * 60),
    addressedTo: [
      { orgId: lead, part: 'lead' },
      { orgId: assist, part: 'assist' },
    ],
  });
}, 300_000);

afterAll(async () => walk?.stop(), 60_000);

afterEach(() => {
  expect(walk.problems.splice(0)).toEqual([]);
});

describe('红色代办员: inbox, sign, answer', () => {
  it('lands on the whistle inbox, where the new whistle waits under 待签收', async () => {
    await openAs(liaison, walk.app.baseUrl, 'dev:liaison');
    const inbox = shown(liaison).locator('.whistle-inbox');
    await inbox.waitFor({ timeout: UI_TIMEOUT });
    expect(liaison.url()).toContain('#/pages/whistle-inbox/index');
    await expect(shown(liaison).locator('.bottom-nav__label').first().textContent()).resolves.toBe('吹哨');
    await inbox.locator('.whistle-card', { hasText: WHISTLE }).first().waitFor({ timeout: UI_TIMEOUT });
    await snap(liaison, '14-whistle-inbox');
  });

  it('signs it and answers with a linked post; only its own unit’s assignment offers actions', async () => {
    await shown(liaison).locator('.whistle-inbox .whistle-card', { hasText: WHISTLE }).first().click();
    const detail = shown(liaison).locator('.whistle-detail');
    const mine = detail.locator('.whistle-detail__assignment', { hasText: '市住建局' });
    await mine.locator('.whistle-detail__sign').click({ timeout: UI_TIMEOUT });
    await mine.filter({ hasText: '办理中' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(
      detail.locator('.whistle-detail__assignment', { hasText: '市城管局' }).locator('.whistle-detail__actions').count(),
    ).resolves.toBe(0);

    await mine.locator('.whistle-detail__answer').click();
    await typeInto(mine.locator('.whistle-detail__text'), '已规划商圈北侧临时停车场，并发布党员疏导岗。');
    const post = mine.locator('.whistle-detail__posts .chip').first();
    await post.waitFor({ timeout: UI_TIMEOUT });
    const postTitle = ((await post.textContent()) ?? '').trim();
    await post.click();
    await mine.locator('.whistle-detail__submit').click();
    await mine.filter({ hasText: '已反馈' }).waitFor({ timeout: UI_TIMEOUT });
    await detail.locator('.whistle-detail__status', { hasText: '已反馈' }).waitFor();
    await detail.locator('.whistle-detail__task', { hasText: postTitle }).waitFor();
    await detail.locator('.whistle-detail__event', { hasText: '签收' }).waitFor();
    await snap(liaison, '15-whistle-answered');
  });
});
