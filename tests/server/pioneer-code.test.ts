import { createSigner } from 'fast-jwt';
import { encodePioneerCode, PIONEER_CODE_PURPOSE } from '../../server/src/modules/codes/pioneer-code';
import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { readQrSvg } from '../helpers/qr-decode';
import { createTestContext, TEST_ENV, type TestContext } from '../helpers/test-app';

/** 30 characters, the longest PUBLIC_URL the 先锋码 is sized for. */
const PUBLIC_URL = 'https://pioneer.example.gov.cn';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let member: Awaited<ReturnType<typeof registerMember>>;
let secretary: { authorization: string };

const CODE = '/api/v1/members/me/pioneer-code';
const VERIFY = '/api/v1/pioneer-codes/verify';

beforeAll(async () => {
  expect(PUBLIC_URL).toHaveLength(30);
  ctx = await createTestContext({ env: { PUBLIC_URL } });
  world = await makeWorld(ctx.database.db);
  member = await registerMember(ctx, 'pc-member', world, { name: '李先锋', phone: '13812345678', workUnit: '市卫健委' });
  const sec = await ctx.signIn('pc-secretary');
  await ctx.grant(sec.userId, 'secretary', world.community.id);
  secretary = sec.auth;
});
afterAll(async () => ctx.close());

async function issue(auth = member.auth) {
  const res = await ctx.app.inject({ method: 'GET', url: CODE, headers: auth });
  expect(res.statusCode).toBe(200);
  return res.json() as { token: string; url: string; expiresAt: string; qrSvg: string };
}

const verify = (token: unknown, auth: { authorization: string } = secretary) =>
  ctx.app.inject({ method: 'POST', url: VERIFY, headers: auth, payload: { token } });

const nowSeconds = () => Math.floor(ctx.clock.now().getTime() / 1000);

describe('issuing the 先锋码', () => {
  it('answers a compact code living 60 s, inside a link a version ≤ 5 QR carries (read by an independent decoder)', async () => {
    const { token, url, expiresAt, qrSvg } = await issue();
    expect(new Date(expiresAt).getTime() - ctx.clock.now().getTime()).toBeGreaterThan(58_000);
    expect(new Date(expiresAt).getTime() - ctx.clock.now().getTime()).toBeLessThanOrEqual(60_000);
    expect(token.length).toBeLessThanOrEqual(48);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(url).toBe(`${PUBLIC_URL}/c/${token}`);
    expect(Buffer.byteLength(url)).toBeLessThanOrEqual(84);
    expect(qrSvg).toMatch(/^<svg/);
    const read = readQrSvg(qrSvg);
    expect(read?.data).toBe(url);
    expect(read?.version).toBeLessThanOrEqual(5);
    // Neither the member id nor the phone can be read off the code in clear text.
    expect(token).not.toContain(member.memberId.replace(/-/g, ''));
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toContain('13812345678');
  });

  it('gives a new code each second, and cannot be used as a session token', async () => {
    const first = await issue();
    ctx.clock.advance(1_000);
    const second = await issue();
    expect(second.token).not.toBe(first.token);
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me', headers: { authorization: `Bearer ${second.token}` } });
    expect(res.statusCode).toBe(401);
  });
});

describe('the /c/<code> link', () => {
  it('opens the scanned-code page of the H5 app with the code, uncached', async () => {
    const { token, url } = await issue();
    const res = await ctx.app.inject({ method: 'GET', url: new URL(url).pathname });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/#/pages/scanned/index?code=${token}`);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 404 in the error shape for something that is not a code', async () => {
    for (const path of ['/c/short', `/c/${'A'.repeat(47)}`, '/c/%00abc']) {
      const res = await ctx.app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });
});

describe('verifying a 先锋码', () => {
  it('shows staff the identity card with a masked phone and names', async () => {
    const { token } = await issue();
    const res = await verify(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      member: {
        id: member.memberId,
        name: '李先锋',
        phone: '138****5678',
        unitOrg: { id: world.unitOrg.id, name: world.unitOrg.name },
        workUnit: '市卫健委',
        community: { id: world.community.id, name: world.community.name },
        estate: { id: world.estate.id, name: world.estate.name },
      },
      claims: [],
    });
    expect(res.body).not.toContain('13812345678');
  });

  it('accepts the scanned link as well as the bare code', async () => {
    const { url } = await issue();
    const res = await verify(url);
    expect(res.statusCode).toBe(200);
    expect(res.json().member.id).toBe(member.memberId);
  });

  it('lets any staff verify (a district admin elsewhere, a city admin, a secretary of another community)', async () => {
    const elsewhere = await makeWorld(ctx.database.db);
    const grants: Array<['district_admin' | 'city_admin' | 'secretary', string | null]> = [
      ['district_admin', elsewhere.district.id],
      ['city_admin', null],
      ['secretary', elsewhere.community.id],
    ];
    for (const [i, [role, orgId]] of grants.entries()) {
      const s = await ctx.signIn(`pc-staff-${i}`);
      await ctx.grant(s.userId, role, orgId);
      const { token } = await issue();
      const res = await verify(token, s.auth);
      expect(res.statusCode).toBe(200);
      expect(res.json().member.id).toBe(member.memberId);
    }
  });

  it('refuses members, unit admins and plain users with 403, anonymous callers with 401, before reading the body', async () => {
    const { token } = await issue();
    const other = await registerMember(ctx, 'pc-other-member', world);
    const unitAdmin = await ctx.signIn('pc-unit-admin');
    await ctx.grant(unitAdmin.userId, 'unit_admin', world.unitOrg.id);
    const plain = await ctx.signIn('pc-plain');
    for (const auth of [member.auth, other.auth, unitAdmin.auth, plain.auth]) {
      for (const payload of [{ token }, {}]) {
        const res = await ctx.app.inject({ method: 'POST', url: VERIFY, headers: auth, payload });
        expect(res.statusCode).toBe(403);
        expect(res.json().code).toBe('FORBIDDEN');
      }
    }
    const anon = await ctx.app.inject({ method: 'POST', url: VERIFY, payload: { token: 42 } });
    expect(anon.statusCode).toBe(401);
  });

  it('accepts a code just before 60 s and answers 410 CODE_EXPIRED after', async () => {
    const { token } = await issue();
    ctx.clock.advance(59_000);
    expect((await verify(token)).statusCode).toBe(200);
    ctx.clock.advance(2_000);
    const res = await verify(token);
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('CODE_EXPIRED');
  });

  it('answers 410 for a code 61 s old', async () => {
    const { token } = await issue();
    ctx.clock.advance(61_000);
    const res = await verify(token);
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('CODE_EXPIRED');
  });

  describe('rejects with 400 CODE_INVALID', () => {
    const signed = (over: Partial<{ memberId: string; issuedAt: number; lifetime: number }> = {}, secret = TEST_ENV.PIONEER_CODE_SECRET) =>
      encodePioneerCode({ memberId: member.memberId, issuedAt: nowSeconds(), lifetime: 60, ...over }, secret);
    const flip = (code: string, at: number) => {
      const raw = Buffer.from(code, 'base64url');
      raw[at] ^= 0x01;
      return raw.toString('base64url');
    };

    const bad: Array<[string, () => Promise<string> | string]> = [
      ['a forged MAC', async () => flip((await issue()).token, 33)],
      ['a member id changed under the same MAC', async () => flip((await issue()).token, 5)],
      ['an issue time moved under the same MAC', async () => flip((await issue()).token, 20)],
      ['a lifetime raised under the same MAC', async () => flip((await issue()).token, 21)],
      ['a well-signed code living 61 s', () => signed({ lifetime: 61 })],
      ['a well-signed code living 255 s', () => signed({ lifetime: 255 })],
      ['a well-signed code issued a minute in the future', () => signed({ issuedAt: nowSeconds() + 60 })],
      ['a code signed with the session secret', () => signed({}, TEST_ENV.JWT_SECRET)],
      ['a code one character short', async () => (await issue()).token.slice(0, -1)],
      ['a malformed string', () => 'not-a-token'],
      ['the session token', () => member.token],
      [
        'a JWT signed with the code secret',
        () =>
          createSigner({ key: TEST_ENV.PIONEER_CODE_SECRET, algorithm: 'HS256', aud: PIONEER_CODE_PURPOSE })({
            sub: member.memberId,
            iat: nowSeconds(),
            exp: nowSeconds() + 60,
          }),
      ],
      ['a code under another path of the site', async () => `${PUBLIC_URL}/r/${(await issue()).token}`],
      ['a well-signed code for a member that does not exist', () => signed({ memberId: '00000000-0000-4000-8000-000000000000' })],
    ];

    it.each(bad)('%s', async (_label, make) => {
      const res = await verify(await make());
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('CODE_INVALID');
    });
  });

  it('answers 400 VALIDATION_FAILED for a missing or empty token', async () => {
    for (const payload of [{}, { token: '' }, { token: 42 }, { token: 'abc\u0000' }]) {
      const res = await ctx.app.inject({ method: 'POST', url: VERIFY, headers: secretary, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().details[0].path).toBe('token');
    }
  });
});

describe('links a person opens in a browser', () => {
  it('answers an unknown path or a malformed code link with a 404 page, API clients with the error body', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    for (const url of ['/no/such/page', '/c/short']) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('页面不存在');
    }
    const api = await ctx.app.inject({ method: 'GET', url: '/api/v1/no-such-route', headers: html });
    expect(api.statusCode).toBe(404);
    expect(api.json().code).toBe('NOT_FOUND');
  });
});
