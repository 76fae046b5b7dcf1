import { TEMPLATE_KEYS, type Task } from '@pioneer/shared';
import { buildApp } from '../../server/src/app';
import { createDatabase, type Db } from '../../server/src/db/client';
import { developmentProvider } from '../../server/src/modules/auth/wechat-provider';
import { pioneerCodeServiceFactory } from '../../server/src/modules/codes/pioneer-code';
import { wechatClientFactory } from '../../server/src/lib/wechat-client';
import { outboxRepository } from '../../server/src/modules/notifications/outbox-repository';
import { fitTime } from '../../server/src/modules/notifications/templates';
import { wechatSenderFactory } from '../../server/src/modules/notifications/wechat-sender';
import { wechatTokensRepositoryFactory } from '../../server/src/modules/notifications/wechat-tokens-repository';
import { makeUnitOrg, makeWorld } from '../helpers/fixtures';
import { eventually, type FakeWechat } from '../helpers/fake-wechat';
import { insertMembers, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { type TestContext } from '../helpers/test-app';
import { notifyingWorld, NOTIFY_TEST_OPTIONS, settled, type NotifyingWorld } from '../helpers/notifying-world';

const MINUTE = 60_000;

let fake: FakeWechat;
let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };

let notifying: NotifyingWorld;

beforeAll(async () => {
  notifying = await notifyingWorld('wx-sec');
  ({ fake, ctx, world, secretary } = notifying);
});
afterAll(async () => {
  await notifying.close();
});

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, auth?: { authorization: string }, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload !== undefined ? { payload: payload as object } : {}) });

const openidOf = (m: FixtureMember) =>
  ctx.database.pool.query<{ openid: string }>('select openid from users where id = $1', [m.userId]).then((r) => r.rows[0].openid);

async function subscribe(m: { auth: { authorization: string } }, results: Record<string, string>, times = 1) {
  let res;
  for (let i = 0; i < times; i++) {
    res = await api('POST', '/me/subscriptions', m.auth, { results });
    expect(res.statusCode).toBe(200);
  }
  return res!.json().credits as Record<string, number>;
}

async function delivery(userId: string, kind: string) {
  const { rows } = await ctx.database.pool.query(
    `select d.status, d.attempts, d.last_error from wechat_deliveries d join messages m on m.id = d.message_id
      where m.user_id = $1 and m.kind = $2 order by m.created_at`,
    [userId, kind],
  );
  return rows as Array<{ status: string; attempts: number; last_error: string | null }>;
}

const messageCount = async (userId: string, kind: string) =>
  (await ctx.database.pool.query('select count(*)::int as n from messages where user_id = $1 and kind = $2', [userId, kind])).rows[0]
    .n as number;

const claim = (m: FixtureMember, taskId: string) => api('POST', `/tasks/${taskId}/claims`, m.auth);

describe('subscriptions', () => {
  it('counts one credit per accept, for any signed-in user; ban takes them away', async () => {
    const staff = await ctx.signIn('wx-staff');
    const state = await api('GET', '/me/subscriptions', staff.auth);
    expect(state.statusCode).toBe(200);
    expect(state.json().templates).toEqual(Object.fromEntries(TEMPLATE_KEYS.map((k) => [k, `tpl-${k.replace(/_/g, '-')}`])));
    expect(Object.values(state.json().credits)).toEqual(TEMPLATE_KEYS.map(() => 0));

    const credits = await subscribe(staff, { claim_result: 'accept', task_reminder: 'accept', new_task: 'reject' }, 2);
    expect(credits).toEqual(expect.objectContaining({ claim_result: 2, task_reminder: 2, new_task: 0 }));
    const banned = await subscribe(staff, { task_reminder: 'ban', whistle_update: 'filter' });
    expect(banned).toEqual(expect.objectContaining({ claim_result: 2, task_reminder: 0, whistle_update: 0 }));

    for (const body of [{ results: { no_such_template: 'accept' } }, { results: { claim_result: 'maybe' } }, {}, { results: 'accept' }]) {
      const res = await api('POST', '/me/subscriptions', staff.auth, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await api('POST', '/me/subscriptions', undefined, { results: {} })).statusCode).toBe(401);
  });
});

describe('WeChat delivery', () => {
  it('sends only with a credit, counts credits down, and always writes the message center', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'wxc');
    const openid = await openidOf(m);
    await subscribe(m, { claim_result: 'accept' }, 2);
    const tasks: Task[] = [];
    for (let i = 0; i < 3; i++) tasks.push(await publishTask(ctx, secretary, world.community.id, { title: `微信岗位${i}` }));
    for (const t of tasks) {
      expect((await claim(m, t.id)).statusCode).toBe(201);
      await eventually(async () => (await messageCount(m.userId, 'claim_result')) === tasks.indexOf(t) + 1);
    }
    await eventually(async () => fake.delivered().filter((s) => s.openid === openid).length === 2);
    await settled(ctx);
    const mine = fake.sends.filter((s) => s.openid === openid);
    expect(mine).toHaveLength(2);
    expect(mine[0]).toEqual(
      expect.objectContaining({
        templateId: 'tpl-claim-result',
        page: `pages/task-detail/index?id=${tasks[0].id}`,
        errcode: 0,
        violations: [],
      }),
    );
    expect(mine[0].data.thing1.value).toBe('微信岗位0');
    expect((await api('GET', '/me/subscriptions', m.auth)).json().credits.claim_result).toBe(0);
    expect(await messageCount(m.userId, 'claim_result')).toBe(3);
    expect((await delivery(m.userId, 'claim_result')).map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('43101 spends nothing further and leaves the message center', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'wx43101');
    const openid = await openidOf(m);
    await subscribe(m, { claim_result: 'accept' }, 3);
    fake.script(openid, [43101]);
    const a = await publishTask(ctx, secretary, world.community.id);
    expect((await claim(m, a.id)).statusCode).toBe(201);
    await eventually(async () => (await delivery(m.userId, 'claim_result'))[0]?.status === 'refused');
    expect((await api('GET', '/me/subscriptions', m.auth)).json().credits.claim_result).toBe(0);

    const b = await publishTask(ctx, secretary, world.community.id);
    expect((await claim(m, b.id)).statusCode).toBe(201);
    await eventually(async () => (await messageCount(m.userId, 'claim_result')) === 2);
    await settled(ctx);
    expect(fake.sends.filter((s) => s.openid === openid)).toHaveLength(1);
    expect(await delivery(m.userId, 'claim_result')).toHaveLength(1);
  });

  it('-1 is retried with growing delays until WeChat takes it', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'wxbusy');
    const openid = await openidOf(m);
    await subscribe(m, { claim_result: 'accept' });
    fake.script(openid, [-1, -1]);
    const t = await publishTask(ctx, secretary, world.community.id);
    expect((await claim(m, t.id)).statusCode).toBe(201);
    await eventually(async () => (await delivery(m.userId, 'claim_result'))[0]?.status === 'sent', 20_000);
    const mine = fake.sends.filter((s) => s.openid === openid);
    expect(mine.map((s) => s.errcode)).toEqual([-1, -1, 0]);
    const gaps = [mine[1].at - mine[0].at, mine[2].at - mine[1].at];
    // pg-boss backoff: retryDelay·2^(n-1)·(1..2) seconds.
    expect(gaps[0]).toBeGreaterThanOrEqual(900);
    expect(gaps[1]).toBeGreaterThanOrEqual(1900);
    expect((await delivery(m.userId, 'claim_result'))[0].attempts).toBe(3);
    expect(await messageCount(m.userId, 'claim_result')).toBe(1);
  }, 30_000);

  it('gives up after the retry limit and gives the credit back', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'wxdown');
    const openid = await openidOf(m);
    await subscribe(m, { claim_result: 'accept' });
    fake.script(openid, [-1, -1, -1, -1]);
    const t = await publishTask(ctx, secretary, world.community.id);
    expect((await claim(m, t.id)).statusCode).toBe(201);
    await eventually(async () => (await delivery(m.userId, 'claim_result'))[0]?.status === 'failed', 25_000);
    expect(fake.sends.filter((s) => s.openid === openid)).toHaveLength(3);
    expect((await api('GET', '/me/subscriptions', m.auth)).json().credits.claim_result).toBe(1);
    expect(await messageCount(m.userId, 'claim_result')).toBe(1);
  }, 30_000);

  it('an unreachable WeChat is retried too', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'wx502');
    const openid = await openidOf(m);
    await subscribe(m, { claim_result: 'accept' });
    fake.setDown(true);
    try {
      const t = await publishTask(ctx, secretary, world.community.id);
      expect((await claim(m, t.id)).statusCode).toBe(201);
      await eventually(async () => (await delivery(m.userId, 'claim_result'))[0]?.attempts >= 1);
    } finally {
      fake.setDown(false);
    }
    await eventually(async () => (await delivery(m.userId, 'claim_result'))[0]?.status === 'sent', 20_000);
    expect(fake.delivered().filter((s) => s.openid === openid)).toHaveLength(1);
  }, 30_000);

  it('every template payload fits WeChat field limits, even from long titles with emoji', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'wxfit');
    const openid = await openidOf(m);
    await subscribe(m, Object.fromEntries(TEMPLATE_KEYS.map((k) => [k, 'accept'])), 3);
    expect(
      (await api('PUT', '/members/me/preferences', m.auth, { followCategories: ['lei_feng_tutor'], remindBeforeMinutes: [1440] }))
        .statusCode,
    ).toBe(200);
    let extendUntil = new Date(0);
    const long = '🎉学雷锋志愿服务进社区暨邻里守望互助关爱行动第二季启动仪式现场秩序维护与引导岗位（需提前到场）';
    const place = '虞山街道清和坊社区党群服务中心一楼多功能活动室（北门进，电梯旁）'.repeat(2);
    const t0 = ctx.clock.now().getTime();
    try {
      const task = await publishTask(ctx, secretary, world.community.id, {
        title: long.slice(0, 60),
        location: place.slice(0, 120),
        category: 'lei_feng_tutor',
      });
      expect((await claim(m, task.id)).statusCode).toBe(201);
      expect(
        (await api('PATCH', `/tasks/${task.id}`, secretary, { startsAt: new Date(Date.parse(task.startsAt) + 10 * MINUTE).toISOString() }))
          .statusCode,
      ).toBe(200);
      // Each event is processed from the rows as they are then: let it land before time moves on.
      await eventually(async () => (await messageCount(m.userId, 'task_changed')) === 1);
      ctx.clock.set(Date.parse(task.startsAt) + 10 * MINUTE - 24 * 60 * MINUTE + MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(1);
      await eventually(async () => (await messageCount(m.userId, 'task_reminder')) === 1);

      // Check in at the start and out an hour later: service minutes recorded.
      const codes = pioneerCodeServiceFactory({ secret: ctx.config.pioneerCodeSecret, clock: ctx.clock });
      ctx.clock.set(Date.parse(task.startsAt) + 10 * MINUTE);
      expect((await api('POST', `/tasks/${task.id}/check-ins`, secretary, { token: codes.issue(m.memberId).token })).statusCode).toBe(200);
      ctx.clock.set(Date.parse(task.startsAt) + 70 * MINUTE);
      expect((await api('POST', `/tasks/${task.id}/check-outs`, secretary, { token: codes.issue(m.memberId).token })).statusCode).toBe(200);

      // A real waitlist offer: a full post, m waiting, its holder cancels.
      const full = await publishTask(ctx, secretary, world.community.id, { title: long.slice(0, 60), capacity: 1 });
      const [holder] = await insertMembers(ctx, world, 1, 'wxfitholder');
      expect((await claim(holder, full.id)).statusCode).toBe(201);
      expect((await api('POST', `/tasks/${full.id}/waitlist`, m.auth)).statusCode).toBe(201);
      expect((await api('DELETE', `/tasks/${full.id}/claims/me`, holder.auth)).statusCode).toBe(200);
      await eventually(async () => (await messageCount(m.userId, 'waitlist_offer')) === 1);

      // A lost draw has its own test (notifications-waitlist.test.ts); whistles come through the same API.
      const unit = await makeUnitOrg(ctx.database.db, world.district.id);
      await ctx.grant(m.userId, 'unit_admin', unit.id);
      await ctx.database.db.transaction(async (tx) => {
        await outboxRepository.enqueue(tx, { kind: 'claim_result', taskId: task.id, memberId: m.memberId, outcome: 'lost' });
        await outboxRepository.enqueue(tx, {
          kind: 'whistle_update',
          whistleId: '00000000-0000-4000-8000-000000000001',
          orgIds: [unit.id],
          ref: 'assigned',
          title: long,
          status: '已派单待签收处理',
          dueAt: new Date(t0 + 3 * 24 * 60 * MINUTE),
          note: place,
        });
      });
      // A meeting the unit is invited to (共商共办), with a long title and place.
      const convened = await api('POST', '/meetings', secretary, {
        kind: 'coordination',
        title: long.slice(0, 60),
        startsAt: new Date(ctx.clock.now().getTime() + 2 * 24 * 60 * MINUTE).toISOString(),
        location: place.slice(0, 120),
        agenda: [{ title: long }],
        invitedOrgIds: [unit.id],
      });
      expect(convened.statusCode).toBe(201);
      // A real whistle m raised as a secretary: its units' answer, return and extension request reach m.
      await ctx.grant(m.userId, 'secretary', world.community.id);
      await subscribe(m, { whistle_update: 'accept' }, 2);
      const leadUnit = await makeUnitOrg(
        ctx.database.db,
        world.district.id,
        '🏛️市住房和城乡建设局机关党委第一党支部（城市更新与老旧小区改造专班）',
      );
      const assistUnit = await makeUnitOrg(ctx.database.db, world.district.id);
      const liaisons = [await ctx.signIn('wxfit-lead-liaison'), await ctx.signIn('wxfit-assist-liaison')];
      await ctx.grant(liaisons[0].userId, 'unit_liaison', leadUnit.id);
      await ctx.grant(liaisons[1].userId, 'unit_liaison', assistUnit.id);
      const raised = await api('POST', '/whistles', m.auth, {
        title: long.slice(0, 60),
        description: place,
        category: 'facilities',
        location: place.slice(0, 120),
        dueAt: new Date(t0 + 3 * 24 * 60 * MINUTE).toISOString(),
        addressedTo: [
          { orgId: leadUnit.id, part: 'lead' },
          { orgId: assistUnit.id, part: 'assist' },
        ],
        raisedByOrgId: world.community.id,
      });
      expect(raised.statusCode).toBe(201);
      const whistleId = raised.json().whistle.id as string;
      extendUntil = new Date(t0 + 6 * 24 * 60 * MINUTE);
      const steps: Array<[{ authorization: string }, string, object]> = [
        [liaisons[0].auth, `assignments/${leadUnit.id}/extend`, { until: extendUntil.toISOString(), reason: `🙏${place}`.slice(0, 500) }],
        [liaisons[1].auth, `assignments/${assistUnit.id}/return`, { reason: `${long}\n${place}`.slice(0, 500) }],
        [liaisons[0].auth, `assignments/${leadUnit.id}/sign`, {}],
        [liaisons[0].auth, `assignments/${leadUnit.id}/answer`, { text: `${long}\n${place}`.repeat(8).slice(0, 2000) }],
      ];
      for (const [auth, path, body] of steps)
        expect((await api('POST', `/whistles/${whistleId}/${path}`, auth, body)).statusCode).toBe(200);
      // 组织报到: a unit with a long name and emoji asks m's community to accept its agreement.
      await subscribe(m, { unit_update: 'accept' }, 1);
      const unitAdmin = await ctx.signIn('wxfit-unit-admin');
      await ctx.grant(unitAdmin.userId, 'unit_admin', leadUnit.id);
      const proposed = await api('POST', '/agreements', unitAdmin.auth, {
        unitOrgId: leadUnit.id,
        communityOrgId: world.community.id,
        startsOn: '2026-01-01',
        endsOn: '2099-12-31',
        commitments: `${long}\n${place}`.slice(0, 2000),
        contactName: '李联络',
        contactPhone: '13912345678',
      });
      expect(proposed.statusCode).toBe(201);
      const cancelTask = await publishTask(ctx, secretary, world.community.id, { title: long.slice(0, 60) });
      expect((await claim(m, cancelTask.id)).statusCode).toBe(201);
      expect((await api('POST', `/tasks/${cancelTask.id}/cancel`, secretary)).statusCode).toBe(200);
    } finally {
      ctx.clock.set(t0);
    }

    const templates = new Set(TEMPLATE_KEYS.map((k) => `tpl-${k.replace(/_/g, '-')}`));
    await eventually(() => templates.size === new Set(fake.sends.filter((s) => s.openid === openid).map((s) => s.templateId)).size, 20_000);
    await settled(ctx);
    const mine = fake.sends.filter((s) => s.openid === openid);
    expect(mine.filter((s) => s.errcode !== 0 || s.violations.length > 0)).toEqual([]);
    expect(new Set(mine.map((s) => s.templateId))).toEqual(templates);
    for (const s of mine) expect(Object.keys(s.data).length).toBeGreaterThanOrEqual(3);
    const service = mine.find((s) => s.templateId === 'tpl-service-recorded')!;
    expect(service.data.number2.value).toBe('60');
    // The synthetic whistle event, and the unit steps m heard of as the raiser (signing is not one of them).
    await eventually(() => fake.sends.filter((s) => s.openid === openid && s.templateId === 'tpl-whistle-update').length === 4, 20_000);
    await settled(ctx);
    const whistleSends = fake.sends.filter((s) => s.openid === openid && s.templateId === 'tpl-whistle-update');
    expect(whistleSends.map((s) => s.data.phrase2.value).sort()).toEqual(['已派单待签', '申请延期', '已退单', '已反馈'].sort());
    expect(whistleSends.every((s) => s.errcode === 0 && s.violations.length === 0)).toBe(true);
    const extendSend = whistleSends.find((s) => s.data.phrase2.value === '申请延期')!;
    expect(extendSend.data.time3.value).toBe(fitTime(extendUntil));
    expect(extendSend.data.thing4.value).toBe('市住房和城乡建设局机关党委第一党支部（…');
    expect(extendSend.page).toMatch(/^pages\/whistle-detail\/index\?id=/);
  }, 40_000);
});

/** A "process" of its own: a WeChat client with its own memory over the shared token table. */
const senderOf = (db: Db) =>
  wechatSenderFactory({
    client: wechatClientFactory({
      tokens: wechatTokensRepositoryFactory(db),
      appId: 'wx_test_appid',
      appSecret: 'test-app-secret',
      apiBase: fake.base,
    }),
    miniprogramState: 'formal',
  });

describe('the access token', () => {
  it('is fetched once and shared through PostgreSQL by every process, refreshed before expiry and after an invalid-token answer', async () => {
    await ctx.database.pool.query('delete from wechat_tokens');
    const before = fake.tokenCalls.length;
    // Five "processes" (senders with their own memory) ask at once: one stable_token call.
    const senders = Array.from({ length: 5 }, () => senderOf(ctx.database.db));
    const tokens = await Promise.all(senders.map((s) => s.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.tokenCalls.length - before).toBe(1);
    expect(fake.tokenCalls.at(-1)).toEqual(expect.objectContaining({ appid: 'wx_test_appid', force_refresh: false }));

    // A fresh process reads the stored token.
    const late = senderOf(ctx.database.db);
    expect(await late.accessToken()).toBe(tokens[0]);
    expect(fake.tokenCalls.length - before).toBe(1);

    // Within five minutes of expiry: refreshed (without forcing).
    await ctx.database.pool.query(`update wechat_tokens set expires_at = now() + interval '4 minutes'`);
    const other = senderOf(ctx.database.db);
    await other.accessToken();
    expect(fake.tokenCalls.length - before).toBe(2);

    // WeChat says the token is invalid: one forced refresh, and the send goes through.
    fake.revokeToken();
    const [m] = await insertMembers(ctx, world, 1, 'wxtok');
    const openid = await openidOf(m);
    const res = await other.send({
      openid,
      templateId: 'tpl-claim-result',
      page: 'pages/index/index',
      data: { thing1: { value: '测试' } },
    });
    expect(res).toEqual({ errcode: 0 });
    expect(fake.tokenCalls.at(-1)!.force_refresh).toBe(true);
    const { rows } = await ctx.database.pool.query('select access_token from wechat_tokens');
    expect(rows[0].access_token).toBe(fake.sends.at(-1)!.token);
    // The token never reaches a message or a log line: nothing in the database but its row.
    expect(JSON.stringify((await ctx.database.pool.query('select * from wechat_deliveries')).rows)).not.toContain(rows[0].access_token);
  });
});

describe('a restart mid-queue', () => {
  it('loses nothing: every member gets its message once and its WeChat send', async () => {
    const database = createDatabase(ctx.dbUrl, 5);
    const build = (worker: boolean) =>
      buildApp({
        config: ctx.config,
        database,
        clock: ctx.clock,
        logger: false,
        wechat: developmentProvider,
        // Retries enough for the sends WeChat refuses below while the first process runs.
        notifications: { worker, options: { ...NOTIFY_TEST_OPTIONS, wechatRetryLimit: 50 } },
      });
    const members = await insertMembers(ctx, world, 30, 'wxrestart');
    for (const m of members) await subscribe(m, { new_task: 'accept' });
    for (const m of members) {
      expect(
        (await api('PUT', '/members/me/preferences', m.auth, { followCategories: ['medical'], remindBeforeMinutes: [] })).statusCode,
      ).toBe(200);
    }
    const openids = new Set(await Promise.all(members.map(openidOf)));
    const sentTo = () =>
      new Set(
        fake
          .delivered()
          .filter((s) => openids.has(s.openid))
          .map((s) => s.openid),
      );

    // The test context's own worker stops; a second app takes over, and is stopped mid-queue:
    // WeChat accepts three of its sends and refuses the rest (-1, retried later), so the stop
    // falls mid-queue however fast or slow this machine is.
    await ctx.app.close();
    fake.capDeliveries(fake.delivered().length + 3);
    const first = await build(true);
    await first.ready();
    try {
      const task = await first.inject({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: secretary,
        payload: {
          communityOrgId: world.community.id,
          title: '重启测试岗位',
          category: 'medical',
          location: '卫生服务站',
          startsAt: new Date(ctx.clock.now().getTime() + 48 * 60 * MINUTE).toISOString(),
          endsAt: new Date(ctx.clock.now().getTime() + 50 * 60 * MINUTE).toISOString(),
          capacity: 5,
        },
      });
      expect(task.statusCode).toBe(201);
      await eventually(() => sentTo().size >= 3, 60_000, 10);
      await first.close();
      expect(sentTo().size).toBe(3);

      // Written while no worker runs: kept in the outbox.
      const second = await build(false);
      await second.ready();
      const another = await second.inject({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: secretary,
        payload: {
          communityOrgId: world.community.id,
          title: '停机期间发布',
          category: 'medical',
          location: '卫生服务站',
          startsAt: new Date(ctx.clock.now().getTime() + 72 * 60 * MINUTE).toISOString(),
          endsAt: new Date(ctx.clock.now().getTime() + 74 * 60 * MINUTE).toISOString(),
          capacity: 5,
        },
      });
      expect(another.statusCode).toBe(201);
      await second.close();

      fake.capDeliveries(null);
      const third = await build(true);
      await third.ready();
      try {
        await eventually(async () => {
          const { rows } = await database.pool.query(
            `select count(*)::int as n from messages where kind = 'new_task' and user_id = any($1::uuid[])`,
            [members.map((m) => m.userId)],
          );
          return rows[0].n === 60;
        }, 120_000);
        const statuses = () =>
          database.pool
            .query(
              `select d.status, count(*)::int as n from wechat_deliveries d join messages m on m.id = d.message_id
                where m.kind = 'new_task' and m.user_id = any($1::uuid[]) group by d.status`,
              [members.map((m) => m.userId)],
            )
            .then((r) => r.rows);
        await eventually(async () => (await statuses()).every((r) => r.status === 'sent'), 120_000);
        const rows = await statuses();
        expect(sentTo().size).toBe(30);
        // One credit each: the first post was sent to all 30; the second had none left.
        expect(rows).toEqual([{ status: 'sent', n: 30 }]);
        const perMember = new Map<string, number>();
        for (const s of fake.delivered()) if (openids.has(s.openid)) perMember.set(s.openid, (perMember.get(s.openid) ?? 0) + 1);
        // At least once: a send cut by the shutdown may be repeated, nothing is lost.
        expect([...perMember.values()].every((n) => n >= 1)).toBe(true);
      } finally {
        await third.close();
      }
    } finally {
      fake.capDeliveries(null);
      await database.close();
    }
  }, 300_000);
});
