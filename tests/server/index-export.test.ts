import type { Indicator, Ranking } from '@pioneer/shared';
import { INDEX_HEADERS, INDEX_INDICATOR_HEADERS, indexPartHeaders } from '../../server/src/modules/exports/exports-service';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { readXlsx, XLSX } from '../helpers/upload';

/**
 * GET /exports/index.xlsx: the 先锋指数 ranking as a workbook. Every cell is checked against what
 * GET /index/ranking answers the same caller for the same scope and month.
 */
let ctx: TestContext;
type Auth = { authorization: string };
let d1: { id: string; name: string };
let d2: { id: string; name: string };
let cityAdmin: Auth;
let d1Admin: Auth;
let secretary: Auth;
let member: Auth;

const PERIOD = '2025-03';
const inMonth = (day: number, hour: number) => new Date(Date.UTC(2025, 2, day, hour - 8)).toISOString();

const CATALOGUE: Indicator[] = [
  {
    key: 'posts',
    name: '发布岗位',
    guidance: '每月发布岗位数',
    method: 'auto',
    metric: 'posts_per_month',
    weight: 1,
    maxScore: 10,
    fullAt: 2,
    zeroAt: 0,
    admitted: true,
  },
  {
    key: 'cov',
    name: '覆盖率',
    guidance: '',
    method: 'auto',
    metric: 'coverage',
    weight: 1.5,
    maxScore: 10,
    fullAt: 0.5,
    zeroAt: 0,
    admitted: true,
  },
  { key: 'build', name: '组织建设', guidance: '阵地建设、活动记录', method: 'manual', weight: 1, maxScore: 20, admitted: true },
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

const sql = (text: string, params: unknown[] = []) => ctx.database.pool.query(text, params);
const get = (auth: Auth | undefined, url: string) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: auth });

/** Trailing empty cells are not written, so neither side keeps them. */
const trim = (row: unknown[]) => {
  const r = [...row];
  while (r.length && (r[r.length - 1] === null || r[r.length - 1] === undefined)) r.pop();
  return r;
};

async function workbook(url: string, auth: Auth) {
  const res = await get(auth, url);
  expect([res.statusCode, res.headers['content-type']]).toEqual([200, XLSX]);
  expect(res.headers['content-disposition']).toContain('filename*=');
  return readXlsx(res.rawPayload);
}

/** The rows the export must hold for a ranking: header, one row per entry, a blank row, the summary. */
function expectedSheet(ranking: Ranking, indicators: Indicator[]) {
  const keys = ranking.items[0].parts.map((p) => p.key);
  const name = (k: string) => indicators.find((i) => i.key === k)!.name;
  return [
    [...INDEX_HEADERS, ...keys.flatMap((k) => indexPartHeaders(name(k)))],
    ...ranking.items.map((e) =>
      trim([
        e.rank,
        e.org.name,
        e.org.districtName,
        e.score,
        ...keys.flatMap((k) => {
          const p = e.parts.find((x) => x.key === k)!;
          return [p.value, p.score];
        }),
      ]),
    ),
    [],
    [`${ranking.period} 满分 ${ranking.maxScore}，共 ${ranking.total} 个社区`],
  ];
}

beforeAll(async () => {
  ctx = await createTestContext({ env: { CLAIM_JOBS_INTERVAL_MS: '0' } });
  const db = ctx.database.db;
  d1 = await makeDistrict(db, '导出板块一');
  d2 = await makeDistrict(db, '导出板块二');
  const cA = await makeCommunity(db, d1.id, '导出甲社区');
  const cB = await makeCommunity(db, d1.id, '导出乙社区');
  const cC = await makeCommunity(db, d2.id, '导出丙社区');
  const unit = await makeUnitOrg(db, d1.id);
  const eA = await makeEstate(db, cA.id);
  const eC = await makeEstate(db, cC.id);

  const signed = async (name: string, role?: Parameters<TestContext['grant']>[1], orgId: string | null = null) => {
    const s = await ctx.signIn(name);
    if (role) await ctx.grant(s.userId, role, orgId);
    return s.auth;
  };
  cityAdmin = await signed('ixe_city', 'city_admin');
  d1Admin = await signed('ixe_d1', 'district_admin', d1.id);
  const d2Admin = await signed('ixe_d2', 'district_admin', d2.id);
  secretary = await signed('ixe_sec', 'secretary', cA.id);
  member = await signed('ixe_plain');

  expect(
    (await ctx.app.inject({ method: 'PUT', url: '/api/v1/index/indicators', headers: cityAdmin, payload: { items: CATALOGUE } }))
      .statusCode,
  ).toBe(200);

  // 甲: two members, one living in a registry home of three; three posts. 丙: one post. 乙: nothing.
  await sql(
    `with u as (insert into users (openid) select 'ixe_m' || g from generate_series(1, 2) g returning id)
     insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit, community_org_id, estate_id,
                          building, unit_no, room, intentions, consent_version, consented_at, registered_at)
     select u.id, '党员', 'x', md5(u.id::text), '138****0000', $1, '单位', $2, $3, '1', '1', '101', array['care'], 'v1', $4, $4 from u`,
    [unit.id, cA.id, eA.id, inMonth(1, 10)],
  );
  await sql(
    `insert into households (community_org_id, estate_id, building, unit_no, room, owner_name_cipher, owner_name_hash, phone_cipher, phone_hash, phone_masked,
                             created_at, updated_at)
     select $1, $2, '1', '1', r, 'x', 'h' || r, 'x', 'p' || r, '139****0000', $3, $3 from unnest(array['101', '102', '103']) r`,
    [cA.id, eA.id, inMonth(1, 9)],
  );
  for (const [community, day] of [
    [cA, 3],
    [cA, 10],
    [cA, 20],
    [cC, 12],
  ] as const) {
    await sql(
      `insert into tasks (community_org_id, title, category, location, starts_at, ends_at, capacity, claimed, status, claim_opens_at)
       values ($1, '岗位', 'care', '社区', $2, $3, 2, 0, 'ended', $4)`,
      [community.id, inMonth(day, 9), inMonth(day, 11), inMonth(day - 1, 9)],
    );
  }
  void eC;
  const score = (auth: Auth, orgId: string, s: number) =>
    ctx.app.inject({
      method: 'PUT',
      url: '/api/v1/index/scores',
      headers: auth,
      payload: { period: PERIOD, orgId, key: 'build', score: s, evidence: '台账齐全' },
    });
  expect((await score(d1Admin, cB.id, 12.5)).statusCode).toBe(200);
  expect((await score(d2Admin, cC.id, 7)).statusCode).toBe(200);
  await ctx.app.rollups.refresh();
});

afterAll(async () => {
  await ctx?.close();
});

describe('GET /exports/index.xlsx', () => {
  it('holds the city ranking cell by cell for a city admin, and the indicators it was weighed with', async () => {
    const ranking: Ranking = (await get(cityAdmin, `/index/ranking?period=${PERIOD}`)).json();
    const indicators: Indicator[] = (await get(cityAdmin, '/index/indicators')).json().items;
    expect(ranking.total).toBeGreaterThanOrEqual(3);
    expect(new Set(ranking.items.map((e) => e.score)).size).toBeGreaterThan(1);

    const sheets = await workbook(`/exports/index.xlsx?period=${PERIOD}`, cityAdmin);
    expect([...sheets.keys()]).toEqual(['先锋指数', '指标']);
    expect(sheets.get('先锋指数')!.map(trim)).toEqual(expectedSheet(ranking, indicators));
    // Known figures of the fixture, read from the file: 甲 published 3 posts (full marks at 2), 乙 was given 12.5 points.
    const rows = sheets.get('先锋指数')!;
    const column = (h: string) => rows[0].indexOf(h);
    const rowOf = (name: string) => rows.find((r) => r[1] === name)!;
    expect([rowOf('导出甲社区')[column('发布岗位（数值）')], rowOf('导出甲社区')[column('发布岗位（得分）')]]).toEqual([3, 10]);
    expect(rowOf('导出乙社区')[column('组织建设（数值）')]).toBe(12.5);
    expect(rowOf('导出乙社区')[column('组织建设（得分）')]).toBe(12.5);
    // Only admitted indicators are parts and catalogue rows.
    expect(sheets.get('先锋指数')![0]).not.toContain('吹哨办结（得分）');
    expect(sheets.get('指标')!.map(trim)).toEqual([
      INDEX_INDICATOR_HEADERS,
      ['发布岗位', '系统计算', 1, 10, 10, '每月发布岗位数'],
      ['覆盖率', '系统计算', 1.5, 10, 15],
      ['组织建设', '人工评分', 1, 20, 20, '阵地建设、活动记录'],
    ]);

    // scope=city names the same list; a district named by scope and id, or by districtId as the ranking takes it.
    expect((await workbook(`/exports/index.xlsx?period=${PERIOD}&scope=city`, cityAdmin)).get('先锋指数')!.map(trim)).toEqual(
      expectedSheet(ranking, indicators),
    );
    const d2Ranking: Ranking = (await get(cityAdmin, `/index/ranking?period=${PERIOD}&districtId=${d2.id}`)).json();
    expect(d2Ranking.items.map((e) => e.org.name)).toEqual(['导出丙社区']);
    for (const q of [`scope=district&id=${d2.id}`, `districtId=${d2.id}`]) {
      const d2Sheets = await workbook(`/exports/index.xlsx?period=${PERIOD}&${q}`, cityAdmin);
      expect(d2Sheets.get('先锋指数')!.map(trim)).toEqual(expectedSheet(d2Ranking, indicators));
    }
  });

  it('gives a district admin its own district, ranked within it', async () => {
    const ranking: Ranking = (await get(d1Admin, `/index/ranking?period=${PERIOD}`)).json();
    const indicators: Indicator[] = (await get(d1Admin, '/index/indicators')).json().items;
    expect(ranking.items.map((e) => e.org.name).sort()).toEqual(['导出乙社区', '导出甲社区']);
    const rows = (await workbook(`/exports/index.xlsx?period=${PERIOD}`, d1Admin)).get('先锋指数')!;
    expect(rows.map(trim)).toEqual(expectedSheet(ranking, indicators));
    expect((await workbook(`/exports/index.xlsx?period=${PERIOD}&scope=district&id=${d1.id}`, d1Admin)).get('先锋指数')!.map(trim)).toEqual(
      expectedSheet(ranking, indicators),
    );
  });

  it('refuses other scopes, roles and bad queries in the contract shape', async () => {
    expect((await get(d1Admin, `/exports/index.xlsx?scope=district&id=${d2.id}`)).statusCode).toBe(403);
    expect((await get(d1Admin, '/exports/index.xlsx?scope=city')).statusCode).toBe(403);
    expect((await get(secretary, '/exports/index.xlsx')).statusCode).toBe(403);
    expect((await get(member, '/exports/index.xlsx?period=nonsense')).statusCode).toBe(403);
    expect((await get(undefined, '/exports/index.xlsx')).statusCode).toBe(401);
    for (const q of ['period=2025-13', 'scope=community', 'scope=district', `scope=city&id=${d1.id}`, `id=${d1.id}&districtId=${d2.id}`]) {
      const res = await get(cityAdmin, `/exports/index.xlsx?${q}`);
      expect([q, res.statusCode, res.json().code]).toEqual([q, 400, 'VALIDATION_FAILED']);
    }
    const unknown = await get(cityAdmin, '/exports/index.xlsx?scope=district&id=00000000-0000-4000-8000-000000000000');
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'NOT_FOUND']);
  });
});
