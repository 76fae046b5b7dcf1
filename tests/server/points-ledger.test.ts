import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { makeWorld } from '../helpers/fixtures';
import { insertMembers, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let members: FixtureMember[];
const DAY = 86_400_000;

beforeAll(async () => {
  ctx = await createTestContext();
  const world = await makeWorld(ctx.database.db);
  members = await insertMembers(ctx, world, 14, 'ledger');
});
afterAll(async () => ctx.close());

/** The member's balance row and the sum of its entries, signed as they moved it. */
async function ledgerOf(memberId: string) {
  const { rows } = await ctx.database.pool.query(
    `select coalesce((select balance from points_accounts where member_id = $1), 0)::int as balance,
            coalesce((select sum(case when kind = 'earn' then amount else -amount end) from points_entries where member_id = $1), 0)::int as sum`,
    [memberId],
  );
  return rows[0] as { balance: number; sum: number };
}

const points = () => ctx.app.points;
const earn = (memberId: string, claimId: string, version: number, minutes: number, at: Date) =>
  ctx.database.db.transaction((tx) =>
    points().settleRecord(tx, { claimId, memberId, version, status: 'completed', minutes, category: 'convenience' }, at),
  );
const spend = (memberId: string, amount: number, at: Date) =>
  ctx.database.db.transaction((tx) =>
    points().spend(tx, { key: `redeem:${randomUUID()}`, memberId, amount, refType: 'redemption', refId: randomUUID(), note: '兑换', at }),
  );

describe('the points ledger', () => {
  it('earns once per record version, however often it runs', async () => {
    const m = members[0].memberId;
    const claimId = randomUUID();
    const at = new Date('2030-01-01T00:00:00Z');
    await Promise.all(
      [earn(m, claimId, 1, 90, at), earn(m, claimId, 1, 90, at), earn(m, claimId, 1, 90, at)].map((p) => p.catch(() => null)),
    );
    await earn(m, claimId, 1, 90, at);
    expect(await ledgerOf(m)).toEqual({ balance: 15, sum: 15 });
    // An amended record: the old version is reversed and the new one earns once.
    await earn(m, claimId, 2, 30, at);
    await earn(m, claimId, 2, 30, at);
    expect(await ledgerOf(m)).toEqual({ balance: 5, sum: 5 });
    await expect(ctx.database.pool.query(`update points_entries set amount = 1 where member_id = $1`, [m])).rejects.toThrow(/append-only/);
    await expect(ctx.database.pool.query(`update points_accounts set balance = -1 where member_id = $1`, [m])).rejects.toThrow(
      /balance_check/,
    );
  });

  it('a balance of 100 and 10 concurrent spends of 30: exactly 3 go through', async () => {
    const m = members[1].memberId;
    const at = new Date('2030-01-01T00:00:00Z');
    await earn(m, randomUUID(), 1, 600, at);
    expect((await ledgerOf(m)).balance).toBe(100);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => spend(m, 30, at)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => r.reason.code)).toEqual(Array(7).fill('INSUFFICIENT_POINTS'));
    expect(await ledgerOf(m)).toEqual({ balance: 10, sum: 10 });
  });

  it('expires what is still held of the oldest points first', async () => {
    const m = members[2].memberId;
    const t0 = new Date('2026-01-01T00:00:00Z');
    await earn(m, randomUUID(), 1, 600, t0); // 100, the oldest
    await earn(m, randomUUID(), 1, 300, new Date(t0.getTime() + 400 * DAY)); // 50
    await spend(m, 30, new Date(t0.getTime() + 500 * DAY)); // taken from the oldest
    // 36 months after the first earn: what is left of it (70) expires, the newer 50 stays.
    const expired = await points().expireMember(m, new Date(t0.getTime() + (3 * 365 + 2) * DAY));
    expect(expired).toBe(70);
    expect(await points().expireMember(m, new Date(t0.getTime() + (3 * 365 + 2) * DAY))).toBe(0);
    expect(await ledgerOf(m)).toEqual({ balance: 50, sum: 50 });
  });

  it('property: under random earns, amendments, spends and expiries the balance equals the sum of its entries and never drops below 0', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('earn' as const), record: fc.integer({ min: 0, max: 4 }), minutes: fc.integer({ min: 0, max: 600 }) }),
      fc.record({ kind: fc.constant('amend' as const), record: fc.integer({ min: 0, max: 4 }), minutes: fc.integer({ min: 0, max: 600 }) }),
      fc.record({ kind: fc.constant('spend' as const), amount: fc.integer({ min: 1, max: 80 }) }),
      fc.record({ kind: fc.constant('expire' as const) }),
      fc.record({ kind: fc.constant('wait' as const), days: fc.integer({ min: 1, max: 900 }) }),
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const m = members[3 + (run++ % 11)].memberId;
        // A member may serve two runs: the ledger is append-only, so the earlier run's entries stay and count.
        const records = Array.from({ length: 5 }, () => ({ id: randomUUID(), version: 0 }));
        let now = new Date('2030-01-01T00:00:00Z').getTime();
        for (const o of ops) {
          if (o.kind === 'wait') now += o.days * DAY;
          else if (o.kind === 'earn' || o.kind === 'amend') {
            const r = records[o.record];
            if (o.kind === 'earn' && r.version > 0) continue;
            r.version += 1;
            await earn(m, r.id, r.version, o.minutes, new Date(now));
          } else if (o.kind === 'spend') {
            await spend(m, o.amount, new Date(now)).catch((e: { code?: string }) => {
              if (e.code !== 'INSUFFICIENT_POINTS') throw e;
            });
          } else await points().expireMember(m, new Date(now));
          const l = await ledgerOf(m);
          expect(l.balance).toBe(l.sum);
          expect(l.balance).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 12 },
    );
  });
});

describe('PUT /points/rules', () => {
  const DEFAULTS = { pointsPerHour: 10, categoryMultipliers: {}, expiryMonths: 36, starThresholdsHours: [100, 300, 600, 1000, 1500] };
  const put = (headers: Record<string, string>, payload: unknown) =>
    ctx.app.inject({ method: 'PUT', url: '/api/v1/points/rules', headers, payload: payload as object });
  const get = async () => (await ctx.app.inject({ method: 'GET', url: '/api/v1/points/rules', headers: members[0].auth })).json();

  it('only the city admin sets them; earns follow the new rules', async () => {
    const world = await makeWorld(ctx.database.db);
    const city = await ctx.signIn('rules-city');
    await ctx.grant(city.userId, 'city_admin', null);
    const district = await ctx.signIn('rules-district');
    await ctx.grant(district.userId, 'district_admin', world.district.id);
    const secretary = await ctx.signIn('rules-secretary');
    await ctx.grant(secretary.userId, 'secretary', world.community.id);
    expect(await get()).toEqual(DEFAULTS);

    const next = {
      pointsPerHour: 20,
      categoryMultipliers: { convenience: 1.5 },
      expiryMonths: null,
      starThresholdsHours: [30, 60, 100, 200, 300],
    };
    for (const who of [secretary.auth, district.auth, members[0].auth]) {
      const res = await put(who, next);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    expect((await put({}, next)).statusCode).toBe(401);
    expect(await get()).toEqual(DEFAULTS);

    const ok = await put(city.auth, next);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual(next);
    expect(await get()).toEqual(next);
    // 90 minutes × 20 an hour × 1.5 = 45.
    const m = members[13].memberId;
    const before = (await ledgerOf(m)).balance;
    await earn(m, randomUUID(), 1, 90, new Date('2030-01-01T00:00:00Z'));
    expect((await ledgerOf(m)).balance - before).toBe(45);
    // Without expiry, nothing expires however old.
    expect(await points().expireMember(m, new Date('2099-01-01T00:00:00Z'))).toBe(0);
    expect((await put(city.auth, DEFAULTS)).statusCode).toBe(200);
  });

  it('a missing rules row (truncate users cascade takes it) is the defaults: earning, reading and the star work, and the row is back', async () => {
    await ctx.database.pool.query(`delete from points_rules`);
    const m = members[12];
    const before = (await ledgerOf(m.memberId)).balance;
    // 90 minutes at the default 10 an hour.
    await earn(m.memberId, randomUUID(), 1, 90, new Date('2030-01-01T00:00:00Z'));
    expect((await ledgerOf(m.memberId)).balance - before).toBe(15);
    await ctx.database.pool.query(`delete from points_rules`);
    expect(await get()).toEqual(DEFAULTS);
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me/points', headers: m.auth });
    expect(me.statusCode).toBe(200);
    expect((await ctx.database.pool.query(`select count(*)::int n from points_rules`)).rows[0].n).toBe(1);
  });

  it('refuses bad rules with 400 VALIDATION_FAILED and keeps the ones there are', async () => {
    const city = await ctx.signIn('rules-city-2');
    await ctx.grant(city.userId, 'city_admin', null);
    const bad = [
      {},
      { ...DEFAULTS, pointsPerHour: -1 },
      { ...DEFAULTS, pointsPerHour: 2.5 },
      { ...DEFAULTS, pointsPerHour: '10' },
      { ...DEFAULTS, expiryMonths: 0 },
      { ...DEFAULTS, categoryMultipliers: { convenience: -1 } },
      { ...DEFAULTS, categoryMultipliers: { planet: 2 } },
      { ...DEFAULTS, starThresholdsHours: [100, 300, 600, 1000] },
      { ...DEFAULTS, starThresholdsHours: [100, 300, 300, 1000, 1500] },
      { ...DEFAULTS, starThresholdsHours: [1500, 1000, 600, 300, 100] },
      { ...DEFAULTS, starThresholdsHours: [0, 300, 600, 1000, 1500] },
    ];
    for (const body of bad) {
      const res = await put(city.auth, body);
      expect({ body, status: res.statusCode, code: res.json().code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect(await get()).toEqual(DEFAULTS);
  });
});
