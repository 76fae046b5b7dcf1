import { randomUUID } from 'node:crypto';
import { maskName } from '@pioneer/shared';
import { pioneerCodeServiceFactory } from '../../server/src/modules/codes/pioneer-code';
import { makeWorld } from '../helpers/fixtures';
import { insertMembers, makeSecretary, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let other: Awaited<ReturnType<typeof makeWorld>>;
let sec: { authorization: string };
let secOther: { authorization: string };
let members: FixtureMember[];
let codes: ReturnType<typeof pioneerCodeServiceFactory>;

const T0 = new Date('2030-06-01T02:00:00.000Z');

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  other = await makeWorld(ctx.database.db);
  sec = (await makeSecretary(ctx, world.community.id, 'rewards-sec')).auth;
  secOther = (await makeSecretary(ctx, other.community.id, 'rewards-sec-other')).auth;
  members = await insertMembers(ctx, world, 40, 'rewards');
  codes = pioneerCodeServiceFactory({ secret: ctx.config.pioneerCodeSecret, clock: ctx.clock, publicUrl: ctx.config.publicUrl });
});
afterAll(async () => ctx.close());
afterEach(() => ctx.clock.set(T0));

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const api = (method: Method, url: string, headers: Record<string, string>, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

/** Gives the member `minutes` of service's points (10 an hour by default) through the ledger itself. */
const earn = (memberId: string, minutes: number) =>
  ctx.database.db.transaction((tx) =>
    ctx.app.points.settleRecord(
      tx,
      { claimId: randomUUID(), memberId, version: 1, status: 'completed', minutes, category: 'convenience' },
      ctx.clock.now(),
    ),
  );

async function ledgerOf(memberId: string) {
  const { rows } = await ctx.database.pool.query(
    `select coalesce((select balance from points_accounts where member_id = $1), 0)::int as balance,
            coalesce((select sum(case when kind = 'earn' then amount else -amount end) from points_entries where member_id = $1), 0)::int as sum`,
    [memberId],
  );
  return rows[0] as { balance: number; sum: number };
}

async function reward(body: { name?: string; pointsCost: number; stock: number }) {
  const res = await api('POST', `/party-orgs/${world.community.id}/rewards`, sec, { name: body.name ?? '洗衣液', ...body });
  expect(res.statusCode).toBe(201);
  return res.json().reward as { id: string; stock: number; pointsCost: number };
}

const redeem = (rewardId: string, m: FixtureMember, headers: Record<string, string> = {}, code = codes.issue(m.memberId).url) =>
  api('POST', `/rewards/${rewardId}/redemptions`, { ...sec, ...headers }, { code });

const stockOf = async (id: string) =>
  Number((await ctx.database.pool.query('select stock from rewards where id = $1', [id])).rows[0].stock);
const redemptionsOf = async (id: string) =>
  Number((await ctx.database.pool.query('select count(*) n from reward_redemptions where reward_id = $1', [id])).rows[0].n);

describe('rewards (爱心超市)', () => {
  it('its secretary adds, edits and withdraws rewards; members list what is on offer', async () => {
    const r = await reward({ name: '环保袋', pointsCost: 20, stock: 3 });
    expect(r).toEqual(expect.objectContaining({ pointsCost: 20, stock: 3 }));
    const patched = await api('POST', `/rewards/${r.id}/edit`, sec, { stock: 10, description: '可重复使用' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().reward).toEqual(expect.objectContaining({ stock: 10, description: '可重复使用', active: true }));
    const hidden = await reward({ name: '已下架', pointsCost: 5, stock: 1 });
    expect((await api('PATCH', `/rewards/${hidden.id}`, sec, { active: false })).statusCode).toBe(200);

    const forMember = (await api('GET', `/party-orgs/${world.community.id}/rewards`, members[0].auth)).json().items;
    expect(forMember.map((x: { id: string }) => x.id)).toContain(r.id);
    expect(forMember.map((x: { id: string }) => x.id)).not.toContain(hidden.id);
    const forSecretary = (await api('GET', `/party-orgs/${world.community.id}/rewards`, sec)).json().items;
    expect(forSecretary.map((x: { id: string }) => x.id)).toContain(hidden.id);

    // A withdrawn reward is not redeemed; another community's secretary and members manage nothing.
    await earn(members[0].memberId, 60);
    const refused = await redeem(hidden.id, members[0]);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CONFLICT');
    expect((await api('PATCH', `/rewards/${r.id}`, secOther, { stock: 0 })).statusCode).toBe(403);
    expect(
      (await api('POST', `/party-orgs/${world.community.id}/rewards`, secOther, { name: 'x', pointsCost: 1, stock: 1 })).statusCode,
    ).toBe(403);
    expect(
      (await api('POST', `/party-orgs/${world.community.id}/rewards`, members[0].auth, { name: 'x', pointsCost: 1, stock: 1 })).statusCode,
    ).toBe(403);
    expect((await api('POST', `/rewards/${r.id}/redemptions`, secOther, { code: codes.issue(members[0].memberId).token })).statusCode).toBe(
      403,
    );
    expect((await api('PATCH', `/rewards/${randomUUID()}`, sec, { stock: 1 })).statusCode).toBe(404);
    expect(await stockOf(r.id)).toBe(10);
  });

  it('bad input → 400 VALIDATION_FAILED, nothing written', async () => {
    const r = await reward({ pointsCost: 10, stock: 2 });
    const before = Number((await ctx.database.pool.query('select count(*) n from rewards')).rows[0].n);
    const bad: Array<[Method, string, unknown, Record<string, string>?]> = [
      ['POST', `/party-orgs/${world.community.id}/rewards`, { name: '', pointsCost: 10, stock: 1 }],
      ['POST', `/party-orgs/${world.community.id}/rewards`, { name: '米', pointsCost: 0, stock: 1 }],
      ['POST', `/party-orgs/${world.community.id}/rewards`, { name: '米', pointsCost: 10, stock: -1 }],
      ['POST', `/party-orgs/${world.community.id}/rewards`, { name: '米', pointsCost: 1.5, stock: 1 }],
      ['POST', `/party-orgs/${world.community.id}/rewards`, { name: '米'.repeat(61), pointsCost: 10, stock: 1 }],
      ['POST', `/party-orgs/not-a-uuid/rewards`, { name: '米', pointsCost: 10, stock: 1 }],
      ['PATCH', `/rewards/${r.id}`, {}],
      ['PATCH', `/rewards/${r.id}`, { stock: -3 }],
      ['POST', `/rewards/${r.id}/redemptions`, {}],
      ['POST', `/rewards/${r.id}/redemptions`, { code: '' }],
      ['POST', `/rewards/${r.id}/redemptions`, { code: codes.issue(members[1].memberId).token }, { 'idempotency-key': 'bad key' }],
    ];
    for (const [method, url, payload, headers] of bad) {
      const res = await api(method, url, { ...sec, ...headers }, payload);
      expect({ url, payload, status: res.statusCode, code: res.json().code }).toEqual({
        url,
        payload,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    // A code that is not a 先锋码, or one past its minute, is refused as at check-in.
    expect((await api('POST', `/rewards/${r.id}/redemptions`, sec, { code: 'hello' })).json().code).toBe('CODE_INVALID');
    const stale = codes.issue(members[1].memberId).token;
    ctx.clock.set(new Date(T0.getTime() + 120_000));
    expect((await api('POST', `/rewards/${r.id}/redemptions`, sec, { code: stale })).json().code).toBe('CODE_EXPIRED');
    expect(Number((await ctx.database.pool.query('select count(*) n from rewards')).rows[0].n)).toBe(before);
    expect(await stockOf(r.id)).toBe(2);
    expect(await redemptionsOf(r.id)).toBe(0);
  });

  it('50 concurrent redemptions of a stock of 5: exactly 5', async () => {
    const r = await reward({ pointsCost: 10, stock: 5 });
    const buyers = members.slice(10, 35);
    for (const m of buyers) await earn(m.memberId, 600);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => redeem(r.id, buyers[i % buyers.length])));
    expect(results.filter((x) => x.statusCode === 201)).toHaveLength(5);
    expect(results.filter((x) => x.statusCode !== 201).map((x) => x.json().code)).toEqual(Array(45).fill('OUT_OF_STOCK'));
    expect(await stockOf(r.id)).toBe(0);
    expect(await redemptionsOf(r.id)).toBe(5);
    const { rows } = await ctx.database.pool.query(
      `select count(*)::int n, coalesce(sum(amount), 0)::int total from points_entries where kind = 'redeem' and note like '%' || $1`,
      ['洗衣液'],
    );
    expect(rows[0]).toEqual({ n: 5, total: 50 });
    for (const m of buyers) {
      const l = await ledgerOf(m.memberId);
      expect(l.balance).toBe(l.sum);
    }
  });

  it('a balance of 100 and 10 concurrent redemptions of 30: exactly 3', async () => {
    const r = await reward({ name: '大米', pointsCost: 30, stock: 20 });
    const m = members[2];
    await earn(m.memberId, 600);
    expect((await ledgerOf(m.memberId)).balance).toBe(100);
    const results = await Promise.all(Array.from({ length: 10 }, () => redeem(r.id, m)));
    const ok = results.filter((x) => x.statusCode === 201);
    expect(ok).toHaveLength(3);
    expect(results.filter((x) => x.statusCode !== 201).map((x) => x.json().code)).toEqual(Array(7).fill('INSUFFICIENT_POINTS'));
    expect(ok.map((x) => x.json().balance).sort((a, b) => a - b)).toEqual([10, 40, 70]);
    expect(await ledgerOf(m.memberId)).toEqual({ balance: 10, sum: 10 });
    expect(await stockOf(r.id)).toBe(17);
    const mine = (await api('GET', '/members/me/redemptions', m.auth)).json().items;
    expect(mine).toHaveLength(3);
    expect(mine[0]).toEqual(expect.objectContaining({ rewardId: r.id, rewardName: '大米', points: 30, memberId: m.memberId }));
    const points = (await api('GET', '/members/me/points', m.auth)).json();
    expect(points).toEqual(expect.objectContaining({ balance: 10, spent: 90, earned: 100 }));
    expect(points.entries.filter((e: { kind: string }) => e.kind === 'redeem').map((e: { amount: number }) => e.amount)).toEqual([
      -30, -30, -30,
    ]);
    const community = (await api('GET', `/party-orgs/${world.community.id}/redemptions`, sec)).json().items;
    const hers = community.filter((x: { memberId: string }) => x.memberId === m.memberId);
    expect(hers).toHaveLength(3);
    // The secretary's ledger says who, masked; the member's own list has no name to show.
    const { rows } = await ctx.database.pool.query<{ name: string }>('select name from members where id = $1', [m.memberId]);
    expect(hers.map((x: { memberName: string }) => x.memberName)).toEqual(Array(3).fill(maskName(rows[0].name)));
    expect(mine[0].memberName).toBeUndefined();
    expect((await api('GET', `/party-orgs/${world.community.id}/redemptions`, secOther)).statusCode).toBe(403);
  });

  it('after 注销 the ledger keeps the redemption and names nobody', async () => {
    const r = await reward({ name: '肥皂', pointsCost: 10, stock: 5 });
    const m = members[30];
    await earn(m.memberId, 600);
    expect((await redeem(r.id, m)).statusCode).toBe(201);
    expect((await api('DELETE', '/members/me', m.auth)).statusCode).toBe(200);
    const items = (await api('GET', `/party-orgs/${world.community.id}/redemptions`, sec)).json().items;
    const kept = items.filter((x: { rewardId: string }) => x.rewardId === r.id);
    expect(kept).toEqual([expect.objectContaining({ memberName: '已注销', rewardName: '肥皂', points: 10 })]);
    // 注销 cut the row loose from the member (an id of its own now).
    expect(kept[0].memberId).not.toBe(m.memberId);
  });

  it('a replay with the same Idempotency-Key gets the same answer, a refusal included', async () => {
    const r = await reward({ name: '毛巾', pointsCost: 25, stock: 1 });
    const [a, b] = [members[3], members[4]];
    await earn(a.memberId, 600);
    await earn(b.memberId, 600);
    const codeA = codes.issue(a.memberId).token;
    const key = { 'idempotency-key': `redeem-${randomUUID()}` };
    const first = await redeem(r.id, a, key, codeA);
    expect(first.statusCode).toBe(201);
    // Concurrent and later replays, even once the scanned code has expired: the first answer, written once.
    const replays = await Promise.all([redeem(r.id, a, key, codeA), redeem(r.id, a, key, codeA)]);
    ctx.clock.set(new Date(T0.getTime() + 300_000));
    replays.push(await redeem(r.id, a, key, codeA));
    for (const x of replays) {
      expect(x.statusCode).toBe(201);
      expect(x.json()).toEqual(first.json());
    }
    expect(await redemptionsOf(r.id)).toBe(1);
    expect((await ledgerOf(a.memberId)).balance).toBe(75);
    // The same key for another body is refused.
    expect((await redeem(r.id, b, key)).statusCode).toBe(422);

    // A refusal is replayed too, even after the stock is refilled.
    const keyB = { 'idempotency-key': `redeem-${randomUUID()}` };
    const codeB = codes.issue(b.memberId).token;
    const refused = await redeem(r.id, b, keyB, codeB);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('OUT_OF_STOCK');
    expect((await api('PATCH', `/rewards/${r.id}`, sec, { stock: 5 })).statusCode).toBe(200);
    const again = await redeem(r.id, b, keyB, codeB);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('OUT_OF_STOCK');
    expect((await ledgerOf(b.memberId)).balance).toBe(100);
    // A new key redeems.
    expect((await redeem(r.id, b, { 'idempotency-key': `redeem-${randomUUID()}` })).statusCode).toBe(201);
    expect(await stockOf(r.id)).toBe(4);
  });
});
