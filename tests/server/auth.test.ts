import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig } from '../../server/src/config';
import { ManualClock } from '../../server/src/lib/clock';
import { pioneerCodeServiceFactory } from '../../server/src/modules/codes/pioneer-code';
import { SESSION_AUDIENCE } from '../../server/src/plugins/auth';
import { createTestContext, TEST_ENV, type TestContext } from '../helpers/test-app';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Builds a JWT by hand, so each test controls exactly one thing that is wrong with it. */
function jwt(payload: Record<string, unknown>, opts: { alg?: string; secret?: string } = {}): string {
  const alg = opts.alg ?? 'HS256';
  const head = `${b64({ alg, typ: 'JWT' })}.${b64(payload)}`;
  if (alg === 'none') return `${head}.`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  if (!hash) throw new Error(`unsupported alg ${alg}`);
  return `${head}.${createHmac(hash, opts.secret ?? TEST_ENV.JWT_SECRET)
    .update(head)
    .digest('base64url')}`;
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe('session tokens', () => {
  let ctx: TestContext;
  let userId: string;
  const claims = () => ({ sub: userId, aud: SESSION_AUDIENCE, iat: nowSec() - 10, exp: nowSec() + 3600 });
  const me = (authorization?: string) =>
    ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: authorization === undefined ? {} : { authorization } });

  beforeAll(async () => {
    ctx = await createTestContext();
    userId = (await ctx.signIn('alice')).userId;
  });
  afterAll(async () => ctx.close());

  async function expectUnauthenticated(authorization?: string) {
    const res = await me(authorization);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.any(String), requestId: expect.any(String) });
  }

  it('accepts a correct hand-made token (so the cases below fail for their one flaw)', async () => {
    const res = await me(`Bearer ${jwt(claims())}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().user.id).toBe(userId);
  });

  it('accepts the token the login endpoint issues', async () => {
    const { auth } = await ctx.signIn('alice');
    expect((await me(auth.authorization)).statusCode).toBe(200);
  });

  it('rejects a missing token', async () => {
    await expectUnauthenticated();
  });

  it('rejects an expired token', async () => {
    await expectUnauthenticated(`Bearer ${jwt({ ...claims(), iat: nowSec() - 7200, exp: nowSec() - 60 })}`);
  });

  it('rejects a tampered signature', async () => {
    const token = jwt(claims());
    const sig = token.slice(token.lastIndexOf('.') + 1);
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    await expectUnauthenticated(`Bearer ${token.slice(0, token.lastIndexOf('.') + 1)}${flipped}`);
  });

  it('rejects a tampered payload under the original signature', async () => {
    const other = (await ctx.signIn('mallory')).userId;
    const [head, , sig] = jwt(claims()).split('.');
    await expectUnauthenticated(`Bearer ${head}.${b64({ ...claims(), sub: other })}.${sig}`);
  });

  it('rejects alg none', async () => {
    await expectUnauthenticated(`Bearer ${jwt(claims(), { alg: 'none' })}`);
  });

  it('rejects another algorithm with the same secret', async () => {
    await expectUnauthenticated(`Bearer ${jwt(claims(), { alg: 'HS512' })}`);
    await expectUnauthenticated(`Bearer ${jwt(claims(), { alg: 'HS384' })}`);
  });

  it('rejects a wrong or missing audience', async () => {
    await expectUnauthenticated(`Bearer ${jwt({ ...claims(), aud: 'pioneer-code:member-code' })}`);
    const { aud: _aud, ...noAud } = claims();
    await expectUnauthenticated(`Bearer ${jwt(noAud)}`);
  });

  it('rejects a token without exp, and one signed with another secret', async () => {
    const { exp: _exp, ...noExp } = claims();
    await expectUnauthenticated(`Bearer ${jwt(noExp)}`);
    await expectUnauthenticated(`Bearer ${jwt(claims(), { secret: 'x'.repeat(40) })}`);
  });

  it('rejects a 先锋码 used as a session token', async () => {
    const codes = pioneerCodeServiceFactory({ secret: TEST_ENV.PIONEER_CODE_SECRET, clock: new ManualClock() });
    await expectUnauthenticated(`Bearer ${codes.issue(userId).token}`);
  });

  it('rejects a token whose member claim is not a string', async () => {
    await expectUnauthenticated(`Bearer ${jwt({ ...claims(), mid: 42 })}`);
  });

  it('rejects a valid token naming no user', async () => {
    await expectUnauthenticated(`Bearer ${jwt({ ...claims(), sub: '00000000-0000-4000-8000-000000000000' })}`);
    await expectUnauthenticated(`Bearer ${jwt({ ...claims(), sub: 'not-a-uuid' })}`);
  });

  it.each(['Bearer', 'Bearer ', 'Bearer abc', 'Bearer a.b.c', 'Bearer ...', 'Basic dXNlcjpwYXNz', 'bearer', `Token ${'x'.repeat(20)}`])(
    'rejects a malformed header: %p',
    async (header) => {
      await expectUnauthenticated(header);
    },
  );
});

interface FakeCall {
  appid: string | null;
  secret: string | null;
  js_code: string | null;
  grant_type: string | null;
}

/** A real HTTP stand-in for WeChat's code2session, answering per js_code. */
async function startFakeWechat(answers: Record<string, unknown>) {
  const calls: FakeCall[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname !== '/sns/jscode2session') {
      res.writeHead(404).end();
      return;
    }
    const q = url.searchParams;
    calls.push({ appid: q.get('appid'), secret: q.get('secret'), js_code: q.get('js_code'), grant_type: q.get('grant_type') });
    const answer = answers[q.get('js_code') ?? ''] ?? { errcode: 40029, errmsg: 'invalid code' };
    // WeChat answers errors with HTTP 200 and a text/plain JSON body.
    res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    calls,
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SESSION_KEY = 'SeSsIoNkEy-must-never-leave-the-server==';

describe('WeChat code2session', () => {
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let ctx: TestContext;
  const login = (code: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code } });

  beforeAll(async () => {
    fake = await startFakeWechat({
      'good-code': { openid: 'o_wx_user_1', session_key: SESSION_KEY, unionid: 'u_1' },
      'used-code': { errcode: 40163, errmsg: 'code been used' },
      'busy-code': { errcode: -1, errmsg: 'system error' },
    });
    ctx = await createTestContext({
      env: { WECHAT_APP_ID: 'wx_test_appid', WECHAT_APP_SECRET: 'test-app-secret', WECHAT_API_BASE: fake.base },
    });
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  it('exchanges the code and signs in the openid user, without revealing the session key', async () => {
    const res = await login('good-code');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(SESSION_KEY);
    const body = res.json();
    expect(fake.calls.at(-1)).toEqual({
      appid: 'wx_test_appid',
      secret: 'test-app-secret',
      js_code: 'good-code',
      grant_type: 'authorization_code',
    });
    const { rows } = await ctx.database.pool.query('select openid from users where id = $1', [body.user.id]);
    expect(rows).toEqual([{ openid: 'o_wx_user_1' }]);

    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ user: { id: body.user.id, roles: [], memberId: null }, devLogin: false });
    expect(me.body).not.toContain(SESSION_KEY);

    // Same openid, same user.
    expect((await login('good-code')).json().user.id).toBe(body.user.id);
  });

  it('answers an invalid code (40029) and a used one with 401 WECHAT_LOGIN_FAILED', async () => {
    for (const code of ['invalid-code', 'used-code']) {
      const res = await login(code);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('WECHAT_LOGIN_FAILED');
    }
  });

  it('answers WeChat being busy (-1) with 503 SERVICE_UNAVAILABLE', async () => {
    const res = await login('busy-code');
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
  });

  it('does not accept development codes when WeChat is configured', async () => {
    const before = fake.calls.length;
    const res = await login('dev:admin');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('WECHAT_LOGIN_FAILED');
    expect(fake.calls.slice(before).map((c) => c.js_code)).toEqual(['dev:admin']);
    const { rows } = await ctx.database.pool.query(`select 1 from users where openid = 'dev_admin'`);
    expect(rows).toHaveLength(0);
  });

  it('answers an unreachable WeChat with 503 and no internals', async () => {
    const down = await createTestContext({
      env: { WECHAT_APP_ID: 'wx_test_appid', WECHAT_APP_SECRET: 'test-app-secret', WECHAT_API_BASE: 'http://127.0.0.1:1' },
    });
    try {
      const res = await down.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: 'good-code' } });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
      expect(res.body).not.toMatch(/ECONNREFUSED|fetch failed|stack/i);
    } finally {
      await down.close();
    }
  });
});

describe('production and configuration', () => {
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  beforeAll(async () => {
    fake = await startFakeWechat({});
  });
  afterAll(async () => fake.close());

  it('refuses production without WeChat credentials, naming WECHAT_APP_ID', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/WECHAT_APP_ID/);
    const { WECHAT_APP_ID: _a, ...withoutAppId } = { ...TEST_ENV, NODE_ENV: 'production', WECHAT_APP_ID: 'x', WECHAT_APP_SECRET: 'y' };
    expect(() => loadConfig(withoutAppId)).toThrow(/WECHAT_APP_ID/);
  });

  it('sends dev:admin to WeChat in production instead of accepting it', async () => {
    const ctx = await createTestContext({
      env: { NODE_ENV: 'production', WECHAT_APP_ID: 'wx_prod', WECHAT_APP_SECRET: 'prod-secret', WECHAT_API_BASE: fake.base },
    });
    try {
      expect(ctx.config.wechat).not.toBeNull();
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: 'dev:admin' } });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('WECHAT_LOGIN_FAILED');
      expect(fake.calls.map((c) => [c.appid, c.js_code])).toEqual([['wx_prod', 'dev:admin']]);
    } finally {
      await ctx.close();
    }
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['JWT_SECRET', 'short'],
    ['DATABASE_URL', 'not a url'],
    ['PHONE_ENC_KEY', 'abcd'],
    ['NODE_ENV', 'staging'],
  ])('stops on a bad %s with a message naming it', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ ...TEST_ENV, [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(name);
  });

  it('never echoes secret values in the error message', () => {
    expect(() => loadConfig({ ...TEST_ENV, JWT_SECRET: 'tooshort-secret-value' })).toThrow(/JWT_SECRET/);
    expect(() => loadConfig({ ...TEST_ENV, JWT_SECRET: 'tooshort-secret-value' })).not.toThrow(/tooshort-secret-value/);
  });
});
