import { decryptPhone, hashPhone } from '../../server/src/lib/phone-crypto';
import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { makeSecretary, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let admin: { authorization: string };
const MINUTE = 60_000;

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  secretary = (await makeSecretary(ctx, world.community.id, 'dr_secretary')).auth;
  const a = await ctx.signIn('dr_admin');
  await ctx.grant(a.userId, 'city_admin', null);
  admin = a.auth;
});
afterAll(async () => ctx.close());

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, auth?: { authorization: string }, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth, payload });

async function pioneerToken(auth: { authorization: string }) {
  return (await api('GET', '/members/me/pioneer-code', auth)).json().token as string;
}

/** Every value of every column of every table, as text, that contains `needle`. */
async function columnsHolding(needle: string): Promise<string[]> {
  const { rows: cols } = await ctx.database.pool.query<{ table_name: string; column_name: string }>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
      where c.table_schema = 'public' and t.table_type = 'BASE TABLE'`,
  );
  const hits: string[] = [];
  for (const c of cols) {
    const { rows } = await ctx.database.pool.query(
      `select count(*)::int as n from "${c.table_name}" where strpos("${c.column_name}"::text, $1) > 0`,
      [needle],
    );
    if (rows[0].n > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

describe('personal data rights', () => {
  let alice: Awaited<ReturnType<typeof registerMember>>;
  let bob: Awaited<ReturnType<typeof registerMember>>;
  let past: { id: string };
  let upcoming: { id: string };
  let imminent: { id: string };
  let full: { id: string };
  const DEMAND_TEXT = '楼道扶手松动，老人上下楼不便';
  const ALICE = { name: '欧阳注销', phone: '13512340000', workUnit: '注销测试单位甲', building: 'Z9栋', unitNo: 'U7', room: 'R777' };

  beforeAll(async () => {
    const t0 = ctx.clock.now().getTime();
    alice = await registerMember(ctx, 'dr_alice', world, ALICE);
    bob = await registerMember(ctx, 'dr_bob', world);
    // A post served in the past: both claim, check in and out.
    past = await publishTask(ctx, secretary, world.community.id, {
      startsAt: new Date(t0 + 120 * MINUTE).toISOString(),
      endsAt: new Date(t0 + 240 * MINUTE).toISOString(),
      capacity: 2,
    });
    for (const m of [alice, bob]) expect((await api('POST', `/tasks/${past.id}/claims`, m.auth)).statusCode).toBe(201);
    ctx.clock.set(t0 + 110 * MINUTE);
    for (const m of [alice, bob])
      expect((await api('POST', `/tasks/${past.id}/check-ins`, secretary, { token: await pioneerToken(m.auth) })).statusCode).toBe(200);
    ctx.clock.set(t0 + 200 * MINUTE);
    for (const m of [alice, bob])
      expect((await api('POST', `/tasks/${past.id}/check-outs`, secretary, { token: await pioneerToken(m.auth) })).statusCode).toBe(200);
    // Her points buy a 爱心超市 reward, redeemed by the secretary scanning her 先锋码.
    await ctx.app.points.catchUp();
    const reward = await api('POST', `/party-orgs/${world.community.id}/rewards`, secretary, { name: '环保袋', pointsCost: 5, stock: 2 });
    expect(reward.statusCode).toBe(201);
    const redeemed = await api('POST', `/rewards/${reward.json().reward.id}/redemptions`, secretary, {
      code: await pioneerToken(alice.auth),
    });
    expect(redeemed.statusCode).toBe(201);
    ctx.clock.set(t0 + 300 * MINUTE);
    const now = ctx.clock.now().getTime();
    upcoming = await publishTask(ctx, secretary, world.community.id, {
      startsAt: new Date(now + 3 * 24 * 60 * MINUTE).toISOString(),
      endsAt: new Date(now + 3 * 24 * 60 * MINUTE + 120 * MINUTE).toISOString(),
    });
    imminent = await publishTask(ctx, secretary, world.community.id, {
      startsAt: new Date(now + 30 * MINUTE).toISOString(),
      endsAt: new Date(now + 90 * MINUTE).toISOString(),
      cancelCutoffMinutes: 60,
    });
    for (const t of [upcoming, imminent]) expect((await api('POST', `/tasks/${t.id}/claims`, alice.auth)).statusCode).toBe(201);
    // A full post Alice waits for (候补).
    full = await publishTask(ctx, secretary, world.community.id, {
      startsAt: new Date(now + 4 * 24 * 60 * MINUTE).toISOString(),
      endsAt: new Date(now + 4 * 24 * 60 * MINUTE + 60 * MINUTE).toISOString(),
      capacity: 1,
    });
    expect((await api('POST', `/tasks/${full.id}/claims`, bob.auth)).statusCode).toBe(201);
    expect((await api('POST', `/tasks/${full.id}/waitlist`, alice.auth)).statusCode).toBe(201);
    // Her settings, a calendar feed, WeChat send credits and two 居民点单 (one already triaged).
    expect(
      (await api('PUT', '/members/me/preferences', alice.auth, { followCategories: ['care'], remindBeforeMinutes: [120] })).statusCode,
    ).toBe(200);
    expect((await api('GET', '/members/me/calendar-url', alice.auth)).statusCode).toBe(200);
    expect((await api('POST', '/me/subscriptions', alice.auth, { results: { claim_result: 'accept' } })).statusCode).toBe(200);
    for (const text of [DEMAND_TEXT, '小区门口路灯不亮']) {
      expect((await api('POST', '/demands', alice.auth, { communityOrgId: world.community.id, text, category: 'care' })).statusCode).toBe(
        201,
      );
    }
    const { items } = (await api('GET', `/demands?communityOrgId=${world.community.id}`, secretary)).json();
    const lamp = items.find((d: { text: string }) => d.text === '小区门口路灯不亮');
    expect((await api('POST', `/demands/${lamp.id}/triage`, secretary, { action: 'reject', note: '已转物业' })).statusCode).toBe(200);
  });

  it('records consent per version, and the export holds everything the database has about the member', async () => {
    const consent = await api('POST', '/members/me/consent', alice.auth, { consentVersion: '2025-01' });
    expect(consent.statusCode).toBe(200);
    expect(consent.json().items.map((c: { version: string; action: string }) => [c.version, c.action])).toEqual([
      ['2024-01', 'given'],
      ['2025-01', 'given'],
    ]);

    const res = await api('GET', '/members/me/export', alice.auth);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const data = res.json();
    const {
      rows: [m],
    } = await ctx.database.pool.query('select * from members where id = $1', [alice.memberId]);
    expect(data.profile).toMatchObject({
      id: m.id,
      name: m.name,
      phone: decryptPhone(ctx.config.phoneEncKey, m.phone_cipher),
      workUnit: m.work_unit,
      building: m.building,
      unitNo: m.unit_no,
      room: m.room,
      intentions: m.intentions,
      consentVersion: '2025-01',
      consentedAt: m.consented_at.toISOString(),
      registeredAt: m.registered_at.toISOString(),
      updatedAt: m.updated_at.toISOString(),
      unitOrg: { id: m.unit_org_id },
      community: { id: m.community_org_id },
      estate: { id: m.estate_id },
    });
    const { rows: claims } = await ctx.database.pool.query('select * from claims where member_id = $1 order by claimed_at', [
      alice.memberId,
    ]);
    expect(
      data.claims.map((c: { claim: { id: string; status: string; minutes: number | null } }) => [
        c.claim.id,
        c.claim.status,
        c.claim.minutes,
      ]),
    ).toEqual(claims.map((c) => [c.id, c.status, c.minutes]));
    expect(data.records).toEqual({ tasks: 3, minutes: claims.reduce((s, c) => s + (c.minutes ?? 0), 0) });
    const { rows: consents } = await ctx.database.pool.query('select version from member_consents where member_id = $1 order by at', [
      alice.memberId,
    ]);
    expect(data.consents.map((c: { version: string }) => c.version)).toEqual(consents.map((c) => c.version));
    expect(data.auditTrail.map((a: { action: string; byMe: boolean }) => [a.action, a.byMe])).toEqual([['member.register', true]]);
    expect(data.user.id).toBe(alice.userId);
    expect(data.householdMatch).toBe('unmatched');

    const q = async (text: string, params: unknown[]) => (await ctx.database.pool.query(text, params)).rows;
    expect(data.waitlist).toEqual(
      (await q('select task_id, status, created_at from waitlist_entries where member_id = $1', [alice.memberId])).map((w) =>
        expect.objectContaining({ taskId: w.task_id, status: w.status, createdAt: w.created_at.toISOString() }),
      ),
    );
    expect(data.waitlist).toHaveLength(1);
    expect(data.preferences).toEqual({ followCategories: ['care'], remindBeforeMinutes: [120] });
    expect(data.calendarFeed).toMatchObject({ generation: 1 });
    expect(data.subscriptionCredits).toEqual(
      (await q('select template_key, credits from subscription_credits where user_id = $1 order by template_key', [alice.userId])).map(
        (c) => ({
          templateKey: c.template_key,
          credits: c.credits,
        }),
      ),
    );
    expect(data.subscriptionCredits.length).toBeGreaterThan(0);
    const demands = await q('select id, text, status, note from demands where user_id = $1 order by created_at, id', [alice.userId]);
    expect(
      data.demands.map((d: { id: string; text: string; status: string; note: string | null }) => [d.id, d.text, d.status, d.note]),
    ).toEqual(demands.map((d) => [d.id, d.text, d.status, d.note]));
    expect(data.demands.map((d: { status: string }) => d.status).sort()).toEqual(['new', 'rejected']);
    const redemptions = await q('select reward_name, points, community_org_id, at from reward_redemptions where member_id = $1', [
      alice.memberId,
    ]);
    expect(redemptions).toHaveLength(1);
    expect(data.redemptions).toEqual(
      redemptions.map((r) => ({ reward: r.reward_name, points: r.points, communityOrgId: r.community_org_id, at: r.at.toISOString() })),
    );

    // Every table that holds her member or user id is a part of the export, or holds only
    // technical rows (replay keys, the roll-up queue, WeChat's copies of her messages).
    const PARTS: Record<string, keyof typeof data> = {
      users: 'user',
      role_grants: 'user',
      members: 'profile',
      member_consents: 'consents',
      claims: 'claims',
      waitlist_entries: 'waitlist',
      draw_entries: 'draws',
      member_standing: 'standing',
      member_preferences: 'preferences',
      calendar_feeds: 'calendarFeed',
      subscription_credits: 'subscriptionCredits',
      demands: 'demands',
      points_accounts: 'points',
      points_entries: 'points',
      record_corrections: 'corrections',
      certificates: 'certificates',
      reward_redemptions: 'redemptions',
      messages: 'messages',
      wechat_deliveries: 'messages',
      audit_log: 'auditTrail',
    };
    const TECHNICAL = new Set(['idempotency_keys', 'rollup_queue', 'notification_outbox']);
    const holding = new Set(
      [...(await columnsHolding(alice.memberId)), ...(await columnsHolding(alice.userId))].map((c) => c.split('.')[0]),
    );
    for (const table of holding) {
      expect([table, TECHNICAL.has(table) || (PARTS[table] !== undefined && data[PARTS[table]] !== null)]).toEqual([table, true]);
    }
  });

  it('注销 cancels upcoming claims, erases every personal field, keeps past figures, and ends every session', async () => {
    // Statistics read roll-ups kept by the server's job: run it as it runs every second.
    const stats = async () => {
      await ctx.app.rollups.refresh();
      return (await api('GET', '/stats/overview?scope=city', admin)).json();
    };
    const before = await stats();
    const {
      rows: [m],
    } = await ctx.database.pool.query('select * from members where id = $1', [alice.memberId]);
    const {
      rows: [u],
    } = await ctx.database.pool.query('select openid from users where id = $1', [alice.userId]);

    const res = await api('DELETE', '/members/me', alice.auth);
    expect(res.statusCode).toBe(200);
    // The imminent claim is inside its cancellation cutoff: it stays, detached from any person.
    expect(res.json()).toEqual({ status: 'deregistered', cancelledClaims: 1, keptClaims: 1 });

    const after = await stats();
    expect(after).toEqual({ ...before, members: before.members - 1, participations: before.participations - 1 });

    const { rows: tasks } = await ctx.database.pool.query(
      `select t.id, t.claimed, (select count(*)::int from claims c where c.task_id = t.id and c.status <> 'cancelled') as live
         from tasks t where t.id = any($1::uuid[])`,
      [[past.id, upcoming.id, imminent.id]],
    );
    const byId = new Map(tasks.map((t) => [t.id, t]));
    // Her waitlist place was left through the waitlist service; the post stays Bob's.
    const { rows: waits } = await ctx.database.pool.query(`select status from waitlist_entries where task_id = $1`, [full.id]);
    expect(waits.map((w) => w.status)).toEqual(['left']);
    expect((await ctx.database.pool.query(`select claimed from tasks where id = $1`, [full.id])).rows[0].claimed).toBe(1);
    expect(byId.get(past.id)).toMatchObject({ claimed: 2, live: 2 });
    expect(byId.get(upcoming.id)).toMatchObject({ claimed: 0, live: 0 });
    expect(byId.get(imminent.id)).toMatchObject({ claimed: 1, live: 1 });
    // Past claims are one anonymous id's now, a member nobody is.
    const { rows: anon } = await ctx.database.pool.query(
      `select distinct c.member_id, exists (select 1 from members x where x.id = c.member_id) as known
         from claims c where c.task_id = any($1::uuid[]) and c.member_id <> $2`,
      [[past.id, upcoming.id, imminent.id], bob.memberId],
    );
    expect(anon).toHaveLength(1);
    expect(anon[0].known).toBe(false);
    expect(anon[0].member_id).not.toBe(alice.memberId);

    await ctx.app.rollups.refresh(); // its queue names touched members until the job has run
    for (const needle of [
      alice.memberId,
      u.openid,
      ALICE.name,
      ALICE.phone,
      m.phone_hash,
      m.phone_cipher,
      m.phone_masked,
      ALICE.workUnit,
      ALICE.building,
      ALICE.room,
      hashPhone(ctx.config.phoneHashKey, ALICE.phone),
    ]) {
      expect([needle, await columnsHolding(needle)]).toEqual([needle, []]);
    }

    // Her 居民点单 stay the community's, text and state kept, but name no one.
    const { rows: kept } = await ctx.database.pool.query(
      'select text, status, user_id from demands where community_org_id = $1 order by text',
      [world.community.id],
    );
    expect(kept.map((d) => [d.text, d.status, d.user_id])).toEqual(
      [
        [DEMAND_TEXT, 'new', null],
        ['小区门口路灯不亮', 'rejected', null],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    expect(await columnsHolding(alice.userId)).toEqual(['users.id']);
    const list = (await api('GET', `/demands?communityOrgId=${world.community.id}`, secretary)).json();
    expect(list.items.map((d: { text: string }) => d.text).sort()).toEqual([DEMAND_TEXT, '小区门口路灯不亮'].sort());

    // Every session of the user ends.
    expect((await api('GET', '/members/me', alice.auth)).statusCode).toBe(401);
    expect((await api('GET', '/auth/me', alice.auth)).statusCode).toBe(401);
    expect((await api('DELETE', '/members/me', alice.auth)).statusCode).toBe(401);
    const open = await publishTask(ctx, secretary, world.community.id);
    const stale = await api('POST', `/tasks/${open.id}/claims`, alice.auth);
    // The claim route reads no principal: the member check of the claim insert ends the session there.
    expect(stale.statusCode).toBe(401);
    expect(stale.json().code).toBe('UNAUTHENTICATED');
    expect((await api('GET', `/tasks/${open.id}`, admin)).json().task.claimed).toBe(0);
    const signedAgain = await ctx.signIn('dr_alice');
    expect(signedAgain.userId).not.toBe(alice.userId);
    expect((await api('GET', '/members/me', signedAgain.auth)).statusCode).toBe(403);
  });

  it('withdrawing consent erases the profile as 注销 does', async () => {
    const res = await api('DELETE', '/members/me/consent', bob.auth);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'deregistered' });
    await ctx.app.rollups.refresh();
    expect(await columnsHolding(bob.memberId)).toEqual([]);
    expect((await api('GET', '/members/me/export', bob.auth)).statusCode).toBe(401);
    const stats = (await api('GET', `/stats/overview?scope=community&id=${world.community.id}`, secretary)).json();
    expect(stats).toMatchObject({ members: 0, participations: 3, serviceMinutes: expect.any(Number) });
    expect(stats.serviceMinutes).toBeGreaterThan(0);
  });

  it('is for registered members only', async () => {
    const plain = await ctx.signIn('dr_plain');
    expect((await api('DELETE', '/members/me', plain.auth)).statusCode).toBe(403);
    expect((await api('GET', '/members/me/export', plain.auth)).statusCode).toBe(403);
    expect((await api('POST', '/members/me/consent', plain.auth, { consentVersion: '\u0000' })).statusCode).toBe(403);
    expect((await api('DELETE', '/members/me')).statusCode).toBe(401);
  });
});

describe('注销 in one step', () => {
  it('keeps the reasons written on her claims in her export and erases them, and her draw nonce, with her', async () => {
    const NAME = '司马留痕';
    const carol = await registerMember(ctx, 'dr_carol', world, { name: NAME });
    const post = await publishTask(ctx, secretary, world.community.id);
    const claimed = await api('POST', `/tasks/${post.id}/claims`, carol.auth);
    expect(claimed.statusCode).toBe(201);
    const reason = `${NAME}临时有事，由书记释放`;
    const released = await api('DELETE', `/tasks/${post.id}/claims/${claimed.json().claim.id}`, secretary, { reason });
    expect(released.statusCode).toBe(200);
    const now = ctx.clock.now().getTime();
    const draw = await publishTask(ctx, secretary, world.community.id, {
      allocation: 'draw',
      drawAt: new Date(now + 60 * MINUTE).toISOString(),
    });
    const nonce = 'carol-nonce-4d1f9a7c';
    expect((await api('POST', `/tasks/${draw.id}/entries`, carol.auth, { nonce })).statusCode).toBe(201);

    const exported = (await api('GET', '/members/me/export', carol.auth)).json();
    expect(exported.claims).toEqual([
      expect.objectContaining({ claim: expect.objectContaining({ status: 'released' }), releaseReason: reason, excuseReason: null }),
    ]);

    expect((await api('DELETE', '/members/me', carol.auth)).statusCode).toBe(200);
    // The roll-up queue is a work list the job drains (it names the member until the job has run).
    await ctx.app.rollups.refresh();
    expect(await columnsHolding(NAME)).toEqual([]);
    expect(await columnsHolding(nonce)).toEqual([]);
    expect(await columnsHolding(carol.memberId)).toEqual([]);
  });

  it('keeps the excuse reason the secretary wrote for her missed post in her export and erases it with her', async () => {
    const NAME = '欧阳请假';
    const erin = await registerMember(ctx, 'dr_erin', world, { name: NAME });
    const t0 = ctx.clock.now().getTime();
    const post = await publishTask(ctx, secretary, world.community.id, {
      startsAt: new Date(t0 + 60 * MINUTE).toISOString(),
      endsAt: new Date(t0 + 120 * MINUTE).toISOString(),
    });
    const claimed = await api('POST', `/tasks/${post.id}/claims`, erin.auth);
    expect(claimed.statusCode).toBe(201);
    // The post is over and she never came: a no-show, which the secretary excuses with her words.
    ctx.clock.set(t0 + 130 * MINUTE);
    const reason = `${NAME}说孩子发烧住院，已电话请假`;
    const excused = await api('POST', `/tasks/${post.id}/claims/${claimed.json().claim.id}/excuse`, secretary, { reason });
    expect(excused.statusCode).toBe(200);
    expect(excused.json().claim).toEqual(expect.objectContaining({ status: 'no_show', excused: true }));

    const exported = (await api('GET', '/members/me/export', erin.auth)).json();
    expect(exported.claims).toEqual([
      expect.objectContaining({ claim: expect.objectContaining({ status: 'no_show' }), excuseReason: reason, releaseReason: null }),
    ]);

    expect((await api('DELETE', '/members/me', erin.auth)).statusCode).toBe(200);
    await ctx.app.rollups.refresh();
    expect(await columnsHolding(NAME)).toEqual([]);
    expect(await columnsHolding('孩子发烧住院')).toEqual([]);
    expect(await columnsHolding(erin.memberId)).toEqual([]);
  });

  it('races 25 claims: none slips in between, no live claim is left without a member', async () => {
    const posts = await Promise.all(Array.from({ length: 25 }, () => publishTask(ctx, secretary, world.community.id, { capacity: 3 })));
    for (let run = 0; run < 4; run++) {
      const dave = await registerMember(ctx, `dr_dave_${run}`, world);
      // A few claims are in before 注销 starts; the rest race it.
      for (const p of posts.slice(0, 3)) expect((await api('POST', `/tasks/${p.id}/claims`, dave.auth)).statusCode).toBe(201);
      const racing = posts.slice(3).map((p, i) =>
        ctx.app.inject({
          method: 'POST',
          url: `/api/v1/tasks/${p.id}/claims`,
          headers: { ...dave.auth, ...(i % 2 ? { 'idempotency-key': `race-${run}-${i}` } : {}) },
        }),
      );
      const leaving = api('DELETE', '/members/me', dave.auth);
      const answers = await Promise.all([...racing, leaving]);
      expect(answers.at(-1)!.statusCode).toBe(200);
      for (const a of answers.slice(0, -1)) expect([201, 401, 403]).toContain(a.statusCode);

      const { rows } = await ctx.database.pool.query(
        `select count(*)::int as n from claims c
          where c.task_id = any($1::uuid[]) and c.status not in ('cancelled', 'released')
            and not exists (select 1 from members m where m.id = c.member_id)`,
        [posts.map((p) => p.id)],
      );
      expect(rows[0].n).toBe(0);
      // The posts' counters agree with their live claims.
      const { rows: counts } = await ctx.database.pool.query(
        `select t.id from tasks t
          where t.id = any($1::uuid[])
            and t.claimed <> (select count(*) from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released'))`,
        [posts.map((p) => p.id)],
      );
      expect(counts).toEqual([]);
    }
  });
});
