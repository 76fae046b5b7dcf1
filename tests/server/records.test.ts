import { pioneerCodeServiceFactory } from '../../server/src/modules/codes/pioneer-code';
import { insertMembers, makeSecretary, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let other: Awaited<ReturnType<typeof makeWorld>>;
let sec: { authorization: string };
let secOther: { authorization: string };
let members: FixtureMember[];

const MINUTE = 60_000;
const T0 = new Date('2030-05-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE).toISOString();

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  other = await makeWorld(ctx.database.db);
  sec = (await makeSecretary(ctx, world.community.id, 'records-sec')).auth;
  secOther = (await makeSecretary(ctx, other.community.id, 'records-sec-other')).auth;
  members = await insertMembers(ctx, world, 12, 'records');
  // The fixture tokens half name the member; these routes need the member in the principal either way.
});
afterAll(async () => ctx.close());
afterEach(() => ctx.clock.set(T0));

const api = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function post(startMin: number, endMin: number, capacity = 5) {
  return publishTask(ctx, sec, world.community.id, { startsAt: at(startMin), endsAt: at(endMin), capacity });
}
async function claim(taskId: string, m: FixtureMember) {
  const res = await api('POST', `/tasks/${taskId}/claims`, m.auth);
  expect(res.statusCode).toBe(201);
  return res.json().claim;
}
async function invariant(taskId: string) {
  const { rows } = await ctx.database.pool.query(
    `select t.claimed, t.capacity, t.service_minutes,
            (select count(*)::int from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released')) live,
            (select coalesce(sum(minutes), 0)::int from claims c where c.task_id = t.id) minutes
       from tasks t where t.id = $1`,
    [taskId],
  );
  expect(rows[0].claimed).toBe(rows[0].live);
  expect(rows[0].service_minutes).toBe(rows[0].minutes);
  return rows[0];
}
const count = async (table: string) => Number((await ctx.database.pool.query(`select count(*) n from ${table}`)).rows[0].n);

describe('check-out', () => {
  it('counts minutes by the minute rule and earns points once for the record', async () => {
    const codes = pioneerCodeServiceFactory({ secret: ctx.config.pioneerCodeSecret, clock: ctx.clock });
    const task = await post(60, 120);
    // Registered through the app (the fixture members' phones are not real ciphertext, and 我的 reads them).
    const m = await registerMember(ctx, 'records-scanned', world);
    await claim(task.id, m as unknown as FixtureMember);
    const scan = (kind: 'check-ins' | 'check-outs') =>
      api('POST', `/tasks/${task.id}/${kind}`, sec, { token: codes.issue(m.memberId).token });
    ctx.clock.set(new Date(T0.getTime() + 40 * MINUTE));
    expect((await scan('check-ins')).statusCode).toBe(200);
    // Checked in, the service is under way: 我的 lists it (已签到) before any minute counts.
    const underway = (await api('GET', '/members/me/records', m.auth)).json();
    expect(underway.items.map((i: { task: { id: string }; claim: { status: string } }) => [i.task.id, i.claim.status])).toEqual([
      [task.id, 'checked_in'],
    ]);
    expect(underway.totals).toEqual(expect.objectContaining({ tasks: 0, minutes: 0 }));
    // Out at 200: the post ended at 120, so service counts to 180 (end + 60), from 60 (not 40).
    ctx.clock.set(new Date(T0.getTime() + 200 * MINUTE));
    const out = await scan('check-outs');
    expect(out.json().claim).toEqual(expect.objectContaining({ status: 'completed', minutes: 120 }));
    expect(await invariant(task.id)).toEqual(expect.objectContaining({ service_minutes: 120 }));
    // The earn follows the scan without holding it up; the catch-up writes nothing twice.
    await ctx.app.points.catchUp();
    await ctx.app.points.catchUp();
    const points = (await api('GET', '/members/me/points', m.auth)).json();
    expect(points.balance).toBe(20);
    expect(points.entries).toEqual([
      expect.objectContaining({ kind: 'earn', amount: 20, ref: { type: 'record', id: out.json().claim.id } }),
    ]);
    const me = (await api('GET', '/members/me', m.auth)).json();
    expect(me.star).toEqual({ level: 0, hours: 2, nextLevelHours: 100 });
  });
});

describe('补记 by the secretary', () => {
  it('records members with and without a claim, under the minute rule, once', async () => {
    const task = await post(60, 180, 2);
    const [a, b, c] = members;
    await claim(task.id, a);
    await claim(task.id, b);
    ctx.clock.set(new Date(T0.getTime() + 260 * MINUTE));
    // Before the start (30 min early) and after end + 60 min (10 min more): neither counts.
    const res = await api('POST', `/tasks/${task.id}/records`, sec, {
      memberIds: [a.memberId, c.memberId],
      checkedInAt: at(30),
      checkedOutAt: at(250),
    });
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((i: { memberId: string }) => i.memberId)).toEqual([a.memberId, c.memberId]);
    for (const i of items) expect(i.claim).toEqual(expect.objectContaining({ status: 'completed', minutes: 180, checkedInAt: at(30) }));
    // The full post grew to the people who served; counters and minutes agree with the rows.
    expect(await invariant(task.id)).toEqual(expect.objectContaining({ claimed: 3, capacity: 3, service_minutes: 360 }));

    const again = await api('POST', `/tasks/${task.id}/records`, sec, { memberIds: [a.memberId] });
    expect(again.json().items[0].claim.minutes).toBe(180);
    expect(await invariant(task.id)).toEqual(expect.objectContaining({ service_minutes: 360 }));

    const records = await api('GET', '/members/me/records', c.auth);
    expect(records.statusCode).toBe(200);
    expect(records.json().items[0].record).toEqual({ id: items[1].claim.id, minutes: 180, source: 'secretary', amended: false });
    expect(records.json().totals).toEqual({ tasks: 1, minutes: 180, hours: 3, star: { level: 0, hours: 3, nextLevelHours: 100 } });
    // Default points rules: 10 per hour.
    expect((await api('GET', '/members/me/points', c.auth)).json()).toEqual(expect.objectContaining({ balance: 30, earned: 30 }));
  });

  it('defaults to the post’s times, refuses before the start, and only its own secretary', async () => {
    const task = await post(60, 120);
    const m = members[3];
    const early = await api('POST', `/tasks/${task.id}/records`, sec, { memberIds: [m.memberId] });
    expect(early.statusCode).toBe(409);
    expect(early.json().details).toEqual([{ path: 'startsAt', reason: 'not_started' }]);
    ctx.clock.set(new Date(T0.getTime() + 300 * MINUTE));
    expect((await api('POST', `/tasks/${task.id}/records`, secOther, { memberIds: [m.memberId] })).statusCode).toBe(403);
    const res = await api('POST', `/tasks/${task.id}/records`, sec, { memberIds: [m.memberId] });
    expect(res.json().items[0].claim).toEqual(expect.objectContaining({ checkedInAt: at(60), checkedOutAt: at(120), minutes: 60 }));
  });

  it('refuses reversed, future, over-24-hour times and unknown members with 400, writing nothing', async () => {
    const task = await post(60, 120);
    ctx.clock.set(new Date(T0.getTime() + 300 * MINUTE));
    const before = { claims: await count('claims'), amendments: await count('record_amendments'), entries: await count('points_entries') };
    const m = members[4];
    const bad = [
      { memberIds: [m.memberId], checkedInAt: at(100), checkedOutAt: at(90) },
      { memberIds: [m.memberId], checkedInAt: at(100), checkedOutAt: at(400) },
      { memberIds: [m.memberId], checkedInAt: at(-2000), checkedOutAt: at(100) },
      { memberIds: [m.memberId, '00000000-0000-4000-8000-000000000000'] },
      { memberIds: [m.memberId], checkedInAt: '1999-12-31T00:00:00Z', checkedOutAt: at(100) },
      { memberIds: [] },
    ];
    for (const body of bad) {
      const res = await api('POST', `/tasks/${task.id}/records`, sec, body);
      expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    expect({ claims: await count('claims'), amendments: await count('record_amendments'), entries: await count('points_entries') }).toEqual(
      before,
    );
  });
});

describe('corrections and 补录', () => {
  it('corrects a wrong scan: the approval amends the record, keeps its history, and points follow', async () => {
    const task = await post(60, 180);
    const m = members[5];
    await claim(task.id, m);
    ctx.clock.set(new Date(T0.getTime() + 200 * MINUTE));
    // The secretary recorded only an hour; the member served two.
    await api('POST', `/tasks/${task.id}/records`, sec, { memberIds: [m.memberId], checkedInAt: at(60), checkedOutAt: at(120) });
    expect((await api('GET', '/members/me/points', m.auth)).json().balance).toBe(10);

    const ask = await api('POST', '/members/me/corrections', m.auth, {
      kind: 'correct',
      taskId: task.id,
      checkedInAt: at(60),
      checkedOutAt: at(180),
      reason: '签退时扫码失败',
    });
    expect(ask.statusCode).toBe(201);
    const correction = ask.json().correction;
    expect(correction).toEqual(expect.objectContaining({ status: 'pending', kind: 'correct', minutes: 120 }));
    const twice = await api('POST', '/members/me/corrections', m.auth, {
      kind: 'correct',
      taskId: task.id,
      checkedInAt: at(60),
      checkedOutAt: at(180),
      reason: '再次申请',
    });
    expect({ status: twice.statusCode, code: twice.json().code }).toEqual({ status: 409, code: 'CONFLICT' });

    const inbox = await api('GET', `/party-orgs/${world.community.id}/corrections?status=pending`, sec);
    expect(inbox.json().items.map((c: { id: string }) => c.id)).toContain(correction.id);
    expect((await api('GET', `/party-orgs/${world.community.id}/corrections`, secOther)).statusCode).toBe(403);
    expect((await api('POST', `/corrections/${correction.id}/approve`, secOther, {})).statusCode).toBe(404);

    const ok = await api('POST', `/corrections/${correction.id}/approve`, sec, { minutes: 110, note: '核实为110分钟' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().correction).toEqual(expect.objectContaining({ status: 'approved', approvedMinutes: 110 }));
    const again = await api('POST', `/corrections/${correction.id}/reject`, sec, { note: '重复' });
    expect({ status: again.statusCode, code: again.json().code }).toEqual({ status: 409, code: 'INVALID_TRANSITION' });

    const records = (await api('GET', '/members/me/records', m.auth)).json();
    const item = records.items.find((i: { task: { id: string } }) => i.task.id === task.id);
    expect(item.record).toEqual(expect.objectContaining({ minutes: 110, source: 'correction', amended: true }));
    expect(await invariant(task.id)).toEqual(expect.objectContaining({ service_minutes: 110 }));

    const history = await api('GET', `/records/${item.record.id}/history`, m.auth);
    expect(history.statusCode).toBe(200);
    const h = history.json().items;
    expect(h).toHaveLength(2);
    expect(h[1]).toEqual(
      expect.objectContaining({
        version: 2,
        source: 'correction',
        before: expect.objectContaining({ minutes: 60 }),
        after: expect.objectContaining({ minutes: 110 }),
        correctionId: correction.id,
        reason: expect.stringContaining('签退时扫码失败'),
      }),
    );
    expect((await api('GET', `/records/${item.record.id}/history`, sec)).statusCode).toBe(200);
    expect((await api('GET', `/records/${item.record.id}/history`, secOther)).statusCode).toBe(404);
    expect((await api('GET', `/records/${item.record.id}/history`, members[6].auth)).statusCode).toBe(404);

    // Ledger: earn 10 (v1), reverse 10, earn 18 (v2: round(110 × 10 / 60)).
    const points = (await api('GET', '/members/me/points', m.auth)).json();
    expect(points.balance).toBe(18);
    expect(points.entries.map((e: { kind: string; amount: number }) => [e.kind, e.amount])).toEqual([
      ['earn', 18],
      ['reverse', -10],
      ['earn', 10],
    ]);
    // The history cannot be rewritten.
    await expect(
      ctx.database.pool.query(`update record_amendments set reason = 'x' where claim_id = $1`, [item.record.id]),
    ).rejects.toThrow(/append-only/);
  });

  it('补录: a member of the community who served without a claim; rejection; the window', async () => {
    const task = await post(60, 120);
    const m = members[7];
    ctx.clock.set(new Date(T0.getTime() + 130 * MINUTE));
    const ask = await api('POST', '/members/me/corrections', m.auth, {
      kind: 'supplement',
      taskId: task.id,
      checkedInAt: at(50),
      checkedOutAt: at(115),
      reason: '临时顶岗，未抢到名额',
    });
    expect(ask.statusCode).toBe(201);
    expect(ask.json().correction.minutes).toBe(55);
    expect((await api('GET', '/members/me/corrections', m.auth)).json().items).toHaveLength(1);
    const ok = await api('POST', `/corrections/${ask.json().correction.id}/approve`, sec, {});
    expect(ok.json().correction).toEqual(expect.objectContaining({ status: 'approved', approvedMinutes: 55 }));
    const rec = (await api('GET', '/members/me/records', m.auth)).json().items.find((i: { task: { id: string } }) => i.task.id === task.id);
    expect(rec.record).toEqual(expect.objectContaining({ minutes: 55, source: 'supplement', amended: false }));
    expect(await invariant(task.id)).toEqual(expect.objectContaining({ service_minutes: 55 }));

    // Another member asks, and is turned down.
    const n = members[8];
    const ask2 = await api('POST', '/members/me/corrections', n.auth, {
      kind: 'supplement',
      taskId: task.id,
      checkedInAt: at(60),
      checkedOutAt: at(120),
      reason: '也在现场',
    });
    const no = await api('POST', `/corrections/${ask2.json().correction.id}/reject`, sec, { note: '未在签到表上' });
    expect(no.json().correction).toEqual(expect.objectContaining({ status: 'rejected', note: '未在签到表上' }));
    expect((await api('GET', '/members/me/records', n.auth)).json().items).toHaveLength(0);

    // `correct` needs a claim; 30 days after the end the window is closed.
    const noClaim = await api('POST', '/members/me/corrections', n.auth, {
      kind: 'correct',
      taskId: task.id,
      checkedInAt: at(60),
      checkedOutAt: at(120),
      reason: '没有认领',
    });
    expect(noClaim.json().code).toBe('NOT_CLAIMED');
    ctx.clock.set(new Date(T0.getTime() + 120 * MINUTE + 31 * 24 * 60 * MINUTE));
    const late = await api('POST', '/members/me/corrections', n.auth, {
      kind: 'supplement',
      taskId: task.id,
      checkedInAt: at(60),
      checkedOutAt: at(120),
      reason: '太晚了',
    });
    expect({ status: late.statusCode, code: late.json().code }).toEqual({ status: 409, code: 'CORRECTION_WINDOW_CLOSED' });
  });

  it('refuses bad times and a post of another community with nothing written', async () => {
    const task = await post(60, 120);
    const foreign = await publishTask(ctx, secOther, other.community.id, { startsAt: at(60), endsAt: at(120) });
    ctx.clock.set(new Date(T0.getTime() + 130 * MINUTE));
    const before = await count('record_corrections');
    const m = members[9];
    for (const [checkedInAt, checkedOutAt] of [
      [at(100), at(90)],
      [at(100), at(200)],
      [at(-1500), at(100)],
    ]) {
      const res = await api('POST', '/members/me/corrections', m.auth, {
        kind: 'supplement',
        taskId: task.id,
        checkedInAt,
        checkedOutAt,
        reason: '测试',
      });
      expect({ status: res.statusCode, code: res.json().code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    }
    const res = await api('POST', '/members/me/corrections', m.auth, {
      kind: 'supplement',
      taskId: foreign.id,
      checkedInAt: at(60),
      checkedOutAt: at(120),
      reason: '别的社区',
    });
    expect(res.statusCode).toBe(403);
    expect(await count('record_corrections')).toBe(before);
  });
});

describe('the member’s records', () => {
  it('filters by China-time days, pages, and refuses a range over five years', async () => {
    const m = members[10];
    // Two posts on different China days: 2030-05-01 and 2030-05-03.
    const p1 = await post(60, 120);
    const p2 = await post(2 * 24 * 60 + 60, 2 * 24 * 60 + 120);
    ctx.clock.set(new Date(T0.getTime() + 3 * 24 * 60 * MINUTE));
    await api('POST', `/tasks/${p1.id}/records`, sec, { memberIds: [m.memberId] });
    await api('POST', `/tasks/${p2.id}/records`, sec, { memberIds: [m.memberId] });
    const all = (await api('GET', '/members/me/records', m.auth)).json();
    expect(all.items.map((i: { task: { id: string } }) => i.task.id)).toEqual([p2.id, p1.id]);
    expect(all.totals).toEqual(expect.objectContaining({ tasks: 2, minutes: 120, hours: 2 }));
    const first = (await api('GET', '/members/me/records?from=2030-05-01&to=2030-05-02', m.auth)).json();
    expect(first.items.map((i: { task: { id: string } }) => i.task.id)).toEqual([p1.id]);
    expect(first.totals).toEqual(expect.objectContaining({ tasks: 1, minutes: 60, hours: 1 }));
    for (const q of ['from=2020-01-01&to=2025-01-02', 'from=2030-05-03&to=2030-05-01', 'from=1999-12-31', 'from=2030-02-30']) {
      const res = await api('GET', `/members/me/records?${q}`, m.auth);
      expect({ q, status: res.statusCode, code: res.json().code }).toEqual({ q, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await api('GET', '/members/me/records?from=2020-01-01&to=2025-01-01', m.auth)).statusCode).toBe(200);
  });

  it('lists only service done or under way (completed and checked-in claims); upcoming, released and missed posts are the member’s claims, not records', async () => {
    const m = members[11];
    const served = await post(60, 120);
    const upcoming = await post(5 * 24 * 60, 5 * 24 * 60 + 60);
    const dropped = await post(6 * 24 * 60, 6 * 24 * 60 + 60);
    await claim(upcoming.id, m);
    await claim(dropped.id, m);
    expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/tasks/${dropped.id}/claims/me`, headers: m.auth })).statusCode).toBe(
      200,
    );
    ctx.clock.set(new Date(T0.getTime() + 3 * 60 * MINUTE));
    await api('POST', `/tasks/${served.id}/records`, sec, { memberIds: [m.memberId] });
    const records = (await api('GET', '/members/me/records', m.auth)).json();
    expect(records.items.map((i: { task: { id: string }; claim: { status: string } }) => [i.task.id, i.claim.status])).toEqual([
      [served.id, 'completed'],
    ]);
    expect(records.totals).toEqual(expect.objectContaining({ tasks: 1, minutes: 60, hours: 1 }));
    const claims = await api('GET', '/members/me/claims', m.auth);
    expect(claims.statusCode).toBe(200);
    expect(claims.json().items.map((i: { task: { id: string }; claim: { status: string } }) => [i.task.id, i.claim.status])).toEqual([
      [upcoming.id, 'claimed'],
    ]);
    expect((await api('GET', '/members/me/claims', {})).statusCode).toBe(401);
  });
});
