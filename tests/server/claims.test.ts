import { CLAIM_SQL } from '../../server/src/modules/claims/claims-sql';
import { pioneerCodeServiceFactory } from '../../server/src/modules/codes/pioneer-code';
import { eventually } from '../helpers/fake-wechat';
import { makeWorld } from '../helpers/fixtures';
import { httpClient, insertMembers, listen, makeSecretary, publishTask, slotState, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let other: Awaited<ReturnType<typeof makeWorld>>;
let secA: Awaited<ReturnType<typeof makeSecretary>>;
let secB: Awaited<ReturnType<typeof makeSecretary>>;
let members: FixtureMember[];
let http: ReturnType<typeof httpClient>;
let codes: ReturnType<typeof pioneerCodeServiceFactory>;

const MINUTE = 60_000;
const T0 = new Date('2030-04-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE).toISOString();

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  other = await makeWorld(ctx.database.db);
  secA = await makeSecretary(ctx, world.community.id, 'claims-sec-a');
  secB = await makeSecretary(ctx, other.community.id, 'claims-sec-b');
  members = await insertMembers(ctx, world, 30, 'claims');
  http = httpClient(await listen(ctx));
  codes = pioneerCodeServiceFactory({ secret: ctx.config.pioneerCodeSecret, clock: ctx.clock });
});
afterAll(async () => {
  http.close();
  await ctx.close();
});

afterEach(() => ctx.clock.set(T0));

const claim = (taskId: string, m: { auth: { authorization: string } }, headers: Record<string, string> = {}) =>
  http.request('POST', `/api/v1/tasks/${taskId}/claims`, { headers: { ...m.auth, ...headers } });
const unclaim = (taskId: string, m: { auth: { authorization: string } }) =>
  http.request('DELETE', `/api/v1/tasks/${taskId}/claims/me`, { headers: m.auth });
const check = (kind: 'check-ins' | 'check-outs', taskId: string, token: string, auth = secA.auth) =>
  http.request('POST', `/api/v1/tasks/${taskId}/${kind}`, { headers: auth, body: { token } });

describe('claiming', () => {
  it('answers 201 with the claim and what remains, and shows it on the post and in the records', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 2 });
    const res = await claim(task.id, members[0]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      claim: {
        id: expect.any(String),
        taskId: task.id,
        memberId: members[0].memberId,
        status: 'claimed',
        claimedAt: T0.toISOString(),
        cancelledAt: null,
        checkedInAt: null,
        checkedOutAt: null,
        minutes: null,
      },
      remaining: 1,
    });
    const detail = await http.request('GET', `/api/v1/tasks/${task.id}`, { headers: members[0].auth });
    expect(detail.body.myClaim).toEqual(res.body.claim);
    expect(detail.body.task).toEqual(expect.objectContaining({ claimed: 1, remaining: 1 }));
    // A claim is no service record yet (records are completed claims); the member's live claims list it.
    const records = await http.request('GET', '/api/v1/members/me/records', { headers: members[0].auth });
    expect(records.status).toBe(200);
    expect(records.body.items).toEqual([]);
    expect(records.body.totals).toEqual(expect.objectContaining({ tasks: 0, minutes: 0, hours: 0 }));
    const mine = await http.request('GET', '/api/v1/members/me/claims', { headers: members[0].auth });
    expect(mine.body.items).toEqual([{ task: expect.objectContaining({ id: task.id }), claim: res.body.claim }]);
  });

  it('refuses users who have not registered, and anonymous callers', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id);
    const guest = await ctx.signIn('claims-guest');
    const res = await claim(task.id, guest);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('NOT_REGISTERED');
    const records = await http.request('GET', '/api/v1/members/me/records', { headers: guest.auth });
    expect(records.body.code).toBe('NOT_REGISTERED');
    expect((await http.request('POST', `/api/v1/tasks/${task.id}/claims`)).status).toBe(401);
  });

  it('claims with a token that names the member and with one signed before registering alike', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 3 });
    const [named, unnamed] = await insertMembers(ctx, world, 2, 'claims-tokens');
    const namedAuth = { authorization: `Bearer ${ctx.app.signSession(named.userId, named.memberId)}` };
    const unnamedAuth = { authorization: `Bearer ${ctx.app.signSession(unnamed.userId)}` };
    expect(ctx.app.jwt.decode<{ mid?: string }>(namedAuth.authorization.slice(7))?.mid).toBe(named.memberId);
    expect(ctx.app.jwt.decode<{ mid?: string }>(unnamedAuth.authorization.slice(7))?.mid).toBeUndefined();
    for (const [m, auth] of [
      [named, namedAuth],
      [unnamed, unnamedAuth],
    ] as const) {
      const first = await claim(task.id, { auth });
      expect(first.status).toBe(201);
      expect(first.body.claim.memberId).toBe(m.memberId);
      expect((await claim(task.id, { auth })).body.code).toBe('ALREADY_CLAIMED');
    }
    const { rows } = await ctx.database.pool.query('select member_id from claims where task_id = $1 order by member_id', [task.id]);
    expect(rows.map((r) => r.member_id)).toEqual([named.memberId, unnamed.memberId].sort());
  });

  it('moves the post’s version with every change and notifies it with the count', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 2 });
    const version = async () =>
      Number((await ctx.database.pool.query('select version from tasks where id = $1', [task.id])).rows[0].version);
    const listener = await ctx.database.pool.connect();
    const heard: Array<{ claimed: number; version: number }> = [];
    listener.on('notification', (n) => {
      const count = JSON.parse(n.payload ?? '{}');
      if (count.taskId === task.id) heard.push({ claimed: count.claimed, version: count.version });
    });
    await listener.query('listen task_counts');
    try {
      const v0 = await version();
      const [m1, m2] = members.slice(20, 22);
      expect((await claim(task.id, m1)).status).toBe(201);
      expect((await claim(task.id, m2)).status).toBe(201);
      expect((await unclaim(task.id, m1)).status).toBe(200);
      expect(await version()).toBe(v0 + 3);
      // A bound for a loaded machine, not a figure: NOTIFY arrives in milliseconds.
      const deadline = Date.now() + 30_000;
      while (heard.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(heard).toEqual([
        { claimed: 1, version: v0 + 1 },
        { claimed: 2, version: v0 + 2 },
        { claimed: 1, version: v0 + 3 },
      ]);
    } finally {
      await listener.query('unlisten task_counts');
      listener.release();
    }
  });

  it('answers every refusal in the contract with its code', async () => {
    const notOpen = await publishTask(ctx, secA.auth, world.community.id, { claimOpensAt: at(30) });
    const closing = await publishTask(ctx, secA.auth, world.community.id, { startsAt: at(10), endsAt: at(20) });
    const cancelled = await publishTask(ctx, secA.auth, world.community.id);
    await http.request('POST', `/api/v1/tasks/${cancelled.id}/cancel`, { headers: secA.auth });
    const single = await publishTask(ctx, secA.auth, world.community.id, { capacity: 1 });
    expect((await claim(single.id, members[1])).status).toBe(201);

    const expectCode = async (taskId: string, m: FixtureMember, status: number, code: string) => {
      const res = await claim(taskId, m);
      expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
      expect(typeof res.body.message).toBe('string');
    };
    await expectCode(notOpen.id, members[2], 409, 'CLAIM_NOT_OPEN');
    await expectCode(cancelled.id, members[2], 409, 'TASK_CANCELLED');
    await expectCode(single.id, members[2], 409, 'TASK_FULL');
    await expectCode(single.id, members[1], 409, 'ALREADY_CLAIMED');
    await expectCode('00000000-0000-4000-8000-000000000000', members[2], 404, 'NOT_FOUND');
    expect((await claim('not-a-uuid', members[2])).status).toBe(400);

    ctx.clock.set(new Date(T0.getTime() + 30 * MINUTE));
    expect((await claim(notOpen.id, members[2])).status).toBe(201);
    await expectCode(closing.id, members[2], 409, 'CLAIM_CLOSED');
    expect(await slotState(ctx, single.id)).toEqual(expect.objectContaining({ claimed: 1, live: 1 }));
  });

  it('gives the slot back before the cutoff, and refuses after it or without a claim', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, {
      capacity: 1,
      startsAt: at(180),
      endsAt: at(240),
      cancelCutoffMinutes: 60,
    });
    const first = await claim(task.id, members[3]);
    expect(first.status).toBe(201);
    expect((await slotState(ctx, task.id)).filledAt).toEqual(T0);

    const none = await unclaim(task.id, members[4]);
    expect({ status: none.status, code: none.body.code }).toEqual({ status: 409, code: 'NOT_CLAIMED' });

    ctx.clock.set(new Date(T0.getTime() + 60 * MINUTE));
    const res = await unclaim(task.id, members[3]);
    expect(res.status).toBe(200);
    expect(res.body.claim).toEqual(expect.objectContaining({ id: first.body.claim.id, status: 'cancelled', cancelledAt: at(60) }));
    expect(await slotState(ctx, task.id)).toEqual({ claimed: 0, live: 0, filledAt: null });
    expect((await unclaim(task.id, members[3])).body.code).toBe('NOT_CLAIMED');

    // The slot is back: someone else takes it, and the post fills again.
    expect((await claim(task.id, members[4])).status).toBe(201);
    expect((await slotState(ctx, task.id)).filledAt).toEqual(new Date(at(60)));
    ctx.clock.set(new Date(T0.getTime() + 120 * MINUTE));
    const late = await unclaim(task.id, members[4]);
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: 'CANCEL_TOO_LATE' });
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 1, live: 1 }));
  });
});

describe('on site', () => {
  it('checks in and out with a scanned 先锋码 and counts whole minutes', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { startsAt: at(60), endsAt: at(180) });
    const m = members[5];
    expect((await claim(task.id, m)).status).toBe(201);

    ctx.clock.set(new Date(T0.getTime() + 55 * MINUTE));
    const inRes = await check('check-ins', task.id, codes.issue(m.memberId).token);
    expect(inRes.status).toBe(200);
    expect(inRes.body.claim).toEqual(expect.objectContaining({ status: 'checked_in', checkedInAt: at(55), minutes: null }));
    // A second scan answers like the first.
    expect((await check('check-ins', task.id, codes.issue(m.memberId).token)).body.claim.status).toBe('checked_in');

    ctx.clock.set(new Date(T0.getTime() + 55 * MINUTE + 95 * MINUTE + 59_000));
    const outRes = await check('check-outs', task.id, codes.issue(m.memberId).token);
    expect(outRes.status).toBe(200);
    // The minute rule: from the post's start (60), not the early check-in (55), to 150:59.
    expect(outRes.body.claim).toEqual(expect.objectContaining({ status: 'completed', minutes: 90 }));

    const records = await http.request('GET', '/api/v1/members/me/records', { headers: m.auth });
    expect(records.body.totals).toEqual(expect.objectContaining({ tasks: 1, minutes: 90 }));
    const cancelAfter = await unclaim(task.id, m);
    expect(cancelAfter.body.code).toBe('CANCEL_TOO_LATE');
  });

  it('refuses a member with no claim, bad and expired codes, and check-out before check-in', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id);
    const noClaim = await check('check-ins', task.id, codes.issue(members[6].memberId).token);
    expect({ status: noClaim.status, code: noClaim.body.code }).toEqual({ status: 409, code: 'NOT_CLAIMED' });
    expect((await check('check-outs', task.id, codes.issue(members[6].memberId).token)).body.code).toBe('NOT_CLAIMED');

    const forged = await check('check-ins', task.id, 'not.a.token');
    expect({ status: forged.status, code: forged.body.code }).toEqual({ status: 400, code: 'CODE_INVALID' });
    const session = await check('check-ins', task.id, members[6].token);
    expect(session.body.code).toBe('CODE_INVALID');
    const old = codes.issue(members[6].memberId).token;
    ctx.clock.set(new Date(T0.getTime() + 61_000));
    const expired = await check('check-ins', task.id, old);
    expect({ status: expired.status, code: expired.body.code }).toEqual({ status: 410, code: 'CODE_EXPIRED' });

    expect((await claim(task.id, members[6])).status).toBe(201);
    const early = await check('check-outs', task.id, codes.issue(members[6].memberId).token);
    expect(early.status).toBe(409);
  });

  it('refuses check-out before the post starts (409 CONFLICT, startsAt not_started) and changes nothing', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id);
    const m = members[8];
    expect((await claim(task.id, m)).status).toBe(201);
    // Check-in opens a day early in tests; the post starts in 24 hours.
    expect((await check('check-ins', task.id, codes.issue(m.memberId).token)).status).toBe(200);
    const row = async () =>
      (await ctx.database.pool.query(`select status, checked_out_at, minutes from claims where task_id = $1`, [task.id])).rows;
    const before = await row();
    const counts = async () => (await ctx.database.pool.query(`select claimed, service_minutes from tasks where id = $1`, [task.id])).rows;
    const countsBefore = await counts();

    const early = await check('check-outs', task.id, codes.issue(m.memberId).token);
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({
      code: 'CONFLICT',
      message: '岗位尚未开始，无法签退',
      details: [{ path: 'startsAt', reason: 'not_started' }],
    });
    expect(await row()).toEqual(before);
    expect(before).toEqual([{ status: 'checked_in', checked_out_at: null, minutes: null }]);
    expect(await counts()).toEqual(countsBefore);
    // Someone without a claim hears that first, as at check-in.
    expect((await check('check-outs', task.id, codes.issue(members[9].memberId).token)).body.code).toBe('NOT_CLAIMED');

    // Once it has started, the same scan checks out.
    ctx.clock.set(new Date(Date.parse(task.startsAt) + 40 * MINUTE));
    const out = await check('check-outs', task.id, codes.issue(m.memberId).token);
    expect(out.status).toBe(200);
    expect(out.body.claim.status).toBe('completed');
  });

  it('keeps another community’s secretary and members out of claimants and check-ins', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id);
    expect((await claim(task.id, members[7])).status).toBe(201);
    const token = codes.issue(members[7].memberId).token;

    const list = await http.request('GET', `/api/v1/tasks/${task.id}/claims`, { headers: secA.auth });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      {
        claim: expect.objectContaining({ memberId: members[7].memberId, status: 'claimed' }),
        member: expect.objectContaining({
          id: members[7].memberId,
          phone: expect.stringMatching(/^1\d{2}\*{4}\d{4}$/),
          community: expect.objectContaining({ id: world.community.id }),
        }),
      },
    ]);
    for (const auth of [secB.auth, members[7].auth]) {
      expect((await http.request('GET', `/api/v1/tasks/${task.id}/claims`, { headers: auth })).status).toBe(403);
      expect((await check('check-ins', task.id, token, auth)).status).toBe(403);
      expect((await check('check-outs', task.id, token, auth)).status).toBe(403);
    }
    expect((await slotState(ctx, task.id)).live).toBe(1);
    const { rows } = await ctx.database.pool.query('select status from claims where task_id = $1', [task.id]);
    expect(rows).toEqual([{ status: 'claimed' }]);
  });
});

describe('under concurrency', () => {
  it('gives one member one claim however many times it taps at once', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 5 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => claim(task.id, members[8])));
    const codesSeen = answers.map((a) => (a.status === 201 ? 'created' : a.body.code)).sort();
    expect(codesSeen).toEqual(['ALREADY_CLAIMED', ...Array(8).fill('ALREADY_CLAIMED'), 'created'].sort());
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 1, live: 1 }));
  });

  it('answers ten taps with one Idempotency-Key identically, and refuses the key for another request', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 5 });
    const key = { 'Idempotency-Key': 'tap-7f3c2a' };
    const answers = await Promise.all(Array.from({ length: 10 }, () => claim(task.id, members[9], key)));
    expect(answers[0].status).toBe(201);
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 1, live: 1 }));
    // Later, the same key still replays the first answer, even though a fresh claim would now be refused.
    expect(await claim(task.id, members[9], key)).toEqual(answers[0]);
    const fresh = await claim(task.id, members[9], { 'Idempotency-Key': 'tap-other' });
    expect(fresh.body.code).toBe('ALREADY_CLAIMED');
    expect(await claim(task.id, members[9], { 'Idempotency-Key': 'tap-other' })).toEqual(fresh);

    const elsewhere = await publishTask(ctx, secA.auth, world.community.id);
    const reused = await claim(elsewhere.id, members[9], key);
    expect({ status: reused.status, code: reused.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    // Keys belong to their user: another member may use the same string.
    expect((await claim(task.id, members[10], key)).status).toBe(201);
    expect((await claim(task.id, members[10], { 'Idempotency-Key': '' })).status).toBe(400);
  });

  it('gives a slot back once however many times the member cancels at once', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 2 });
    expect((await claim(task.id, members[23])).status).toBe(201);
    expect((await claim(task.id, members[24])).status).toBe(201);
    const answers = await Promise.all(Array.from({ length: 10 }, () => unclaim(task.id, members[23])));
    const seen = answers.map((a) => (a.status === 200 ? 'ok' : a.body.code)).sort();
    expect(seen).toEqual(['ok', ...Array(9).fill('NOT_CLAIMED')].sort());
    expect(await slotState(ctx, task.id)).toEqual({ claimed: 1, live: 1, filledAt: null });
  });

  it('keeps the counter equal to the live claims through rounds of concurrent cancels and reclaims', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 6 });
    const crowd = members.slice(11, 23);
    for (let round = 0; round < 8; round++) {
      await Promise.all(
        crowd.map(async (m, i) => {
          if ((i + round) % 3 === 0) await unclaim(task.id, m);
          if ((i + round) % 4 === 0) await Promise.all([unclaim(task.id, m), unclaim(task.id, m)]);
          await claim(task.id, m, (i + round) % 2 ? { 'Idempotency-Key': `r${round}-${i}` } : {});
          if ((i + round) % 5 === 0) await Promise.all([unclaim(task.id, m), claim(task.id, m)]);
        }),
      );
      const state = await slotState(ctx, task.id);
      expect(state.claimed).toBe(state.live);
      expect(state.claimed).toBeLessThanOrEqual(6);
      expect(state.filledAt !== null).toBe(state.claimed === 6);
    }
  });

  /** Holds the first statement's transaction open so the second one surely waits on the post's row. */
  async function raceWithin(first: string, second: string, taskId: string, memberId: string) {
    const [a, b] = await Promise.all([ctx.database.pool.connect(), ctx.database.pool.connect()]);
    try {
      const now = ctx.clock.now();
      await a.query('begin');
      // The fixture members' tokens are of version 0 (the claim statement's $4).
      await a.query(first, [taskId, memberId, now, 0]);
      const waiting = b.query(second, [taskId, memberId, now, 0]).then(
        () => 'done',
        (err: { code?: string }) => err.code,
      );
      // Commit only once the second statement is blocked on the first's transaction.
      const { rows } = await a.query<{ pid: number }>('select pg_backend_pid() as pid');
      await eventually(async () => {
        const blocked = await ctx.database.pool.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where $1::int = any(pg_blocking_pids(pid))',
          [rows[0].pid],
        );
        return blocked.rows[0].n > 0;
      });
      await a.query('commit');
      return await waiting;
    } finally {
      a.release();
      b.release();
    }
  }

  it('aborts the loser of a raced claim statement whole, and a cancel that waited on the post sees the first', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 3 });
    const [m, keeper] = [members[25], members[26]];
    expect((await claim(task.id, keeper)).status).toBe(201);
    // A duplicate that passed NOT EXISTS before the winner committed: the unique index aborts it, bump included.
    expect(await raceWithin(CLAIM_SQL, CLAIM_SQL, task.id, m.memberId)).toBe('23505');
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 2, live: 2 }));
    // Cancels lock the post's row first, then read the claim: the second finds it gone.
    const both = await Promise.all([unclaim(task.id, m), unclaim(task.id, m)]);
    expect(both.map((a) => (a.status === 200 ? 'ok' : a.body.code)).sort()).toEqual(['NOT_CLAIMED', 'ok']);
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 1, live: 1 }));
  });
});
