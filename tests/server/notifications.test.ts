import ICAL from 'ical.js';
import type { Task } from '@pioneer/shared';
import { shortTime } from '../../server/src/modules/notifications/templates';
import { makeUnitOrg, makeWorld } from '../helpers/fixtures';
import { eventually } from '../helpers/fake-wechat';
import { insertMembers, makeSecretary, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { settled } from '../helpers/notifying-world';

const MINUTE = 60_000;
const FAST = { relayIntervalMs: 50, pollingIntervalSeconds: 0.5, reminderCron: null };

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let members: FixtureMember[];

beforeAll(async () => {
  ctx = await createTestContext({ deps: { notifications: { worker: true, options: FAST } } });
  world = await makeWorld(ctx.database.db);
  secretary = (await makeSecretary(ctx, world.community.id, 'notify-sec')).auth;
  members = await insertMembers(ctx, world, 6, 'ntf');
});
afterAll(async () => {
  await ctx.close();
});

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, auth?: { authorization: string }, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload !== undefined ? { payload: payload as object } : {}) });

async function messagesOf(m: { auth: { authorization: string } }) {
  const res = await api('GET', '/me/messages?limit=50', m.auth);
  expect(res.statusCode).toBe(200);
  return res.json() as {
    items: Array<{ id: string; kind: string; title: string; body: string; taskId?: string; readAt: string | null }>;
    unread: number;
    nextCursor: string | null;
  };
}

async function messageRows(userId: string, kind?: string) {
  const { rows } = await ctx.database.pool.query(
    `select kind, event_key, task_id from messages where user_id = $1 ${kind ? 'and kind = $2' : ''} order by created_at`,
    kind ? [userId, kind] : [userId],
  );
  return rows as Array<{ kind: string; event_key: string; task_id: string }>;
}

const claim = (m: FixtureMember, taskId: string) => api('POST', `/tasks/${taskId}/claims`, m.auth);

describe('message center', () => {
  it('a claim lands in the member message center once, with an unread count, and reads clear it', async () => {
    const m = members[0];
    const task = await publishTask(ctx, secretary, world.community.id, { title: '周末敬老院探访' });
    expect((await claim(m, task.id)).statusCode).toBe(201);

    const list = await eventually(async () => {
      const l = await messagesOf(m);
      return l.items.length > 0 ? l : null;
    });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toEqual(expect.objectContaining({ kind: 'claim_result', title: '抢岗成功', taskId: task.id, readAt: null }));
    expect(list.items[0].body).toContain('周末敬老院探访');
    expect(list.unread).toBe(1);
    expect((await api('GET', '/me/messages/unread', m.auth)).json()).toEqual({ unread: 1 });

    // Another member sees none of it.
    expect((await messagesOf(members[1])).items.filter((i) => i.taskId === task.id)).toHaveLength(0);
    // Marking someone else's message read does nothing.
    const foreign = await api('POST', '/me/messages/read', members[1].auth, { ids: [list.items[0].id] });
    expect(foreign.statusCode).toBe(200);
    expect((await messagesOf(m)).unread).toBe(1);

    const read = await api('POST', '/me/messages/read', m.auth, { ids: [list.items[0].id] });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual({ unread: 0 });
    const after = await messagesOf(m);
    expect(after.unread).toBe(0);
    expect(after.items[0].readAt).not.toBeNull();
  });

  it('the same event processed twice, or relayed twice, shows one message', async () => {
    const m = members[1];
    const task = await publishTask(ctx, secretary, world.community.id);
    const res = await claim(m, task.id);
    const claimId = res.json().claim.id as string;
    await eventually(async () => (await messageRows(m.userId, 'claim_result')).length === 1);

    // The job runs again (a crash before pg-boss marked it done, a second process).
    const again = await ctx.app.notifications.processEvent({ key: `claim_result:${claimId}`, kind: 'claim_result', payload: { claimId } });
    expect(again).toEqual({ messages: 0, wechat: 0 });
    // The relay forgets it moved the row (a crash between queueing and marking, were that possible).
    await ctx.database.pool.query(`update notification_outbox set relayed_at = null where key = $1`, [`claim_result:${claimId}`]);
    await eventually(async () => {
      const { rows } = await ctx.database.pool.query('select relayed_at from notification_outbox where key = $1', [
        `claim_result:${claimId}`,
      ]);
      return rows[0].relayed_at !== null;
    });
    await settled(ctx);
    expect(await messageRows(m.userId, 'claim_result')).toHaveLength(1);
  });

  it('pages newest first with a cursor', async () => {
    const m = members[2];
    const tasks: Task[] = [];
    for (let i = 0; i < 5; i++) tasks.push(await publishTask(ctx, secretary, world.community.id, { title: `分页岗位${i}` }));
    for (const t of tasks) expect((await claim(m, t.id)).statusCode).toBe(201);
    await eventually(async () => (await messageRows(m.userId)).length === 5);
    const first = await api('GET', '/me/messages?limit=2', m.auth);
    expect(first.json().items).toHaveLength(2);
    const seen = new Set<string>(first.json().items.map((i: { id: string }) => i.id));
    let cursor = first.json().nextCursor as string | null;
    while (cursor) {
      const page = await api('GET', `/me/messages?limit=2&cursor=${encodeURIComponent(cursor)}`, m.auth);
      expect(page.statusCode).toBe(200);
      for (const i of page.json().items) seen.add(i.id);
      cursor = page.json().nextCursor;
    }
    expect(seen.size).toBe(5);
    const bad = await api('GET', '/me/messages?cursor=not-a-cursor', m.auth);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
  });

  it('refuses callers without a session, and bad bodies with details', async () => {
    expect((await api('GET', '/me/messages')).statusCode).toBe(401);
    expect((await api('POST', '/me/messages/read', undefined, { nonsense: true })).statusCode).toBe(401);
    const bad = await api('POST', '/me/messages/read', members[0].auth, { ids: ['not-a-uuid'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toContain('ids');
  });
});

describe('post changes', () => {
  it('claimants are told when the secretary moves or cancels a post; others are not', async () => {
    const [a, b, outsider] = [members[3], members[4], members[5]];
    const task = await publishTask(ctx, secretary, world.community.id, { title: '社区义诊' });
    expect((await claim(a, task.id)).statusCode).toBe(201);
    expect((await claim(b, task.id)).statusCode).toBe(201);
    expect((await api('DELETE', `/tasks/${task.id}/claims/me`, b.auth)).statusCode).toBe(200);

    const newStart = new Date(Date.parse(task.startsAt) + 60 * MINUTE).toISOString();
    const newEnd = new Date(Date.parse(task.endsAt) + 60 * MINUTE).toISOString();
    const moved = await api('PATCH', `/tasks/${task.id}`, secretary, { startsAt: newStart, endsAt: newEnd });
    expect(moved.statusCode).toBe(200);
    expect(moved.json().task.startsAt).toBe(newStart);

    await eventually(async () => (await messageRows(a.userId, 'task_changed')).length === 1);
    const changed = (await messagesOf(a)).items.find((i) => i.kind === 'task_changed')!;
    expect(changed.title).toBe('岗位时间变更');

    expect((await api('POST', `/tasks/${task.id}/cancel`, secretary)).statusCode).toBe(200);
    await eventually(async () => (await messageRows(a.userId, 'task_changed')).length === 2);
    expect((await messagesOf(a)).items.find((i) => i.title === '岗位已取消')).toBeTruthy();

    // b cancelled its claim before the move; the outsider never held one.
    await settled(ctx);
    expect(await messageRows(b.userId, 'task_changed')).toHaveLength(0);
    expect(await messageRows(outsider.userId, 'task_changed')).toHaveLength(0);
  });

  it('PATCH checks role before the body, scope and state after', async () => {
    const task = await publishTask(ctx, secretary, world.community.id);
    const asMember = await api('PATCH', `/tasks/${task.id}`, members[0].auth, { nonsense: 1 });
    expect(asMember.statusCode).toBe(403);
    const empty = await api('PATCH', `/tasks/${task.id}`, secretary, {});
    expect(empty.statusCode).toBe(400);
    const backwards = await api('PATCH', `/tasks/${task.id}`, secretary, {
      endsAt: new Date(Date.parse(task.startsAt) - MINUTE).toISOString(),
    });
    expect(backwards.statusCode).toBe(400);
    const nul = await api('PATCH', `/tasks/${task.id}`, secretary, { title: 'a\u0000b' });
    expect(nul.statusCode).toBe(400);
    const otherWorld = await makeWorld(ctx.database.db);
    const otherSec = (await makeSecretary(ctx, otherWorld.community.id, 'notify-sec-2')).auth;
    const foreign = await api('PATCH', `/tasks/${task.id}`, otherSec, { title: '不是我的岗位' });
    expect(foreign.statusCode).toBe(403);
    expect((await api('POST', `/tasks/${task.id}/cancel`, secretary)).statusCode).toBe(200);
    const cancelled = await api('PATCH', `/tasks/${task.id}`, secretary, { title: '已取消的岗位' });
    expect(cancelled.statusCode).toBe(409);
  });
});

describe('whistles', () => {
  it('tell the addressed units liaisons and admins of each step, but not whoever took it', async () => {
    const unit = await makeUnitOrg(ctx.database.db, world.district.id);
    const liaison = await ctx.signIn('whistle-liaison');
    await ctx.grant(liaison.userId, 'unit_liaison', unit.id);
    const admin = await ctx.signIn('whistle-unit-admin');
    await ctx.grant(admin.userId, 'unit_admin', unit.id);
    const raised = await api('POST', '/whistles', secretary, {
      title: '老旧小区加装电梯协调',
      description: '请住建局牵头协调',
      category: 'facilities',
      location: '清和坊3号楼',
      dueAt: new Date(ctx.clock.now().getTime() + 3 * 24 * 60 * MINUTE).toISOString(),
      addressedTo: [{ orgId: unit.id, part: 'lead' }],
      raisedByOrgId: world.community.id,
    });
    expect(raised.statusCode).toBe(201);
    const whistleId = raised.json().whistle.id as string;
    for (const u of [liaison, admin]) await eventually(async () => (await messageRows(u.userId, 'whistle_update')).length === 1);
    const first = (await messagesOf(liaison)).items.find((i) => i.kind === 'whistle_update')!;
    expect(first.title).toBe('吹哨报到：新派单');
    expect(first.body).toContain('老旧小区加装电梯协调');

    expect((await api('POST', `/whistles/${whistleId}/assignments/${unit.id}/sign`, liaison.auth)).statusCode).toBe(200);
    await eventually(async () => (await messageRows(admin.userId, 'whistle_update')).length === 2);
    expect((await messagesOf(admin)).items.some((i) => i.title === '吹哨报到：已签收')).toBe(true);
    await settled(ctx);
    expect(await messageRows(liaison.userId, 'whistle_update')).toHaveLength(1);
  });
});

describe('whistles, the raising side', () => {
  const DAY = 24 * 60 * MINUTE;
  const raise = (auth: { authorization: string }, body: Record<string, unknown>) =>
    api('POST', '/whistles', auth, {
      title: '背街小巷路灯维修',
      description: '多处路灯不亮，请相关单位处理',
      category: 'facilities',
      location: '清和坊西弄',
      dueAt: new Date(ctx.clock.now().getTime() + 5 * DAY).toISOString(),
      ...body,
    });
  const whistleMessages = async (userId: string, whistleId: string) => {
    const { rows } = await ctx.database.pool.query(
      `select title, body, event_key from messages where user_id = $1 and kind = 'whistle_update' and whistle_id = $2 order by created_at, title`,
      [userId, whistleId],
    );
    return rows as Array<{ title: string; body: string; event_key: string }>;
  };
  /** Every outbox row relayed and every event job done. */
  const settled = () =>
    eventually(async () => {
      const { rows } = await ctx.database.pool.query(
        `select (select count(*)::int from notification_outbox where relayed_at is null) +
                (select count(*)::int from pgboss.job where name like 'notify-%' and state in ('created', 'retry', 'active')) as pending`,
      );
      return rows[0].pending === 0;
    });

  it("a community's secretaries hear once each when a unit answers, returns it or asks for more time; its district admins do not", async () => {
    const w = await makeWorld(ctx.database.db);
    const lead = await makeUnitOrg(ctx.database.db, w.district.id, '市住建局机关党委');
    const assist = await makeUnitOrg(ctx.database.db, w.district.id, '市城管局机关党委');
    const raiser = await makeSecretary(ctx, w.community.id, 'raiser-sec-1');
    const colleague = await makeSecretary(ctx, w.community.id, 'raiser-sec-2');
    const districtAdmin = await ctx.signIn('raiser-district-1');
    await ctx.grant(districtAdmin.userId, 'district_admin', w.district.id);
    const leadLiaison = await ctx.signIn('raiser-lead-liaison');
    await ctx.grant(leadLiaison.userId, 'unit_liaison', lead.id);
    const assistLiaison = await ctx.signIn('raiser-assist-liaison');
    await ctx.grant(assistLiaison.userId, 'unit_liaison', assist.id);

    const raised = await raise(raiser.auth, {
      addressedTo: [
        { orgId: lead.id, part: 'lead' },
        { orgId: assist.id, part: 'assist' },
      ],
    });
    expect(raised.statusCode).toBe(201);
    const id = raised.json().whistle.id as string;
    const step = async (auth: { authorization: string }, path: string, body?: object) => {
      const res = await api('POST', `/whistles/${id}/${path}`, auth, body);
      expect(res.statusCode).toBe(200);
      return res.json();
    };

    // Signing is the units' own business; the raiser waits for the answer.
    await step(leadLiaison.auth, `assignments/${lead.id}/sign`);
    const until = new Date(ctx.clock.now().getTime() + 8 * DAY);
    const extended = await step(leadLiaison.auth, `assignments/${lead.id}/extend`, {
      until: until.toISOString(),
      reason: '需协调产权单位，材料未齐',
    });
    // The raiser's own decision is not told back to the raising side.
    await step(raiser.auth, `extensions/${extended.assignments[0].extensions[0].id}/approve`);
    await step(assistLiaison.auth, `assignments/${assist.id}/return`, { reason: '不属于本单位职责' });
    await step(leadLiaison.auth, `assignments/${lead.id}/answer`, { text: '已更换路灯 12 盏，线路已检修' });
    await settled();

    for (const u of [raiser, colleague]) {
      const got = await whistleMessages(u.userId, id);
      expect(got.map((m) => m.title).sort()).toEqual(['吹哨报到：已反馈', '吹哨报到：已退单', '吹哨报到：申请延期'].sort());
      const by = (t: string) => got.find((m) => m.title === t)!.body;
      expect(by('吹哨报到：申请延期')).toContain(`市住建局机关党委申请延期至${shortTime(until)}`);
      expect(by('吹哨报到：申请延期')).toContain('需协调产权单位');
      expect(by('吹哨报到：已反馈')).toContain('市住建局机关党委已反馈');
      expect(by('吹哨报到：已反馈')).toContain('已更换路灯 12 盏');
      expect(by('吹哨报到：已退单')).toContain('市城管局机关党委已退单');
      expect(by('吹哨报到：已退单')).toContain('不属于本单位职责');
    }
    // A whistle of a community is its secretaries' to follow, not the whole 板块's.
    expect(await whistleMessages(districtAdmin.userId, id)).toEqual([]);
    // Whoever took a step is not told of it.
    const own = await whistleMessages(leadLiaison.userId, id);
    expect(own.map((m) => m.title)).not.toContain('吹哨报到：已反馈');
    expect(own.map((m) => m.title)).not.toContain('吹哨报到：申请延期');

    // The answer's job runs again, and its outbox row is relayed again: still one message each.
    const answerKey = (await whistleMessages(colleague.userId, id)).find((m) => m.title === '吹哨报到：已反馈')!.event_key;
    const { rows } = await ctx.database.pool.query('select kind, payload from notification_outbox where key = $1', [answerKey]);
    expect(await ctx.app.notifications.processEvent({ key: answerKey, kind: rows[0].kind, payload: rows[0].payload })).toEqual({
      messages: 0,
      wechat: 0,
    });
    await ctx.database.pool.query('update notification_outbox set relayed_at = null where key = $1', [answerKey]);
    await settled();
    for (const u of [raiser, colleague]) expect(await whistleMessages(u.userId, id)).toHaveLength(3);
  });

  it("a 板块's whistle is followed by its district admins, and a returned lead is told to them", async () => {
    const w = await makeWorld(ctx.database.db);
    const unit = await makeUnitOrg(ctx.database.db, w.district.id, '区交通局机关党委');
    const admins = [await ctx.signIn('raiser-district-a'), await ctx.signIn('raiser-district-b')];
    for (const a of admins) await ctx.grant(a.userId, 'district_admin', w.district.id);
    const communitySecretary = await makeSecretary(ctx, w.community.id, 'raiser-district-sec');
    const liaison = await ctx.signIn('raiser-district-liaison');
    await ctx.grant(liaison.userId, 'unit_liaison', unit.id);

    const raised = await raise(admins[0].auth, { addressedTo: [{ orgId: unit.id, part: 'lead' }], raisedByOrgId: w.district.id });
    expect(raised.statusCode).toBe(201);
    const id = raised.json().whistle.id as string;
    const returned = await api('POST', `/whistles/${id}/assignments/${unit.id}/return`, liaison.auth, { reason: '请改派属地街道' });
    expect(returned.statusCode).toBe(200);
    await settled();

    for (const a of admins) {
      const got = await whistleMessages(a.userId, id);
      expect(got.map((m) => m.title)).toEqual(['吹哨报到：已退单']);
      expect(got[0].body).toContain('区交通局机关党委已退单');
    }
    expect(await whistleMessages(communitySecretary.userId, id)).toEqual([]);
  });
});

describe('whistles going overdue (manual clock)', () => {
  it('the late unit and the raising side hear once when an assignment passes its due time, again when an extension runs out', async () => {
    const DAY = 24 * 60 * MINUTE;
    const w = await makeWorld(ctx.database.db);
    const late = await makeUnitOrg(ctx.database.db, w.district.id, '市水务局机关党委');
    const done = await makeUnitOrg(ctx.database.db, w.district.id, '市供电公司党委');
    const raiser = await makeSecretary(ctx, w.community.id, 'overdue-sec');
    const lateLiaison = await ctx.signIn('overdue-late-liaison');
    await ctx.grant(lateLiaison.userId, 'unit_liaison', late.id);
    const doneLiaison = await ctx.signIn('overdue-done-liaison');
    await ctx.grant(doneLiaison.userId, 'unit_liaison', done.id);
    const t0 = ctx.clock.now().getTime();
    // Due later than any other test's whistle: at its due time, theirs are past the one-day look-back.
    const dueAt = t0 + 20 * DAY;
    try {
      const raised = await api('POST', '/whistles', raiser.auth, {
        title: '小区积水点排涝',
        description: '雨后积水严重，需专业设备',
        category: 'facilities',
        location: '琴湖苑',
        dueAt: new Date(dueAt).toISOString(),
        addressedTo: [
          { orgId: late.id, part: 'lead' },
          { orgId: done.id, part: 'assist' },
        ],
      });
      expect(raised.statusCode).toBe(201);
      const id = raised.json().whistle.id as string;
      expect((await api('POST', `/whistles/${id}/assignments/${done.id}/sign`, doneLiaison.auth)).statusCode).toBe(200);
      expect(
        (await api('POST', `/whistles/${id}/assignments/${done.id}/answer`, doneLiaison.auth, { text: '已派抢修车' })).statusCode,
      ).toBe(200);
      const overdueOf = async (userId: string) => {
        const { rows } = await ctx.database.pool.query(
          `select title, body from messages where user_id = $1 and whistle_id = $2 and title = '吹哨报到：已超期' order by created_at`,
          [userId, id],
        );
        return rows as Array<{ title: string; body: string }>;
      };

      ctx.clock.set(dueAt - MINUTE);
      await ctx.app.notifications.sweepOverdueWhistles();
      await ctx.app.notifications.relay();
      expect(await overdueOf(raiser.userId)).toEqual([]);

      ctx.clock.set(dueAt + MINUTE);
      expect(await ctx.app.notifications.sweepOverdueWhistles()).toBe(1);
      expect(await ctx.app.notifications.sweepOverdueWhistles()).toBe(0);
      await eventually(async () => (await overdueOf(raiser.userId)).length === 1 && (await overdueOf(lateLiaison.userId)).length === 1);
      const [message] = await overdueOf(raiser.userId);
      expect(message.body).toContain('「小区积水点排涝」市水务局机关党委已超期');
      expect(message.body).toContain(`办理时限${shortTime(new Date(dueAt))}`);
      // The unit that answered is not late; a minute later, nothing new.
      expect(await overdueOf(doneLiaison.userId)).toEqual([]);
      ctx.clock.set(dueAt + 2 * MINUTE);
      expect(await ctx.app.notifications.sweepOverdueWhistles()).toBe(0);

      // More time is asked for and granted; when it runs out too, they hear again.
      const until = dueAt + 3 * DAY;
      const extended = await api('POST', `/whistles/${id}/assignments/${late.id}/extend`, lateLiaison.auth, {
        until: new Date(until).toISOString(),
        reason: '设备调配中',
      });
      expect(extended.statusCode).toBe(200);
      const extensionId = extended.json().assignments.find((a: { orgId: string }) => a.orgId === late.id).extensions[0].id;
      expect((await api('POST', `/whistles/${id}/extensions/${extensionId}/approve`, raiser.auth)).statusCode).toBe(200);
      ctx.clock.set(until + MINUTE);
      expect(await ctx.app.notifications.sweepOverdueWhistles()).toBe(1);
      await eventually(async () => (await overdueOf(lateLiaison.userId)).length === 2);
      expect(await overdueOf(raiser.userId)).toHaveLength(2);

      // Long-known delays are not announced after an outage longer than a day.
      ctx.clock.set(until + 3 * DAY);
      await ctx.database.pool.query(`delete from notification_outbox where key like $1`, [`whistle_update:${id}:overdue:%`]);
      expect(await ctx.app.notifications.sweepOverdueWhistles()).toBe(0);
    } finally {
      ctx.clock.set(t0);
    }
  });
});

describe('reminders (manual clock)', () => {
  it('fire at the member reminder times, move with the post, and stop when it is cancelled', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'rem');
    const t0 = ctx.clock.now().getTime();
    try {
      const startsAt = t0 + 3 * 24 * 60 * MINUTE;
      const task = await publishTask(ctx, secretary, world.community.id, {
        title: '提醒测试岗位',
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 120 * MINUTE).toISOString(),
      });
      expect((await claim(m, task.id)).statusCode).toBe(201);
      const reminders = async () => (await messageRows(m.userId, 'task_reminder')).length;

      // 25 h before: nothing due.
      ctx.clock.set(startsAt - 25 * 60 * MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(0);
      // 24 h before: the first reminder; sweeping again adds nothing.
      ctx.clock.set(startsAt - 24 * 60 * MINUTE + MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(1);
      expect(await ctx.app.notifications.sweepReminders()).toBe(0);
      await eventually(async () => (await reminders()) === 1);

      // The secretary moves the post a day later: the 2 h reminder of the old time never comes.
      const moved = startsAt + 24 * 60 * MINUTE;
      const patch = await api('PATCH', `/tasks/${task.id}`, secretary, {
        startsAt: new Date(moved).toISOString(),
        endsAt: new Date(moved + 120 * MINUTE).toISOString(),
      });
      expect(patch.statusCode).toBe(200);
      ctx.clock.set(startsAt - 2 * 60 * MINUTE + MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(0);
      // 24 h before the new time: a reminder for the new time.
      ctx.clock.set(moved - 24 * 60 * MINUTE + MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(1);
      await eventually(async () => (await reminders()) === 2);
      const latest = (await messagesOf(m)).items.find((i) => i.kind === 'task_reminder')!;
      expect(latest.body).toContain('提醒测试岗位');

      // Cancelled: the 2 h reminder of the new time is dropped.
      expect((await api('POST', `/tasks/${task.id}/cancel`, secretary)).statusCode).toBe(200);
      ctx.clock.set(moved - 2 * 60 * MINUTE + MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(0);
      await settled(ctx);
      expect(await reminders()).toBe(2);
    } finally {
      ctx.clock.set(t0);
    }
  });

  it('follow the member preferences, and skip times that passed before the claim', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'rem2');
    const t0 = ctx.clock.now().getTime();
    try {
      const put = await api('PUT', '/members/me/preferences', m.auth, { followCategories: [], remindBeforeMinutes: [30] });
      expect(put.statusCode).toBe(200);
      // Starts in 10 h: the 24 h and 2 h defaults would not apply anyway; 30 min does.
      const startsAt = t0 + 10 * 60 * MINUTE;
      const task = await publishTask(ctx, secretary, world.community.id, {
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 60 * MINUTE).toISOString(),
      });
      expect((await claim(m, task.id)).statusCode).toBe(201);
      ctx.clock.set(startsAt - 2 * 60 * MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(0);
      ctx.clock.set(startsAt - 30 * MINUTE);
      expect(await ctx.app.notifications.sweepReminders()).toBe(1);
      await eventually(async () => (await messageRows(m.userId, 'task_reminder')).length === 1);
    } finally {
      ctx.clock.set(t0);
    }
  });
});

describe('preferences', () => {
  it('defaults, saves, and validates', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'pref');
    const initial = await api('GET', '/members/me/preferences', m.auth);
    expect(initial.json()).toEqual({ preferences: { followCategories: [], remindBeforeMinutes: [1440, 120] } });
    const put = await api('PUT', '/members/me/preferences', m.auth, {
      followCategories: ['care', 'medical'],
      remindBeforeMinutes: [60, 1440],
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ preferences: { followCategories: ['care', 'medical'], remindBeforeMinutes: [1440, 60] } });
    expect((await api('GET', '/members/me/preferences', m.auth)).json().preferences.followCategories).toEqual(['care', 'medical']);

    for (const body of [
      { followCategories: ['nope'], remindBeforeMinutes: [] },
      { followCategories: ['care', 'care'], remindBeforeMinutes: [] },
      { followCategories: [], remindBeforeMinutes: [1] },
      { followCategories: [], remindBeforeMinutes: [60, 60] },
      { followCategories: [] },
    ]) {
      const res = await api('PUT', '/members/me/preferences', m.auth, body);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    // A signed-in user who has not registered: 403 before the body is looked at.
    const stranger = await ctx.signIn('pref-stranger');
    const res = await api('PUT', '/members/me/preferences', stranger.auth, { followCategories: 'bad' });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('NOT_REGISTERED');
    expect((await api('PUT', '/members/me/preferences', undefined, {})).statusCode).toBe(401);
  });

  it('a new post reaches the followers of its category in its community only', async () => {
    const fans = await insertMembers(ctx, world, 3, 'fan');
    for (const f of fans.slice(0, 2)) {
      expect(
        (await api('PUT', '/members/me/preferences', f.auth, { followCategories: ['gardening'], remindBeforeMinutes: [120] })).statusCode,
      ).toBe(200);
    }
    const elsewhere = await makeWorld(ctx.database.db);
    const [far] = await insertMembers(ctx, elsewhere, 1, 'farfan');
    expect(
      (await api('PUT', '/members/me/preferences', far.auth, { followCategories: ['gardening'], remindBeforeMinutes: [] })).statusCode,
    ).toBe(200);

    const task = await publishTask(ctx, secretary, world.community.id, { category: 'gardening', title: '小区园艺修剪' });
    await publishTask(ctx, secretary, world.community.id, { category: 'care' });
    for (const f of fans.slice(0, 2)) {
      await eventually(async () => (await messageRows(f.userId, 'new_task')).length === 1);
      expect((await messageRows(f.userId, 'new_task'))[0].task_id).toBe(task.id);
    }
    await settled(ctx);
    expect(await messageRows(fans[2].userId, 'new_task')).toHaveLength(0);
    expect(await messageRows(far.userId, 'new_task')).toHaveLength(0);
  });
});

describe('calendar feed', () => {
  it('serves live claims as iCalendar with UIDs that survive edits, behind a secret URL that can be reset', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'cal');
    const urlRes = await api('GET', '/members/me/calendar-url', m.auth);
    expect(urlRes.statusCode).toBe(200);
    const url = urlRes.json().url as string;
    expect(url).toMatch(/^http:\/\/pioneer\.test\/api\/v1\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    // Asking again shows the same URL.
    expect((await api('GET', '/members/me/calendar-url', m.auth)).json().url).toBe(url);
    const path = new URL(url).pathname;

    const a = await publishTask(ctx, secretary, world.community.id, { title: '日历岗位甲', location: '文化广场' });
    const b = await publishTask(ctx, secretary, world.community.id, { title: '日历岗位乙' });
    const c = await publishTask(ctx, secretary, world.community.id, { title: '已取消的认领' });
    for (const t of [a, b, c]) expect((await claim(m, t.id)).statusCode).toBe(201);
    expect((await api('DELETE', `/tasks/${c.id}/claims/me`, m.auth)).statusCode).toBe(200);

    // iCalendar times have whole seconds.
    const secs = (iso: string) => Math.floor(Date.parse(iso) / 1000);
    const fetchCal = async () => {
      const res = await ctx.app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/calendar');
      const comp = new ICAL.Component(ICAL.parse(res.body));
      return comp.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    };
    const before = await fetchCal();
    expect(before.map((e) => e.summary).sort()).toEqual(['日历岗位乙', '日历岗位甲']);
    const evA = before.find((e) => e.summary === '日历岗位甲')!;
    expect(evA.location).toContain('文化广场');
    expect(evA.startDate.toJSDate().getTime() / 1000).toBe(secs(a.startsAt));

    const newStart = new Date(Date.parse(a.startsAt) + 30 * MINUTE).toISOString();
    expect((await api('PATCH', `/tasks/${a.id}`, secretary, { startsAt: newStart, title: '日历岗位甲（改）' })).statusCode).toBe(200);
    const after = await fetchCal();
    const evA2 = after.find((e) => e.uid === evA.uid)!;
    expect(evA2.summary).toBe('日历岗位甲（改）');
    expect(evA2.startDate.toJSDate().getTime() / 1000).toBe(secs(newStart));
    expect(evA2.sequence).toBeGreaterThan(evA.sequence);
    expect(new Set(after.map((e) => e.uid))).toEqual(new Set(before.map((e) => e.uid)));

    const reset = await api('POST', '/members/me/calendar-url/reset', m.auth);
    expect(reset.statusCode).toBe(200);
    expect(reset.json().url).not.toBe(url);
    expect((await ctx.app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: new URL(reset.json().url).pathname })).statusCode).toBe(200);
    for (const bad of ['/api/v1/calendar/x.ics', `/api/v1/calendar/${'A'.repeat(43)}.ics`, '/api/v1/calendar/%00.ics']) {
      const res = await ctx.app.inject({ method: 'GET', url: bad });
      expect([400, 404]).toContain(res.statusCode);
    }
  });
});
