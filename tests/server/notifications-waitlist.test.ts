import { randomBytes } from 'node:crypto';
import { buildApp } from '../../server/src/app';
import { createDatabase } from '../../server/src/db/client';
import { developmentProvider } from '../../server/src/modules/auth/wechat-provider';
import { fitTime, shortTime } from '../../server/src/modules/notifications/templates';
import { makeWorld } from '../helpers/fixtures';
import { eventually, type FakeWechat } from '../helpers/fake-wechat';
import { insertMembers, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { type TestContext } from '../helpers/test-app';
import { notifyingWorld, NOTIFY_TEST_OPTIONS, settled as settledPipeline, type NotifyingWorld } from '../helpers/notifying-world';

/**
 * Waitlist offers, claims that come from the waitlist and draw results, each told to its member
 * once (message center, and WeChat with a credit), from the transaction that made them.
 */
const MINUTE = 60_000;

let fake: FakeWechat;
let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let t0: number;

let notifying: NotifyingWorld;

beforeAll(async () => {
  notifying = await notifyingWorld('wl-notify-sec');
  ({ fake, ctx, world, secretary } = notifying);
  t0 = ctx.clock.now().getTime();
});
afterAll(async () => {
  await notifying.close();
});
afterEach(() => ctx.clock.set(t0));

const api = (method: 'GET' | 'POST' | 'DELETE', url: string, auth: { authorization: string }, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload !== undefined ? { payload } : {}) });

const openidOf = (m: FixtureMember) =>
  ctx.database.pool.query<{ openid: string }>('select openid from users where id = $1', [m.userId]).then((r) => r.rows[0].openid);

async function subscribeAll(m: FixtureMember) {
  const res = await api('POST', '/me/subscriptions', m.auth, { results: { waitlist_offer: 'accept', claim_result: 'accept' } });
  expect(res.statusCode).toBe(200);
}

async function messagesOf(m: FixtureMember, kind: string) {
  const { rows } = await ctx.database.pool.query(
    'select title, body, event_key, task_id from messages where user_id = $1 and kind = $2 order by created_at',
    [m.userId, kind],
  );
  return rows as Array<{ title: string; body: string; event_key: string; task_id: string }>;
}

const sendsTo = async (m: FixtureMember, templateId: string) => {
  const openid = await openidOf(m);
  return fake.sends.filter((s) => s.openid === openid && s.templateId === templateId);
};

const offerOf = async (taskId: string, m: FixtureMember) => {
  const { rows } = await ctx.database.pool.query(
    `select status, offer_expires_at from waitlist_entries where task_id = $1 and member_id = $2 order by created_at desc limit 1`,
    [taskId, m.memberId],
  );
  return rows[0] as { status: string; offer_expires_at: Date | null } | undefined;
};

/** Outbox rows are relayed and every job is done: nothing more will arrive. */
const settled = () => settledPipeline(ctx);

async function fullPost(capacity: number, overrides: Record<string, unknown> = {}) {
  const task = await publishTask(ctx, secretary, world.community.id, { capacity, ...overrides });
  const holders = await insertMembers(ctx, world, capacity, `wlh${randomBytes(3).toString('hex')}`);
  for (const h of holders) expect((await api('POST', `/tasks/${task.id}/claims`, h.auth)).statusCode).toBe(201);
  return { task, holders };
}

describe('waitlist offers', () => {
  it('a freed slot is offered to the head of the queue with its deadline, once; accepting is told as 候补成功, once', async () => {
    const { task, holders } = await fullPost(1, { title: '社区图书角整理', offerMinutes: 30 });
    const [c, d] = await insertMembers(ctx, world, 2, 'wloffer');
    await subscribeAll(c);
    for (const m of [c, d]) expect((await api('POST', `/tasks/${task.id}/waitlist`, m.auth)).statusCode).toBe(201);

    expect((await api('DELETE', `/tasks/${task.id}/claims/me`, holders[0].auth)).statusCode).toBe(200);
    const offer = await offerOf(task.id, c);
    expect(offer?.status).toBe('offered');
    const deadline = offer!.offer_expires_at!;
    expect(deadline.getTime()).toBe(t0 + 30 * MINUTE);

    await eventually(async () => (await messagesOf(c, 'waitlist_offer')).length === 1);
    const [msg] = await messagesOf(c, 'waitlist_offer');
    expect(msg.title).toBe('候补名额待确认');
    expect(msg.body).toContain('社区图书角整理');
    expect(msg.body).toContain(shortTime(deadline));
    expect(msg.task_id).toBe(task.id);
    const [send] = await eventually(async () => {
      const s = await sendsTo(c, 'tpl-waitlist-offer');
      return s.length === 1 ? s : null;
    });
    expect(send.errcode).toBe(0);
    expect(send.violations).toEqual([]);
    expect(send.data.time2.value).toBe(fitTime(deadline));
    expect(send.page).toBe(`pages/task-detail/index?id=${task.id}`);

    // The job runs again (a crash before pg-boss marked it done, a second process), or the relay repeats it.
    const again = await ctx.app.notifications.processEvent({
      key: msg.event_key,
      kind: 'waitlist_offer',
      payload: { taskId: task.id, memberId: c.memberId, offerExpiresAt: deadline.toISOString() },
    });
    expect(again).toEqual({ messages: 0, wechat: 0 });
    await ctx.database.pool.query('update notification_outbox set relayed_at = null where key = $1', [msg.event_key]);
    await settled();
    expect(await messagesOf(c, 'waitlist_offer')).toHaveLength(1);
    expect(await sendsTo(c, 'tpl-waitlist-offer')).toHaveLength(1);
    // Only the head of the queue was offered anything; the holder who cancelled hears nothing of it.
    expect(await messagesOf(d, 'waitlist_offer')).toHaveLength(0);
    expect(await messagesOf(holders[0], 'waitlist_offer')).toHaveLength(0);
    // One credit, spent.
    expect((await api('GET', '/me/subscriptions', c.auth)).json().credits.waitlist_offer).toBe(0);

    // Accepting: one claim_result, the accepted wording (not a second "抢岗成功" from the claim row).
    expect((await api('POST', `/tasks/${task.id}/waitlist/me/accept`, c.auth)).statusCode).toBe(201);
    await eventually(async () => (await messagesOf(c, 'claim_result')).length === 1);
    await settled();
    const results = await messagesOf(c, 'claim_result');
    expect(results.map((r) => r.title)).toEqual(['候补成功']);
    const claimSends = await sendsTo(c, 'tpl-claim-result');
    expect(claimSends.map((s) => [s.errcode, s.data.phrase4.value])).toEqual([[0, '候补成功']]);
  });

  it('an expired offer moves on and only the next member is told; a stale offer is told to nobody', async () => {
    const { task, holders } = await fullPost(1, { offerMinutes: 10 });
    const [c, d] = await insertMembers(ctx, world, 2, 'wlexpire');
    for (const m of [c, d]) expect((await api('POST', `/tasks/${task.id}/waitlist`, m.auth)).statusCode).toBe(201);
    expect((await api('DELETE', `/tasks/${task.id}/claims/me`, holders[0].auth)).statusCode).toBe(200);
    await eventually(async () => (await messagesOf(c, 'waitlist_offer')).length === 1);
    const first = await offerOf(task.id, c);

    ctx.clock.set(t0 + 10 * MINUTE);
    await ctx.app.claimJobs.tick({ settle: false });
    expect((await offerOf(task.id, c))?.status).toBe('expired');
    expect((await offerOf(task.id, d))?.status).toBe('offered');
    await eventually(async () => (await messagesOf(d, 'waitlist_offer')).length === 1);
    await ctx.app.claimJobs.tick({ settle: false });
    await settled();
    expect(await messagesOf(c, 'waitlist_offer')).toHaveLength(1);
    expect(await messagesOf(d, 'waitlist_offer')).toHaveLength(1);
    expect((await messagesOf(d, 'waitlist_offer'))[0].body).toContain(shortTime(new Date(t0 + 20 * MINUTE)));

    // An offer that ended before its event was processed (here: c's, expired) tells nobody.
    const stale = await ctx.app.notifications.processEvent({
      key: `waitlist_offer:stale-test:${c.memberId}`,
      kind: 'waitlist_offer',
      payload: { taskId: task.id, memberId: c.memberId, offerExpiresAt: first!.offer_expires_at!.toISOString() },
    });
    expect(stale).toEqual({ messages: 0, wechat: 0 });

    // d declines: the slot goes back to the pool, nobody is told anything more.
    expect((await api('DELETE', `/tasks/${task.id}/waitlist/me`, d.auth)).statusCode).toBe(200);
    await settled();
    expect(await messagesOf(d, 'claim_result')).toHaveLength(0);
    expect(await messagesOf(c, 'claim_result')).toHaveLength(0);
  });

  it('inside the cutoff the head of the queue is promoted and told 候补转正, once', async () => {
    const { task } = await fullPost(1, {
      startsAt: new Date(t0 + 180 * MINUTE).toISOString(),
      endsAt: new Date(t0 + 240 * MINUTE).toISOString(),
      cancelCutoffMinutes: 60,
    });
    const [c] = await insertMembers(ctx, world, 1, 'wlpromote');
    await subscribeAll(c);
    expect((await api('POST', `/tasks/${task.id}/waitlist`, c.auth)).statusCode).toBe(201);
    ctx.clock.set(t0 + 130 * MINUTE);
    const list = (await api('GET', `/tasks/${task.id}/claims`, secretary)).json().items as Array<{ claim: { id: string } }>;
    const released = await api('DELETE', `/tasks/${task.id}/claims/${list[0].claim.id}`, secretary, { reason: '临时有事' });
    expect(released.json().claim.status).toBe('released');

    await eventually(async () => (await messagesOf(c, 'claim_result')).length === 1);
    await settled();
    const results = await messagesOf(c, 'claim_result');
    expect(results.map((r) => r.title)).toEqual(['候补转正']);
    expect(await messagesOf(c, 'waitlist_offer')).toHaveLength(0);
    expect((await sendsTo(c, 'tpl-claim-result')).map((s) => [s.errcode, s.data.phrase4.value, s.violations.length])).toEqual([
      [0, '候补转正', 0],
    ]);
  });
});

describe('draw results', () => {
  it('every entrant hears its result once: winners 中签, the others 未中签 with their waitlist place', async () => {
    const drawAt = t0 + 60 * MINUTE;
    const task = await publishTask(ctx, secretary, world.community.id, {
      title: '🎉春节联欢晚会志愿者引导与秩序维护岗位（需提前一小时到场）',
      capacity: 2,
      allocation: 'draw',
      drawAt: new Date(drawAt).toISOString(),
    });
    const entrants = await insertMembers(ctx, world, 6, 'drawnotify');
    for (const m of entrants) {
      await subscribeAll(m);
      const res = await api('POST', `/tasks/${task.id}/entries`, m.auth, { nonce: randomBytes(12).toString('hex') });
      expect(res.statusCode).toBe(201);
    }
    // Entering tells nobody anything yet.
    await settled();
    for (const m of entrants) expect(await messagesOf(m, 'claim_result')).toHaveLength(0);

    ctx.clock.set(drawAt);
    const runs = await Promise.all([1, 2].map(() => ctx.app.claimJobs.tick({ settle: false })));
    expect(runs.reduce((n, r) => n + r.drawn, 0)).toBeLessThanOrEqual(1);
    const { rows: entries } = await ctx.database.pool.query<{ member_id: string; status: string }>(
      'select member_id, status from draw_entries where task_id = $1',
      [task.id],
    );
    expect(entries.filter((e) => e.status === 'won')).toHaveLength(2);
    const won = new Set(entries.filter((e) => e.status === 'won').map((e) => e.member_id));

    for (const m of entrants) await eventually(async () => (await messagesOf(m, 'claim_result')).length === 1);
    await ctx.app.claimJobs.tick({ settle: false });
    await settled();
    for (const m of entrants) {
      const results = await messagesOf(m, 'claim_result');
      expect(results).toHaveLength(1);
      expect(results[0].title).toBe(won.has(m.memberId) ? '抽签中签' : '抽签未中');
      const sends = await sendsTo(m, 'tpl-claim-result');
      expect(sends.map((s) => [s.errcode, s.data.phrase4.value, s.violations])).toEqual([
        [0, won.has(m.memberId) ? '已中签' : '未中签', []],
      ]);
      expect(Array.from(sends[0].data.thing1.value).length).toBeLessThanOrEqual(20);
    }

    // A loser's result processed again (the job ran twice) writes nothing.
    const loser = entrants.find((m) => !won.has(m.memberId))!;
    const key = `claim_result:lost:${task.id}:${loser.memberId}`;
    expect((await messagesOf(loser, 'claim_result'))[0].event_key).toBe(key);
    expect(
      await ctx.app.notifications.processEvent({
        key,
        kind: 'claim_result',
        payload: { taskId: task.id, memberId: loser.memberId, outcome: 'lost' },
      }),
    ).toEqual({ messages: 0, wechat: 0 });

    // A winner cancels: the first loser in draw order is offered the slot, and told.
    const winner = entrants.find((m) => won.has(m.memberId))!;
    expect((await api('DELETE', `/tasks/${task.id}/claims/me`, winner.auth)).statusCode).toBe(200);
    const { rows: head } = await ctx.database.pool.query<{ member_id: string }>(
      `select member_id from waitlist_entries where task_id = $1 and status = 'offered'`,
      [task.id],
    );
    expect(head).toHaveLength(1);
    const offered = entrants.find((m) => m.memberId === head[0].member_id)!;
    await eventually(async () => (await messagesOf(offered, 'waitlist_offer')).length === 1);
    await settled();
    const offers = await Promise.all(entrants.map(async (m) => (await messagesOf(m, 'waitlist_offer')).length));
    expect(offers.reduce((a, b) => a + b, 0)).toBe(1);
  }, 30_000);
});

// Last in this file: it stops the test context's own worker.
describe('a restart between writing an offer and sending it', () => {
  it('the offer is shown once and sent once', async () => {
    const { task, holders } = await fullPost(1, { title: '重启时的候补名额', offerMinutes: 30 });
    const [c] = await insertMembers(ctx, world, 1, 'wlrestart');
    await subscribeAll(c);
    expect((await api('POST', `/tasks/${task.id}/waitlist`, c.auth)).statusCode).toBe(201);
    await settled();

    const database = createDatabase(ctx.dbUrl, 5);
    const build = (worker: boolean) =>
      buildApp({
        config: ctx.config,
        database,
        clock: ctx.clock,
        logger: false,
        wechat: developmentProvider,
        notifications: { worker, options: NOTIFY_TEST_OPTIONS },
      });
    const offerSends = () => sendsTo(c, 'tpl-waitlist-offer');
    await ctx.app.close();
    try {
      // A process without a worker frees the slot: the offer and its notification are written, nothing is sent.
      const writer = await build(false);
      await writer.ready();
      const cancelled = await writer.inject({ method: 'DELETE', url: `/api/v1/tasks/${task.id}/claims/me`, headers: holders[0].auth });
      expect(cancelled.statusCode).toBe(200);
      await writer.close();
      const offer = await offerOf(task.id, c);
      expect(offer?.status).toBe('offered');
      const key = `waitlist_offer:${task.id}:${c.memberId}:${offer!.offer_expires_at!.toISOString()}`;
      const { rows: outbox } = await database.pool.query('select relayed_at from notification_outbox where key = $1', [key]);
      expect(outbox).toEqual([{ relayed_at: null }]);
      expect(await messagesOf(c, 'waitlist_offer')).toHaveLength(0);
      expect(await offerSends()).toHaveLength(0);

      // The server comes back and picks it up; it is stopped again while WeChat is still answering the send.
      fake.setDelay(1500);
      const second = await build(true);
      await second.ready();
      try {
        await eventually(async () => (await offerSends()).length === 1, 15_000, 10);
        const { rows: inFlight } = await database.pool.query(
          `select d.status from wechat_deliveries d join messages m on m.id = d.message_id where m.user_id = $1 and m.kind = 'waitlist_offer'`,
          [c.userId],
        );
        expect(inFlight).toEqual([{ status: 'sending' }]);
      } finally {
        await second.close();
      }

      // And comes back once more: nothing is shown or sent twice.
      fake.setDelay(0);
      const third = await build(true);
      await third.ready();
      try {
        // Its queue runs (workers polling, a relay pass done) and nothing is left to do: from then
        // on nothing can be shown or sent again.
        await third.notifications.started();
        await third.notifications.relay();
        await settled();
      } finally {
        await third.close();
      }
      const shown = await messagesOf(c, 'waitlist_offer');
      expect(shown).toHaveLength(1);
      expect(shown[0].event_key).toBe(key);
      expect(shown[0].body).toContain('重启时的候补名额');
      const sends = await offerSends();
      expect(sends.map((s) => [s.errcode, s.violations.length])).toEqual([[0, 0]]);
      const { rows: deliveries } = await database.pool.query(
        `select d.status, d.attempts from wechat_deliveries d join messages m on m.id = d.message_id where m.user_id = $1 and m.kind = 'waitlist_offer'`,
        [c.userId],
      );
      expect(deliveries).toEqual([{ status: 'sent', attempts: 1 }]);
      const { rows: credits } = await database.pool.query(
        `select credits from subscription_credits where user_id = $1 and template_key = 'waitlist_offer'`,
        [c.userId],
      );
      expect(credits).toEqual([{ credits: 0 }]);
    } finally {
      fake.setDelay(0);
      await database.close();
    }
  }, 60_000);
});
