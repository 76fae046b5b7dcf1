import { createSigner } from 'fast-jwt';
import { PIONEER_CODE_AUDIENCE, PIONEER_CODE_TYPE } from '../../server/src/modules/codes/pioneer-code';
import { SESSION_AUDIENCE } from '../../server/src/plugins/auth';
import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { decodeQrSvg } from '../helpers/qr-decode';
import { createTestContext, TEST_ENV, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let member: Awaited<ReturnType<typeof registerMember>>;
let secretary: { authorization: string };

const CODE = '/api/v1/members/me/pioneer-code';
const VERIFY = '/api/v1/pioneer-codes/verify';

beforeAll(async () => {
  ctx = await createTestContext();
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
  return res.json() as { token: string; expiresAt: string; qrSvg: string };
}

const verify = (token: unknown, auth: { authorization: string } = secretary) =>
  ctx.app.inject({ method: 'POST', url: VERIFY, headers: auth, payload: { token } });

const nowSeconds = () => Math.floor(ctx.clock.now().getTime() / 1000);

describe('issuing the 先锋码', () => {
  it('answers a token living 60 s and an SVG QR that decodes to exactly that token', async () => {
    const { token, expiresAt, qrSvg } = await issue();
    expect(new Date(expiresAt).getTime() - ctx.clock.now().getTime()).toBeGreaterThan(58_000);
    expect(new Date(expiresAt).getTime() - ctx.clock.now().getTime()).toBeLessThanOrEqual(60_000);
    expect(qrSvg).toMatch(/^<svg/);
    expect(decodeQrSvg(qrSvg)).toBe(token);
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({ sub: member.memberId, aud: PIONEER_CODE_AUDIENCE, typ: PIONEER_CODE_TYPE });
    expect(JSON.stringify(payload)).not.toContain('13812345678');
  });

  it('cannot be used as a session token', async () => {
    const { token } = await issue();
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
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
    });
    expect(res.body).not.toContain('13812345678');
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

  it('refuses members, unit admins and plain users with 403, anonymous callers with 401', async () => {
    const { token } = await issue();
    const other = await registerMember(ctx, 'pc-other-member', world);
    const unitAdmin = await ctx.signIn('pc-unit-admin');
    await ctx.grant(unitAdmin.userId, 'unit_admin', world.unitOrg.id);
    const plain = await ctx.signIn('pc-plain');
    for (const auth of [member.auth, other.auth, unitAdmin.auth, plain.auth]) {
      const res = await verify(token, auth);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
    const anon = await ctx.app.inject({ method: 'POST', url: VERIFY, payload: { token } });
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
    const codeSigner = (claims: Record<string, unknown> = {}, opts: { key?: string; aud?: string } = {}) => {
      const sign = createSigner({ key: opts.key ?? TEST_ENV.PIONEER_CODE_SECRET, algorithm: 'HS256', aud: opts.aud ?? PIONEER_CODE_AUDIENCE });
      const iat = nowSeconds();
      return sign({ sub: member.memberId, typ: PIONEER_CODE_TYPE, iat, exp: iat + 60, ...claims });
    };

    const bad: Array<[string, () => Promise<string> | string]> = [
      ['a forged signature', async () => {
        const { token } = await issue();
        const [h, p, s] = token.split('.');
        return `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      }],
      ['a payload swapped to another member', async () => {
        const { token } = await issue();
        const [h, , s] = token.split('.');
        const p = Buffer.from(JSON.stringify({ sub: '00000000-0000-4000-8000-000000000000', typ: PIONEER_CODE_TYPE, aud: PIONEER_CODE_AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 60 })).toString('base64url');
        return `${h}.${p}.${s}`;
      }],
      ['a malformed string', () => 'not-a-token'],
      ['three garbage segments', () => 'a.b.c'],
      ['the session token', () => member.token],
      ['a code signed with the session secret', () => codeSigner({}, { key: TEST_ENV.JWT_SECRET })],
      ['a session-audience token signed with the code secret', () => codeSigner({}, { aud: SESSION_AUDIENCE })],
      ['a wrong typ', () => codeSigner({ typ: 'invite' })],
      ['a missing typ', () => codeSigner({ typ: undefined })],
      ['an unsigned (alg none) token', () => {
        const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const p = Buffer.from(JSON.stringify({ sub: member.memberId, typ: PIONEER_CODE_TYPE, aud: PIONEER_CODE_AUDIENCE, iat: nowSeconds(), exp: nowSeconds() + 60 })).toString('base64url');
        return `${h}.${p}.`;
      }],
      ['a well-signed code for a member that does not exist', () => codeSigner({ sub: '00000000-0000-4000-8000-000000000000' })],
      ['a well-signed code whose subject is not an id', () => codeSigner({ sub: 'admin' })],
    ];

    it.each(bad)('%s', async (_label, make) => {
      const res = await verify(await make());
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('CODE_INVALID');
    });
  });

  it('answers 400 VALIDATION_FAILED for a missing or empty token', async () => {
    for (const payload of [{}, { token: '' }, { token: 42 }]) {
      const res = await ctx.app.inject({ method: 'POST', url: VERIFY, headers: secretary, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().details[0].path).toBe('token');
    }
  });
});
