import { partyOrgs } from '../../server/src/db/schema';
import { makeCommunity, makeDistrict, makeEstate, makeWorld } from '../helpers/fixtures';
import { decodeQrPng, decodeQrSvg } from '../helpers/qr-decode';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let other: Awaited<ReturnType<typeof makeWorld>>;
let secretaryA: { authorization: string };
let secretaryB: { authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  other = await makeWorld(ctx.database.db);
  const a = await ctx.signIn('secA');
  await ctx.grant(a.userId, 'secretary', world.community.id);
  secretaryA = a.auth;
  const b = await ctx.signIn('secB');
  await ctx.grant(b.userId, 'secretary', other.community.id);
  secretaryB = b.auth;
});
afterAll(async () => ctx.close());

const qrUrl = (id: string, format?: 'svg' | 'png') => `/api/v1/party-orgs/${id}/register-qrcode${format ? `?format=${format}` : ''}`;

describe('community registration QR', () => {
  it('encodes exactly <PUBLIC_URL>/r/<registerCode> as SVG (the default)', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: qrUrl(world.community.id), headers: secretaryA });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(decodeQrSvg(res.body)).toBe(`http://pioneer.test/r/${world.community.registerCode}`);
  });

  it('encodes the same URL as PNG', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: qrUrl(world.community.id, 'png'), headers: secretaryA });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(decodeQrPng(res.rawPayload)).toBe(`http://pioneer.test/r/${world.community.registerCode}`);
  });

  it('lets the district admin and a city admin fetch it, but not another district admin', async () => {
    const dist = await ctx.signIn('distAdmin');
    await ctx.grant(dist.userId, 'district_admin', world.district.id);
    const city = await ctx.signIn('cityAdmin');
    await ctx.grant(city.userId, 'city_admin', null);
    const otherDist = await ctx.signIn('otherDistAdmin');
    await ctx.grant(otherDist.userId, 'district_admin', other.district.id);

    for (const auth of [dist.auth, city.auth]) {
      const res = await ctx.app.inject({ method: 'GET', url: qrUrl(world.community.id, 'png'), headers: auth });
      expect(res.statusCode).toBe(200);
    }
    const res = await ctx.app.inject({ method: 'GET', url: qrUrl(world.community.id), headers: otherDist.auth });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
  });

  it("refuses community B's secretary, a plain user and an anonymous caller", async () => {
    const res = await ctx.app.inject({ method: 'GET', url: qrUrl(world.community.id, 'png'), headers: secretaryB });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');

    const plain = await ctx.signIn('nobody');
    const res2 = await ctx.app.inject({ method: 'GET', url: qrUrl(world.community.id), headers: plain.auth });
    expect(res2.statusCode).toBe(403);

    const res3 = await ctx.app.inject({ method: 'GET', url: qrUrl(world.community.id) });
    expect(res3.statusCode).toBe(401);
  });

  it('answers 404 for a unit org or an unknown id, 400 for a bad id or format', async () => {
    const city = await ctx.signIn('cityAdmin2');
    await ctx.grant(city.userId, 'city_admin', null);
    const unit = await ctx.app.inject({ method: 'GET', url: qrUrl(world.unitOrg.id), headers: city.auth });
    expect(unit.statusCode).toBe(404);
    expect(unit.json().code).toBe('NOT_FOUND');
    const unknown = await ctx.app.inject({ method: 'GET', url: qrUrl('00000000-0000-4000-8000-000000000000'), headers: city.auth });
    expect(unknown.statusCode).toBe(404);
    const badId = await ctx.app.inject({ method: 'GET', url: qrUrl('not-a-uuid'), headers: city.auth });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().code).toBe('VALIDATION_FAILED');
    const badFormat = await ctx.app.inject({ method: 'GET', url: `${qrUrl(world.community.id)}?format=gif`, headers: secretaryA });
    expect(badFormat.statusCode).toBe(400);
    expect(badFormat.json().details[0].path).toBe('format');
  });

  it('generates a url-safe code of at most 32 characters for a community without one, and keeps it', async () => {
    const district = await makeDistrict(ctx.database.db);
    const [bare] = await ctx.database.db
      .insert(partyOrgs)
      .values({ kind: 'community', name: `无码社区-${Date.now()}`, districtId: district.id })
      .returning();
    expect(bare.registerCode).toBeNull();
    const sec = await ctx.signIn('secBare');
    await ctx.grant(sec.userId, 'secretary', bare.id);

    const first = await ctx.app.inject({ method: 'GET', url: qrUrl(bare.id, 'png'), headers: sec.auth });
    expect(first.statusCode).toBe(200);
    const { rows } = await ctx.database.pool.query('select register_code from party_orgs where id = $1', [bare.id]);
    const stored = { registerCode: rows[0].register_code as string };
    expect(stored.registerCode).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(decodeQrPng(first.rawPayload)).toBe(`http://pioneer.test/r/${stored.registerCode}`);

    const second = await ctx.app.inject({ method: 'GET', url: qrUrl(bare.id), headers: sec.auth });
    expect(decodeQrSvg(second.body)).toBe(`http://pioneer.test/r/${stored.registerCode}`);

    const resolved = await ctx.app.inject({ method: 'GET', url: `/api/v1/register/resolve?code=${stored.registerCode}` });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().community.id).toBe(bare.id);
  });
});

describe('resolve and redirect', () => {
  it('resolves a real code publicly to its community and estates', async () => {
    const second = await makeEstate(ctx.database.db, world.community.id);
    await makeEstate(ctx.database.db, other.community.id);
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/register/resolve?code=${world.community.registerCode}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.community).toEqual({ id: world.community.id, name: world.community.name, districtId: world.district.id });
    expect(body.estates.map((e: { id: string }) => e.id).sort()).toEqual([world.estate.id, second.id].sort());
  });

  it('answers 404 NOT_FOUND for an unknown code and 400 for a missing one', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/register/resolve?code=no-such-code' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/v1/register/resolve' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().code).toBe('VALIDATION_FAILED');
  });

  it('redirects /r/:code to the H5 register page with the code', async () => {
    const code = world.community.registerCode!;
    const res = await ctx.app.inject({ method: 'GET', url: `/r/${code}` });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/#/pages/register/index?code=${code}`);
  });

  it('still redirects an unknown but well-formed code (the page shows the error) and 404s a malformed one', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/r/unknown_code-1' });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/#/pages/register/index?code=unknown_code-1');
    const bad = await ctx.app.inject({ method: 'GET', url: `/r/${'x'.repeat(33)}` });
    expect(bad.statusCode).toBe(404);
    const weird = await ctx.app.inject({ method: 'GET', url: '/r/%3Cscript%3E' });
    expect(weird.statusCode).toBe(404);
  });

  it('keeps a community made by the fixtures within the 32-character limit', async () => {
    const c = await makeCommunity(ctx.database.db, world.district.id);
    expect(c.registerCode!.length).toBeLessThanOrEqual(32);
  });
});

describe('the poster data (register-info)', () => {
  const infoUrl = (id: string) => `/api/v1/party-orgs/${id}/register-info`;

  it('names the community, its district, and the code under the QR for its secretary', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: infoUrl(world.community.id), headers: secretaryA });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      community: { id: world.community.id, name: world.community.name, districtId: world.district.id },
      district: { id: world.district.id, name: world.district.name },
      registerCode: world.community.registerCode,
      url: `http://pioneer.test/r/${world.community.registerCode}`,
    });
  });

  it("answers 403 to another community's secretary, 401 without a session, 404 for a unit org", async () => {
    expect((await ctx.app.inject({ method: 'GET', url: infoUrl(world.community.id), headers: secretaryB })).statusCode).toBe(403);
    expect((await ctx.app.inject({ method: 'GET', url: infoUrl(world.community.id) })).statusCode).toBe(401);
    const city = await ctx.signIn('infoCityAdmin');
    await ctx.grant(city.userId, 'city_admin', null);
    expect((await ctx.app.inject({ method: 'GET', url: infoUrl(world.unitOrg.id), headers: city.auth })).statusCode).toBe(404);
  });
});
