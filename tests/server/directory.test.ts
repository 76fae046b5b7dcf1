import { districts } from '../../server/src/db/schema';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg, makeStaff } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
type Auth = { authorization: string };
let admin: Auth, districtAdminA: Auth, secretaryA: Auth, member: Auth;
let districtA: { id: string }, districtB: { id: string };
let communityA: { id: string; districtId: string }, communityA2: { id: string }, communityB: { id: string }, unitA: { id: string };

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.database.db;
  districtA = await makeDistrict(db);
  districtB = await makeDistrict(db);
  communityA = await makeCommunity(db, districtA.id);
  communityA2 = await makeCommunity(db, districtA.id);
  communityB = await makeCommunity(db, districtB.id);
  unitA = await makeUnitOrg(db, districtA.id);
  await makeEstate(db, communityA.id, '乙小区');
  await makeEstate(db, communityA.id, '甲小区');

  ({
    admin,
    districtAdmin: districtAdminA,
    secretary: secretaryA,
    member,
  } = await makeStaff(ctx, 'dir', {
    districtId: districtA.id,
    communityId: communityA.id,
  }));
});
afterAll(async () => ctx.close());

const inject = (method: 'GET' | 'POST', url: string, headers?: Auth, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers, payload: payload as object });

describe('GET /districts', () => {
  it('lists districts by sort order, without signing in', async () => {
    await ctx.database.db.insert(districts).values([
      { name: '排序测试丙', sortOrder: -1 },
      { name: '排序测试甲', sortOrder: -3 },
      { name: '排序测试乙', sortOrder: -2 },
    ]);
    const res = await inject('GET', '/districts');
    expect(res.statusCode).toBe(200);
    const names = res.json().items.map((d: { name: string }) => d.name);
    expect(names.slice(0, 3)).toEqual(['排序测试甲', '排序测试乙', '排序测试丙']);
    expect(res.json().items[0]).toEqual({ id: expect.any(String), name: '排序测试甲' });
  });
});

describe('GET /party-orgs', () => {
  it('filters by kind and district', async () => {
    const res = await inject('GET', `/party-orgs?districtId=${districtA.id}&kind=community&limit=100`);
    expect(res.statusCode).toBe(200);
    const ids = res
      .json()
      .items.map((o: { id: string }) => o.id)
      .sort();
    expect(ids).toEqual([communityA.id, communityA2.id].sort());
    expect(res.json().items[0]).toEqual({ id: expect.any(String), name: expect.any(String), kind: 'community', districtId: districtA.id });
    const units = await inject('GET', `/party-orgs?districtId=${districtA.id}&kind=unit`);
    expect(units.json().items.map((o: { id: string }) => o.id)).toEqual([unitA.id]);
  });

  it('matches q as a literal substring, case-insensitively, wildcards included', async () => {
    const d = await makeDistrict(ctx.database.db);
    await makeCommunity(ctx.database.db, d.id, '百分百%社区');
    await makeCommunity(ctx.database.db, d.id, 'Under_Score社区');
    await makeCommunity(ctx.database.db, d.id, 'UnderXScore社区');
    await makeCommunity(ctx.database.db, d.id, '反斜\\杠社区');
    const q = async (text: string) => {
      const res = await inject('GET', `/party-orgs?districtId=${d.id}&q=${encodeURIComponent(text)}`);
      expect(res.statusCode).toBe(200);
      return res
        .json()
        .items.map((o: { name: string }) => o.name)
        .sort();
    };
    expect(await q('%')).toEqual(['百分百%社区']);
    expect(await q('_')).toEqual(['Under_Score社区']);
    expect(await q('under')).toEqual(['Under_Score社区', 'UnderXScore社区'].sort());
    expect(await q('\\')).toEqual(['反斜\\杠社区']);
    expect(await q('社区')).toHaveLength(4);
  });

  it('pages with a keyset cursor without gaps or repeats', async () => {
    const d = await makeDistrict(ctx.database.db);
    const names = ['页A', '页B', '页C', '页D', '页E'];
    for (const name of names) await makeUnitOrg(ctx.database.db, d.id, name);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/party-orgs?districtId=${d.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await inject('GET', url);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((o: { name: string }) => o.name));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
  });

  it('rejects a forged cursor and an out-of-range limit', async () => {
    for (const url of ['/party-orgs?cursor=not-a-cursor', `/party-orgs?cursor=${Buffer.from('["a","b"]').toString('base64url')}`]) {
      const res = await inject('GET', url);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'cursor' }] });
    }
    for (const limit of ['0', '101', 'x']) {
      const res = await inject('GET', `/party-orgs?limit=${limit}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    expect((await inject('GET', '/party-orgs?districtId=nope')).statusCode).toBe(400);
  });
});

describe('POST /party-orgs', () => {
  it('lets a city admin create a community with a url-safe register code, and audits it', async () => {
    const res = await inject('POST', '/party-orgs', admin, { kind: 'community', name: '新建测试社区', districtId: districtB.id });
    expect(res.statusCode).toBe(201);
    const org = res.json();
    expect(org).toMatchObject({ id: expect.any(String), name: '新建测试社区', kind: 'community', districtId: districtB.id });
    expect(org.registerCode).toMatch(/^[A-Za-z0-9_-]{12}$/);
    const { rows } = await ctx.database.pool.query('select action, entity from audit_log where entity_id = $1', [org.id]);
    expect(rows).toEqual([{ action: 'party_org.create', entity: 'party_org' }]);
  });

  it('gives unit orgs no register code', async () => {
    const res = await inject('POST', '/party-orgs', admin, { kind: 'unit', name: '市测试局', districtId: districtA.id });
    expect(res.statusCode).toBe(201);
    expect(res.json().registerCode).toBeNull();
  });

  it('answers a duplicate name with 409 CONFLICT', async () => {
    const body = { kind: 'community', name: '重名测试社区', districtId: districtA.id };
    expect((await inject('POST', '/party-orgs', admin, body)).statusCode).toBe(201);
    const res = await inject('POST', '/party-orgs', districtAdminA, body);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('CONFLICT');
  });

  it('answers an unknown district with 400 naming districtId', async () => {
    const res = await inject('POST', '/party-orgs', admin, {
      kind: 'unit',
      name: '无板块单位',
      districtId: '00000000-0000-4000-8000-000000000000',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'districtId' }] });
  });

  it('lets a district admin create only in its own district', async () => {
    const own = await inject('POST', '/party-orgs', districtAdminA, { kind: 'community', name: '本板块新社区', districtId: districtA.id });
    expect(own.statusCode).toBe(201);
    const other = await inject('POST', '/party-orgs', districtAdminA, {
      kind: 'community',
      name: '外板块新社区',
      districtId: districtB.id,
    });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('FORBIDDEN');
  });

  it('refuses secretaries, members and anonymous callers', async () => {
    const body = { kind: 'community', name: '越权社区', districtId: districtA.id };
    expect((await inject('POST', '/party-orgs', secretaryA, body)).json().code).toBe('FORBIDDEN');
    expect((await inject('POST', '/party-orgs', member, body)).statusCode).toBe(403);
    expect((await inject('POST', '/party-orgs', undefined, body)).statusCode).toBe(401);
    const { rows } = await ctx.database.pool.query(`select 1 from party_orgs where name = '越权社区'`);
    expect(rows).toHaveLength(0);
  });

  it('names every bad field', async () => {
    const res = await inject('POST', '/party-orgs', admin, { kind: 'village', name: 'x', districtId: 'nope' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .details.map((d: { path: string }) => d.path)
        .sort(),
    ).toEqual(['districtId', 'kind', 'name']);
  });
});

describe('estates', () => {
  it('lists a community estates by name, publicly', async () => {
    const res = await inject('GET', `/party-orgs/${communityA.id}/estates`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((e: { name: string }) => e.name)).toEqual(['乙小区', '甲小区'].sort());
  });

  it('answers 404 for unit orgs and unknown ids, 400 for malformed ids', async () => {
    expect((await inject('GET', `/party-orgs/${unitA.id}/estates`)).statusCode).toBe(404);
    expect((await inject('GET', '/party-orgs/00000000-0000-4000-8000-000000000000/estates')).json().code).toBe('NOT_FOUND');
    expect((await inject('GET', '/party-orgs/abc/estates')).json().code).toBe('VALIDATION_FAILED');
    expect((await inject('POST', `/party-orgs/${unitA.id}/estates`, admin, { name: '单位小区' })).statusCode).toBe(404);
  });

  it('lets the community secretary and admins above it add estates', async () => {
    for (const [who, name] of [
      [secretaryA, '书记加的小区'],
      [districtAdminA, '板块加的小区'],
      [admin, '市里加的小区'],
    ] as const) {
      const res = await inject('POST', `/party-orgs/${communityA.id}/estates`, who, { name });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ id: expect.any(String), name });
    }
    const list = await inject('GET', `/party-orgs/${communityA.id}/estates`);
    expect(list.json().items).toHaveLength(5);
  });

  it('refuses callers outside the community scope', async () => {
    expect((await inject('POST', `/party-orgs/${communityA2.id}/estates`, secretaryA, { name: '邻居小区' })).statusCode).toBe(403);
    expect((await inject('POST', `/party-orgs/${communityB.id}/estates`, districtAdminA, { name: '外板块小区' })).statusCode).toBe(403);
    expect((await inject('POST', `/party-orgs/${communityA.id}/estates`, member, { name: '党员小区' })).statusCode).toBe(403);
    expect((await inject('POST', `/party-orgs/${communityA.id}/estates`, undefined, { name: '匿名小区' })).statusCode).toBe(401);
    const { rows } = await ctx.database.pool.query('select 1 from estates where community_org_id = any($1)', [
      [communityA2.id, communityB.id],
    ]);
    expect(rows).toHaveLength(0);
  });

  it('answers a duplicate estate with 409 and an empty name with 400', async () => {
    const dup = await inject('POST', `/party-orgs/${communityA.id}/estates`, secretaryA, { name: '甲小区' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('CONFLICT');
    const empty = await inject('POST', `/party-orgs/${communityA.id}/estates`, secretaryA, { name: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().details[0].path).toBe('name');
  });
});
