import type { Indicator } from '@pioneer/shared';
import { Random } from '../../server/scripts/seed-city/prng';
import { whistleStatsFactory } from '../../server/src/modules/whistles/whistle-stats-repository';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
type Auth = { authorization: string };
let d1: { id: string };
let d2: { id: string };
let cA: { id: string; name: string };
let cB: { id: string; name: string };
let cC: { id: string; name: string };
let cityAdmin: Auth;
let d1Admin: Auth;
let d2Admin: Auth;
let secA: Auth;
let secB: Auth;
let member: Auth;
let unitId: string;

/** A month well in the past (Asia/Shanghai): every post of the fixture starts and ends inside it. */
const PERIOD = '2025-03';
const inMonth = (day: number, hour: number) => new Date(Date.UTC(2025, 2, day, hour - 8)).toISOString();

const CATALOGUE: Indicator[] = [
  {
    key: 'posts',
    name: '发布岗位',
    guidance: '',
    method: 'auto',
    metric: 'posts_per_month',
    weight: 1,
    maxScore: 10,
    fullAt: 4,
    zeroAt: 0,
    admitted: true,
  },
  {
    key: 'ppm',
    name: '人均参与',
    guidance: '',
    method: 'auto',
    metric: 'participations_per_member',
    weight: 2,
    maxScore: 10,
    fullAt: 1,
    zeroAt: 0,
    admitted: true,
  },
  {
    key: 'fill',
    name: '满员率',
    guidance: '',
    method: 'auto',
    metric: 'fill_rate',
    weight: 1,
    maxScore: 10,
    fullAt: 1,
    zeroAt: 0,
    admitted: true,
  },
  {
    key: 'noshow',
    name: '未到岗率',
    guidance: '',
    method: 'auto',
    metric: 'no_show_rate',
    weight: 1,
    maxScore: 10,
    fullAt: 0,
    zeroAt: 1,
    admitted: true,
  },
  {
    key: 'ttf',
    name: '满员用时',
    guidance: '',
    method: 'auto',
    metric: 'median_minutes_to_full',
    weight: 1,
    maxScore: 10,
    fullAt: 10,
    zeroAt: 110,
    admitted: true,
  },
  {
    key: 'cov',
    name: '覆盖率',
    guidance: '',
    method: 'auto',
    metric: 'coverage',
    weight: 1,
    maxScore: 10,
    fullAt: 0.3,
    zeroAt: 0,
    admitted: true,
  },
  { key: 'build', name: '组织建设', guidance: '评价要点：阵地建设、活动记录', method: 'manual', weight: 1, maxScore: 20, admitted: true },
  {
    key: 'whistle',
    name: '吹哨办结',
    guidance: '',
    method: 'auto',
    metric: 'whistle_close_rate',
    weight: 1,
    maxScore: 10,
    fullAt: 1,
    zeroAt: 0,
    admitted: false,
  },
];

async function sql(text: string, params: unknown[] = []) {
  return ctx.database.pool.query(text, params);
}

/** Members of a community registered at a time, written straight to the database, all living at `home` (building, unit, room). */
async function addMembers(
  community: { id: string },
  estateId: string,
  unitId: string,
  n: number,
  registeredAt: string,
  tag: string,
  home = ['1', '1', '101'],
) {
  const { rows } = await sql(
    `with u as (insert into users (openid) select $1 || g from generate_series(1, $2::int) g returning id)
     insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit, community_org_id, estate_id,
                          building, unit_no, room, intentions, consent_version, consented_at, registered_at)
     select u.id, '党员', 'x', md5(u.id::text), '138****0000', $3, '单位', $4, $5, $7, $8, $9, array['care'], 'v1', $6, $6 from u
     returning id`,
    [`idx_${tag}_`, n, unitId, community.id, estateId, registeredAt, ...home],
  );
  return rows.map((r) => r.id as string);
}

/** Homes of a community's registry (业主信息库) registered at a time, written straight to the database. */
async function addHouseholds(community: { id: string }, estateId: string, homes: string[][], createdAt: string) {
  for (const [building, unitNo, room] of homes) {
    await sql(
      `insert into households (community_org_id, estate_id, building, unit_no, room, owner_name_cipher, owner_name_hash, phone_cipher, phone_hash,
                               phone_masked, created_at, updated_at)
       values ($1, $2, $3, $4, $5, 'x', md5(random()::text), 'x', md5(random()::text), '139****0000', $6, $6)`,
      [community.id, estateId, building, unitNo, room, createdAt],
    );
  }
}

/** A post of the month with its claims: `claims` are [status, minutes] pairs; `fillAfterMinutes` sets filled_at. */
async function addPost(
  community: { id: string },
  day: number,
  capacity: number,
  memberIds: string[],
  claims: [string, number | null][],
  fillAfterMinutes: number | null,
) {
  const opens = inMonth(day - 1, 20);
  const filled = fillAfterMinutes === null ? null : new Date(new Date(opens).getTime() + fillAfterMinutes * 60_000).toISOString();
  const live = claims.filter(([s]) => s !== 'cancelled').length;
  const { rows } = await sql(
    `insert into tasks (community_org_id, title, category, location, starts_at, ends_at, capacity, claimed, status, claim_opens_at, filled_at)
     values ($1, '岗位', 'care', '社区', $2, $3, $4, $5, 'ended', $6, $7) returning id`,
    [community.id, inMonth(day, 9), inMonth(day, 11), capacity, live, opens, filled],
  );
  const taskId = rows[0].id;
  for (let i = 0; i < claims.length; i++) {
    const [status, minutes] = claims[i];
    await sql(`insert into claims (task_id, member_id, status, claimed_at, minutes) values ($1, $2, $3, $4, $5)`, [
      taskId,
      memberIds[i],
      status,
      opens,
      minutes,
    ]);
  }
  return taskId as string;
}

const get = (auth: Auth, url: string) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: auth });
const put = (auth: Auth, url: string, payload: object) => ctx.app.inject({ method: 'PUT', url: `/api/v1${url}`, headers: auth, payload });

beforeAll(async () => {
  // The claims jobs run on their own timer, as in production: their no-show settlement and the
  // roll-ups apply one rule (claims/no-show-rule), so the figures are the same before and after it.
  ctx = await createTestContext();
  const db = ctx.database.db;
  d1 = await makeDistrict(db);
  d2 = await makeDistrict(db);
  cA = await makeCommunity(db, d1.id, '甲社区');
  cB = await makeCommunity(db, d1.id, '乙社区');
  cC = await makeCommunity(db, d2.id, '丙社区');
  const eA = await makeEstate(db, cA.id);
  const eC = await makeEstate(db, cC.id);
  const unit = await makeUnitOrg(db, d1.id);
  unitId = unit.id;

  const signed = async (name: string, role?: Parameters<TestContext['grant']>[1], orgId: string | null = null) => {
    const s = await ctx.signIn(name);
    if (role) await ctx.grant(s.userId, role, orgId);
    return s.auth;
  };
  cityAdmin = await signed('idx_city', 'city_admin');
  d1Admin = await signed('idx_d1', 'district_admin', d1.id);
  d2Admin = await signed('idx_d2', 'district_admin', d2.id);
  secA = await signed('idx_secA', 'secretary', cA.id);
  secB = await signed('idx_secB', 'secretary', cB.id);
  member = await signed('idx_plain');

  // 甲社区, March 2025: four members by the end of the month (one more joins in April);
  // two posts, one filled 30 minutes after opening; four live claims (two served, one no-show
  // written down, one still `claimed` after its post ended: a no-show too) and a cancelled one.
  // Its registry: four homes registered in March, one of them (1-1-101) where the March members
  // live; the April member lives at 2-1-201, registered in March; a fifth home comes in April.
  const early = await addMembers(cA, eA.id, unit.id, 3, inMonth(1, 10), 'a1');
  const late = await addMembers(cA, eA.id, unit.id, 1, inMonth(20, 10), 'a2');
  await addMembers(cA, eA.id, unit.id, 1, new Date(Date.UTC(2025, 3, 5)).toISOString(), 'a3', ['2', '1', '201']);
  await addHouseholds(
    cA,
    eA.id,
    [
      ['1', '1', '101'],
      ['2', '1', '201'],
      ['3', '2', '301'],
      ['4', '1', '401'],
    ],
    inMonth(5, 10),
  );
  await addHouseholds(cA, eA.id, [['5', '1', '501']], new Date(Date.UTC(2025, 3, 10)).toISOString());
  await addPost(
    cA,
    10,
    2,
    [early[0], early[1]],
    [
      ['completed', 120],
      ['no_show', null],
    ],
    30,
  );
  await addPost(
    cA,
    21,
    3,
    [early[2], late[0], early[0]],
    [
      ['completed', 90],
      ['cancelled', null],
      ['claimed', null],
    ],
    null,
  );
  // 丙社区 (district 2): one member, one filled post fully served.
  const c = await addMembers(cC, eC.id, unit.id, 1, inMonth(2, 10), 'c1');
  await addPost(cC, 12, 1, c, [['completed', 60]], 10);
  await ctx.app.rollups.refresh();
});
afterAll(async () => ctx.close());

describe('先锋指数+ catalogue', () => {
  it("exists from the first start: every auto metric of the contract, admitted (组织报到's two offered, not admitted)", async () => {
    const res = await get(secA, '/index/indicators');
    expect(res.statusCode).toBe(200);
    const all = res.json().items as Indicator[];
    const offered = all.filter((i) => !i.admitted);
    expect(offered.map((i) => [i.metric, i.method])).toEqual([
      ['needs_claimed_rate', 'auto'],
      ['project_rating', 'auto'],
    ]);
    const items = all.filter((i) => i.admitted);
    expect(items.map((i) => i.metric).sort()).toEqual(
      [
        'coverage',
        'fill_rate',
        'median_minutes_to_full',
        'no_show_rate',
        'participations_per_member',
        'posts_per_month',
        'whistle_close_rate',
        'whistle_response_rate',
        'whistle_satisfaction',
      ].sort(),
    );
    expect(items.every((i) => i.admitted && i.method === 'auto' && i.guidance.length > 0)).toBe(true);
    expect(items.reduce((s, i) => s + i.weight * i.maxScore, 0)).toBe(100);
  });

  it('is replaced by the city admin only, and refuses a malformed catalogue with details', async () => {
    expect((await put(d1Admin, '/index/indicators', { items: CATALOGUE })).statusCode).toBe(403);
    expect((await put(member, '/index/indicators', { nonsense: true })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/v1/index/indicators', payload: {} })).statusCode).toBe(401);
    const dup = await put(cityAdmin, '/index/indicators', { items: [CATALOGUE[0], CATALOGUE[0]] });
    expect(dup.statusCode).toBe(400);
    expect(dup.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'items.1.key' }] });
    const noMetric = await put(cityAdmin, '/index/indicators', { items: [{ ...CATALOGUE[0], metric: undefined }] });
    expect(noMetric.statusCode).toBe(400);
    const nul = await put(cityAdmin, '/index/indicators', { items: [{ ...CATALOGUE[6], name: 'a\u0000b' }] });
    expect(nul.statusCode).toBe(400);
    const ok = await put(cityAdmin, '/index/indicators', { items: CATALOGUE });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().items).toEqual(CATALOGUE);
    expect((await get(member, '/index/indicators')).statusCode).toBe(403);
  });
});

describe('manual scores', () => {
  it('are given by the district admin of the community, within the indicator maximum, with evidence', async () => {
    const body = { period: PERIOD, orgId: cA.id, key: 'build', score: 15, evidence: '阵地建设规范，活动记录完整' };
    expect((await put(d2Admin, '/index/scores', body)).statusCode).toBe(403);
    expect((await put(cityAdmin, '/index/scores', body)).statusCode).toBe(403);
    expect((await put(secA, '/index/scores', { bogus: 1 })).statusCode).toBe(403);
    const over = await put(d1Admin, '/index/scores', { ...body, score: 25 });
    expect(over.statusCode).toBe(400);
    expect(over.json().details).toEqual([expect.objectContaining({ path: 'score' })]);
    const auto = await put(d1Admin, '/index/scores', { ...body, key: 'posts' });
    expect(auto.statusCode).toBe(400);
    expect(auto.json().details).toEqual([expect.objectContaining({ path: 'key' })]);
    expect((await put(d1Admin, '/index/scores', { ...body, key: 'whistle' })).statusCode).toBe(400);
    expect((await put(d1Admin, '/index/scores', { ...body, period: '2025-13' })).statusCode).toBe(400);
    expect((await put(d1Admin, '/index/scores', { ...body, period: '2999-01' })).statusCode).toBe(400);
    expect((await put(d1Admin, '/index/scores', { ...body, evidence: '  ' })).statusCode).toBe(400);
    expect((await put(d1Admin, '/index/scores', { ...body, orgId: '00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    expect((await put(d1Admin, '/index/scores', { ...body, score: 12 })).statusCode).toBe(200);
    const res = await put(d1Admin, '/index/scores', body);
    expect(res.statusCode).toBe(200);
    expect(res.json().score).toMatchObject({ period: PERIOD, orgId: cA.id, key: 'build', score: 15, evidence: body.evidence });
  });
});

describe('ranking and explanation', () => {
  /**
   * 甲社区, March 2025, by hand:
   *   posts   2 posts, 4 for full marks → 10 × 2/4 = 5 (weight 1)
   *   ppm     4 live claims ÷ 4 members by the month's end = 1 → 10, weight 2 → 20
   *   fill    1 filled of 2 → 5
   *   noshow  2 no-shows (one written down, one still `claimed` after the end) and 2 served = 0.5
   *           → (1 − 0.5) ÷ 1 × 10 = 5
   *   ttf     median 30 minutes (one filled post): (110 − 30) ÷ 100 × 10 = 8
   *   cov     1 home with a member of the 4 registered by the month's end = 0.25 → 10 × 0.25 ÷ 0.3 = 8.33
   *   build   15 given by the district admin
   *   total   5 + 20 + 5 + 5 + 8 + 8.33 + 15 = 66.33 of 90 (Σ weight × maxScore; whistle not admitted)
   * 乙社区 has nothing: 0. 丙社区 (district 2): 1 post → 2.5; 1 ÷ 1 → 20; fill 10; no-show 0
   *   → 10; 10 minutes → 10; no registry → 0; total 52.5.
   */
  it('ranks a district with the parts and figures that make each score', async () => {
    const res = await get(d1Admin, `/index/ranking?period=${PERIOD}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ period: PERIOD, total: 2, maxScore: 90 });
    expect(body.items.map((i: { org: { name: string }; score: number; rank: number }) => [i.org.name, i.score, i.rank])).toEqual([
      ['甲社区', 66.33, 1],
      ['乙社区', 0, 2],
    ]);
    const parts = Object.fromEntries(
      body.items[0].parts.map((p: { key: string; value: number | null; score: number }) => [p.key, [p.value, p.score]]),
    );
    expect(parts).toEqual({
      posts: [2, 5],
      ppm: [1, 20],
      fill: [0.5, 5],
      noshow: [0.5, 5],
      ttf: [30, 8],
      cov: [0.25, 8.33],
      build: [15, 15],
    });
  });

  it('ranks the city for the city admin, and any district it names', async () => {
    const city = (await get(cityAdmin, `/index/ranking?period=${PERIOD}`)).json();
    expect(city.items.map((i: { org: { name: string }; score: number; rank: number }) => [i.org.name, i.score, i.rank])).toEqual([
      ['甲社区', 66.33, 1],
      ['丙社区', 52.5, 2],
      ['乙社区', 0, 3],
    ]);
    const d2Only = (await get(cityAdmin, `/index/ranking?period=${PERIOD}&districtId=${d2.id}`)).json();
    expect(d2Only.items.map((i: { org: { name: string }; rank: number }) => [i.org.name, i.rank])).toEqual([['丙社区', 1]]);
    // A manual score moves the ranking: 丙社区 gets 20 points of 组织建设 and overtakes.
    const given = await put(d2Admin, '/index/scores', { period: PERIOD, orgId: cC.id, key: 'build', score: 20, evidence: '整改到位' });
    expect(given.statusCode).toBe(200);
    const after = (await get(cityAdmin, `/index/ranking?period=${PERIOD}`)).json();
    expect(
      after.items.slice(0, 2).map((i: { org: { name: string }; score: number; rank: number }) => [i.org.name, i.score, i.rank]),
    ).toEqual([
      ['丙社区', 72.5, 1],
      ['甲社区', 66.33, 2],
    ]);
    const page = (await get(cityAdmin, `/index/ranking?period=${PERIOD}&limit=1&offset=1`)).json();
    expect(page).toMatchObject({ total: 3, items: [{ org: { name: '甲社区' }, rank: 2 }] });
    // Equal scores share a rank.
    await put(d2Admin, '/index/scores', { period: PERIOD, orgId: cC.id, key: 'build', score: 13.83, evidence: '整改到位' });
    const tie = (await get(cityAdmin, `/index/ranking?period=${PERIOD}`)).json();
    expect(tie.items.map((i: { score: number; rank: number }) => [i.score, i.rank])).toEqual([
      [66.33, 1],
      [66.33, 1],
      [0, 3],
    ]);
  });

  it('explains one org part by part; the parts add up to the score', async () => {
    const res = await get(secA, `/index/orgs/${cA.id}?period=${PERIOD}`);
    expect(res.statusCode).toBe(200);
    const e = res.json();
    expect(e).toMatchObject({
      score: 66.33,
      rank: 1,
      districtRank: 1,
      cityTotal: 3,
      districtTotal: 2,
      maxScore: 90,
      org: { id: cA.id, districtId: d1.id },
    });
    const sum = e.parts.reduce((s: number, p: { score: number }) => s + p.score * 100, 0) / 100;
    expect(sum).toBe(e.score);
    const byKey = Object.fromEntries(e.parts.map((p: { key: string }) => [p.key, p]));
    expect(Object.keys(byKey)).not.toContain('whistle');
    expect(byKey.ppm).toMatchObject({
      value: 1,
      rawScore: 10,
      weight: 2,
      score: 20,
      figures: [
        { label: '参与人次', value: 4 },
        { label: '报到党员（月末）', value: 4 },
      ],
    });
    expect(byKey.noshow).toMatchObject({ value: 0.5, rawScore: 5, score: 5 });
    expect(byKey.noshow.figures).toEqual([
      { label: '未到岗人次', value: 2 },
      { label: '完成服务人次', value: 2 },
    ]);
    expect(byKey.cov).toMatchObject({ value: 0.25, rawScore: 8.33, score: 8.33, note: null });
    expect(byKey.cov.figures).toEqual([
      { label: '有党员居住的户数（月末）', value: 1 },
      { label: '业主信息库户数（月末）', value: 4 },
    ]);
    expect(byKey.build).toMatchObject({ method: 'manual', value: 15, score: 15, evidence: '阵地建设规范，活动记录完整' });
    const b = (await get(d1Admin, `/index/orgs/${cB.id}?period=${PERIOD}`)).json();
    expect(b.score).toBe(0);
    expect(b.parts.find((p: { key: string }) => p.key === 'build').note).toContain('尚未评分');
    expect(b.parts.find((p: { key: string }) => p.key === 'cov')).toMatchObject({ value: null, score: 0 });
    expect(b.parts.find((p: { key: string }) => p.key === 'cov').note).toContain('暂无数据');
  });

  it('reads the registry as it stood at the end of the month asked', async () => {
    // April: the member at 2-1-201 has joined and the fifth home is registered: 2 of 5 = 0.4, full marks.
    const april = (await get(secA, `/index/orgs/${cA.id}?period=2025-04`)).json();
    const cov = april.parts.find((p: { key: string }) => p.key === 'cov');
    expect(cov).toMatchObject({ value: 0.4, rawScore: 10, score: 10 });
    expect(cov.figures).toEqual([
      { label: '有党员居住的户数（月末）', value: 2 },
      { label: '业主信息库户数（月末）', value: 5 },
    ]);
    // February: nothing registered yet.
    const feb = (await get(secA, `/index/orgs/${cA.id}?period=2025-02`)).json();
    expect(feb.parts.find((p: { key: string }) => p.key === 'cov')).toMatchObject({ value: null, score: 0 });
    // The registry figures the statistics show agree with the index (today: 2 of 5).
    const stats = (await get(secA, `/stats/overview?scope=community&id=${cA.id}`)).json();
    expect(stats).toMatchObject({ households: 5, householdsWithMember: 2 });
  });

  it('gives the same figures before and after the claims job writes the pending no-show down', async () => {
    const before = (await get(secA, `/index/orgs/${cA.id}?period=${PERIOD}`)).json();
    await ctx.app.claimJobs.tick();
    await ctx.app.rollups.refresh();
    const settled = await sql(
      `select count(*)::int as n from claims c join tasks t on t.id = c.task_id where t.community_org_id = $1 and c.status = 'claimed'`,
      [cA.id],
    );
    expect(settled.rows[0].n).toBe(0);
    const after = (await get(secA, `/index/orgs/${cA.id}?period=${PERIOD}`)).json();
    expect(after).toEqual(before);
    // Whether or not the job's timer had already settled it before the first read, it counted.
    expect(after.parts.find((p: { key: string }) => p.key === 'noshow').figures[0]).toEqual({ label: '未到岗人次', value: 2 });
  });

  it('is for staff only, each within its scope', async () => {
    expect((await get(member, `/index/ranking?period=${PERIOD}`)).statusCode).toBe(403);
    expect((await get(secA, `/index/ranking?period=${PERIOD}`)).statusCode).toBe(403);
    expect((await get(member, `/index/orgs/${cA.id}`)).statusCode).toBe(403);
    expect((await get(secB, `/index/orgs/${cA.id}`)).statusCode).toBe(403);
    expect((await get(d2Admin, `/index/orgs/${cA.id}`)).statusCode).toBe(403);
    expect((await get(d1Admin, `/index/ranking?districtId=${d2.id}`)).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/index/ranking' })).statusCode).toBe(401);
    expect((await get(cityAdmin, `/index/ranking?period=2025-3`)).statusCode).toBe(400);
    expect((await get(cityAdmin, `/index/orgs/not-a-uuid`)).statusCode).toBe(400);
    expect((await get(cityAdmin, `/index/orgs/00000000-0000-4000-8000-000000000000`)).statusCode).toBe(404);
    // The current month is ranked too (nothing happened in it here).
    const now = (await get(cityAdmin, '/index/ranking')).json();
    expect(now.total).toBe(3);
    expect(now.period).toMatch(/^\d{4}-\d{2}$/);
  });
});

describe('whistle metrics', () => {
  it('score the whistles a community raised in the month, and read as no data without any', async () => {
    const catalogue: Indicator[] = [
      {
        key: 'close',
        name: '吹哨办结',
        guidance: '',
        method: 'auto',
        metric: 'whistle_close_rate',
        weight: 1,
        maxScore: 10,
        fullAt: 1,
        zeroAt: 0,
        admitted: true,
      },
      {
        key: 'posts',
        name: '发布岗位',
        guidance: '',
        method: 'auto',
        metric: 'posts_per_month',
        weight: 1,
        maxScore: 10,
        fullAt: 4,
        zeroAt: 0,
        admitted: true,
      },
    ];
    expect((await put(cityAdmin, '/index/indicators', { items: catalogue })).statusCode).toBe(200);
    const raised = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/whistles',
      headers: secA,
      payload: {
        title: '小区停车难',
        description: '晚间车辆乱停，需要交警和城管协同',
        category: 'traffic',
        location: '甲社区北门',
        dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
        addressedTo: [{ orgId: unitId, part: 'lead' }],
      },
    });
    expect(raised.statusCode).toBe(201);
    const a = (await get(secA, `/index/orgs/${cA.id}`)).json();
    const close = a.parts.find((p: { key: string }) => p.key === 'close');
    expect(close).toMatchObject({
      value: 0,
      score: 0,
      figures: [
        { label: '当月吹哨', value: 1 },
        { label: '派单', value: 1 },
      ],
      note: null,
    });
    const b = (await get(d1Admin, `/index/orgs/${cB.id}`)).json();
    expect(b.parts.find((p: { key: string }) => p.key === 'close')).toMatchObject({
      value: null,
      score: 0,
      note: '当月没有吹哨事项，本项计0分',
    });
  });

  it('follow random raises, sign-offs, closes and ratings at once, the ranking kept between reads included', async () => {
    const catalogue: Indicator[] = (['whistle_response_rate', 'whistle_close_rate', 'whistle_satisfaction'] as const).map((metric) => ({
      key: metric,
      name: metric,
      guidance: '',
      method: 'auto',
      metric,
      weight: 1,
      maxScore: 10,
      fullAt: 1,
      zeroAt: 0,
      admitted: true,
    }));
    expect((await put(cityAdmin, '/index/indicators', { items: catalogue })).statusCode).toBe(200);
    const stats = whistleStatsFactory(ctx.database.db);
    const raisers = [
      { org: cA, auth: secA },
      { org: cB, auth: secB },
    ];
    const rng = new Random(16);
    const one = async (where: string) => (await sql(`select id from ${where} order by random() limit 1`)).rows[0]?.id as string | undefined;
    for (let i = 0; i < 30; i++) {
      const r = rng.next();
      if (r < 0.35) {
        const { auth } = rng.pick(raisers);
        const res = await ctx.app.inject({
          method: 'POST',
          url: '/api/v1/whistles',
          headers: auth,
          payload: {
            title: `事项${i}`,
            description: '需要单位协同处理',
            category: 'traffic',
            location: '社区',
            dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
            addressedTo: [{ orgId: unitId, part: 'lead' }],
          },
        });
        expect(res.statusCode).toBe(201);
      } else if (r < 0.5) {
        // An assignment addressed long enough ago that its 24 hours have passed (it counts as decided).
        const id = await one(`whistle_assignments where signed_at is null`);
        if (id) await sql(`update whistle_assignments set assigned_at = assigned_at - interval '30 hours' where id = $1`, [id]);
      } else if (r < 0.7) {
        const id = await one(`whistle_assignments where signed_at is null`);
        if (id)
          await sql(
            `update whistle_assignments set status = 'signed', signed_at = assigned_at + make_interval(hours => $2) where id = $1`,
            [id, rng.int(1, 40)],
          );
      } else if (r < 0.85) {
        const id = await one(`whistles where status not in ('closed', 'rated')`);
        if (id) await sql(`update whistles set status = 'closed' where id = $1`, [id]);
      } else {
        const id = await one(`whistles where status = 'closed'`);
        if (id) await sql(`update whistles set status = 'rated', satisfaction = $2 where id = $1`, [id, rng.int(1, 5)]);
      }
      const ranking = (await get(d1Admin, '/index/ranking')).json();
      const [y, m] = ranking.period.split('-').map(Number);
      const period = { from: new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000), to: new Date(Date.UTC(y, m, 1) - 8 * 3600_000) };
      for (const { org } of raisers) {
        const w = await stats.figures({ scope: 'community', id: org.id }, new Date(), period);
        const item = ranking.items.find((x: { org: { id: string } }) => x.org.id === org.id);
        const values = Object.fromEntries(item.parts.map((p: { key: string; value: number | null }) => [p.key, p.value]));
        expect(values).toEqual({
          whistle_response_rate: w.responseRate,
          whistle_close_rate: w.closeRate,
          whistle_satisfaction: w.satisfaction,
        });
      }
    }
    const [{ n }] = (await sql(`select count(*)::int as n from whistles where status = 'rated'`)).rows;
    expect(n).toBeGreaterThan(0);
  });
});
