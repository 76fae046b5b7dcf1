import { seedCity } from '../../server/scripts/seed-city/seed';
import { createTestContext, type TestContext } from '../helpers/test-app';

const NOW = Date.parse('2026-03-01T04:00:00Z');

describe('seed:city registry', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  it('generates about 1.5 registry homes per member, with matched, conflicting and unmatched members', async () => {
    const result = await seedCity(ctx.database.pool, {
      scale: 0.05,
      seed: 3,
      now: NOW,
      phoneEncKey: ctx.config.phoneEncKey,
      phoneHashKey: ctx.config.phoneHashKey,
    });
    const { rows } = await ctx.database.pool.query(`select count(*)::int as n from households`);
    expect(rows[0].n).toBe(result.households);
    expect(result.households / result.members).toBeGreaterThan(1.4);
    expect(result.households / result.members).toBeLessThan(1.6);

    const admin = await ctx.signIn('city_admin');
    const stats = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/overview?scope=city', headers: admin.auth });
    expect(stats.json().households).toBe(result.households);
    const coverage = stats.json().householdsWithMember / stats.json().households;
    expect(coverage).toBeGreaterThan(0.5);
    expect(coverage).toBeLessThan(0.7);

    // Match shares over the whole city, through the same SQL the member list uses.
    const { householdsRepositoryFactory } = await import('../../server/src/modules/households/households-repository');
    const repo = householdsRepositoryFactory(ctx.database.db);
    const { rows: communities } = await ctx.database.pool.query(`select id from party_orgs where kind = 'community'`);
    const shares = { matched: 0, unmatched: 0, conflict: 0 };
    for (const c of communities) {
      const counts = await repo.matchCounts(c.id);
      for (const k of Object.keys(shares) as Array<keyof typeof shares>) shares[k] += counts[k];
    }
    const share = Object.fromEntries(Object.entries(shares).map(([k, n]) => [k, n / result.members]));
    expect(share.matched).toBeGreaterThan(0.7);
    expect(share.conflict).toBeGreaterThan(0.04);
    expect(share.unmatched).toBeGreaterThan(0.08);
  });
});
