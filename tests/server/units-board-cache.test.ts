import type { OrgIndex, Ranking } from '@pioneer/shared';
import { makeEstate, makeOrgWorld, makeUnitOrg } from '../helpers/fixtures';
import { insertMembers } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * 单位报到成效's kept board: answered again for UNIT_BOARD_CACHE_MS by the clock, dropped at once
 * when the roll-ups or the unit list move. The clock and the roll-up job are driven by hand.
 */
const KEEP_MS = 60_000;
type Auth = { authorization: string };
let ctx: TestContext;
let w: Awaited<ReturnType<typeof makeOrgWorld<'u1' | 'u2'>>>;
let as: Record<'sec' | 'city' | 'dist1' | 'adminU1', Auth>;

const period = () => new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 7);
const day = (offset: number) => new Date(ctx.clock.now().getTime() + 8 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10);
const board = async (auth: Auth = as.city, query = '') => {
  const res = await ctx.api('GET', `/index/units?period=${period()}${query}`, auth);
  expect(res.statusCode).toBe(200);
  return res.json() as Ranking;
};
const value = (b: Ranking, id: string, key: string) => b.items.find((i) => i.org.id === id)?.parts.find((p) => p.key === key)?.value;

beforeAll(async () => {
  ctx = await createTestContext({ env: { ROLLUP_INTERVAL_MS: '0', UNIT_BOARD_CACHE_MS: String(KEEP_MS) } });
  w = await makeOrgWorld(ctx.database.db, { u1: 'd1', u2: 'd1' });
  as = {
    sec: (await ctx.staff('bc_sec', 'secretary', w.c1.id)).auth,
    city: (await ctx.staff('bc_city', 'city_admin', null)).auth,
    dist1: (await ctx.staff('bc_d1', 'district_admin', w.d1.id)).auth,
    adminU1: (await ctx.staff('bc_admin_u1', 'unit_admin', w.u1.id)).auth,
  };
  const a = await ctx.api('POST', '/agreements', as.adminU1, {
    unitOrgId: w.u1.id,
    communityOrgId: w.c1.id,
    startsOn: day(0),
    endsOn: day(300),
    commitments: '开展共建服务',
    contactName: '张联络',
    contactPhone: '13700001234',
  });
  expect((await ctx.api('POST', `/agreements/${a.json().agreement.id}/accept`, as.sec, {})).statusCode).toBe(200);
});
afterAll(async () => ctx.close());

test('a project claimed shows when the kept board is older than UNIT_BOARD_CACHE_MS; pages and districts read the same board', async () => {
  const first = await board();
  expect(value(first, w.u1.id, 'needs_claimed')).toBe(0);
  const need = await ctx.api('POST', '/needs', as.sec, {
    communityOrgId: w.c1.id,
    title: '楼道照明',
    category: 'care',
    description: '社区需求',
  });
  const claim = await ctx.api('POST', `/needs/${need.json().need.id}/claim`, as.adminU1, {
    unitOrgId: w.u1.id,
    plan: '认领实施',
    startsOn: day(0),
    endsOn: day(10),
  });
  expect(claim.statusCode).toBe(201);
  // Within the time: the same board, whole, paged or for the district.
  ctx.clock.advance(KEEP_MS - 1);
  expect(await board()).toEqual(first);
  expect((await board(as.city, '&limit=1&offset=1')).items).toEqual(first.items.slice(1, 2));
  expect(value(await board(as.dist1), w.u1.id, 'needs_claimed')).toBe(0);
  const explained: OrgIndex = (await ctx.api('GET', `/index/units/${w.u1.id}?period=${period()}`, as.adminU1)).json();
  expect(explained.parts.find((p) => p.key === 'needs_claimed')!.value).toBe(0);
  // Then scored anew: the claim counts, u1 leads.
  ctx.clock.advance(1);
  const next = await board();
  expect(value(next, w.u1.id, 'needs_claimed')).toBe(1);
  expect(next.items[0].org.id).toBe(w.u1.id);
  expect(value(await board(as.dist1), w.u1.id, 'needs_claimed')).toBe(1);
});

test('a roll-up run or a new unit drops the kept board at once; a clock set back scores anew', async () => {
  const before = await board();
  expect(value(before, w.u2.id, 'participations_per_member')).toBeNull();
  await insertMembers(ctx, { community: w.c1, estate: await makeEstate(ctx.database.db, w.c1.id), unitOrg: w.u2 }, 2, 'bcm');
  expect(await board()).toEqual(before); // the roll-ups have not moved yet
  await ctx.app.rollups.refresh();
  // Members of u2 now count (no participation yet: 0 of 2), without the clock moving.
  expect(value(await board(), w.u2.id, 'participations_per_member')).toBe(0);
  const u3 = await makeUnitOrg(ctx.database.db, w.d2.id);
  const withU3 = await board();
  expect(withU3.total).toBe(before.total + 1);
  expect(withU3.items.some((i) => i.org.id === u3.id)).toBe(true);
  // A clock set back (a test, or a corrected host clock) never serves a board "from the future".
  const need = await ctx.api('POST', '/needs', as.sec, {
    communityOrgId: w.c1.id,
    title: '助老服务',
    category: 'care',
    description: '社区需求',
  });
  await ctx.api('POST', `/needs/${need.json().need.id}/claim`, as.adminU1, {
    unitOrgId: w.u1.id,
    plan: '认领实施',
    startsOn: day(0),
    endsOn: day(10),
  });
  ctx.clock.advance(-1);
  expect(value(await board(), w.u1.id, 'needs_claimed')).toBe(2);
});
