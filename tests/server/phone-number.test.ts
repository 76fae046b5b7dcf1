import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestContext, type TestContext } from '../helpers/test-app';

const PHONE = '/api/v1/members/me/phone-number';

interface Call {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

/** A real HTTP stand-in for WeChat's stable_token and phonenumber.getPhoneNumber. */
async function startFakeWechat(phones: Record<string, unknown>) {
  const calls: Call[] = [];
  let tokenSeq = 0;
  const valid = new Set<string>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = raw ? JSON.parse(raw) : {};
      calls.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), body });
      let answer: unknown = { errcode: 40013, errmsg: 'invalid appid' };
      if (url.pathname === '/cgi-bin/stable_token' && body.appid === 'wx_phone_app' && body.secret === 'phone-secret') {
        const token = `AT${++tokenSeq}`;
        valid.add(token);
        answer = { access_token: token, expires_in: 7200 };
      } else if (url.pathname === '/wxa/business/getuserphonenumber') {
        const token = url.searchParams.get('access_token') ?? '';
        answer = valid.has(token)
          ? (phones[String(body.code)] ?? { errcode: 40029, errmsg: 'invalid code' })
          : { errcode: 40001, errmsg: 'invalid credential' };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    calls,
    /** WeChat voids every access token handed out so far (as a secret reset would). */
    voidTokens: () => valid.clear(),
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const phoneInfo = (purePhoneNumber: string, countryCode = '86') => ({
  errcode: 0,
  errmsg: 'ok',
  phone_info: { phoneNumber: countryCode === '86' ? purePhoneNumber : `+${countryCode}${purePhoneNumber}`, purePhoneNumber, countryCode },
});

describe('getPhoneNumber through WeChat', () => {
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let ctx: TestContext;
  let user: { authorization: string };

  beforeAll(async () => {
    fake = await startFakeWechat({
      'good-1': phoneInfo('13912345678'),
      'good-2': phoneInfo('13700001111'),
      'good-3': phoneInfo('13600002222'),
      'hk-number': phoneInfo('61234567', '852'),
      busy: { errcode: -1, errmsg: 'system error' },
    });
    ctx = await createTestContext({
      env: { WECHAT_APP_ID: 'wx_phone_app', WECHAT_APP_SECRET: 'phone-secret', WECHAT_API_BASE: fake.base },
    });
    // With WeChat configured, sign-in would need code2session: a user row and a session token stand in for it.
    user = { authorization: `Bearer ${ctx.app.signSession('00000000-0000-4000-8000-00000000aaaa')}` };
    await ctx.database.pool.query(`insert into users (id, openid) values ('00000000-0000-4000-8000-00000000aaaa', 'o_phone_user')`);
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  const ask = (code: unknown, auth: Record<string, string> = user) =>
    ctx.app.inject({ method: 'POST', url: PHONE, headers: auth, payload: { code } });

  it("answers the caller's own number, fetching one stable access token for several exchanges", async () => {
    const first = await ask('good-1');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ phone: '13912345678' });
    expect(first.headers['cache-control']).toBe('no-store');
    expect((await ask('good-2')).json()).toEqual({ phone: '13700001111' });
    const tokenCalls = fake.calls.filter((c) => c.path === '/cgi-bin/stable_token');
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0].body).toEqual({
      grant_type: 'client_credential',
      appid: 'wx_phone_app',
      secret: 'phone-secret',
      force_refresh: false,
    });
    const phoneCalls = fake.calls.filter((c) => c.path === '/wxa/business/getuserphonenumber');
    expect(phoneCalls.map((c) => [c.query.access_token, c.body.code])).toEqual([
      ['AT1', 'good-1'],
      ['AT1', 'good-2'],
    ]);
  });

  it('fetches a new access token once when WeChat says the held one is void', async () => {
    fake.voidTokens();
    const res = await ask('good-3');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ phone: '13600002222' });
    expect(fake.calls.filter((c) => c.path === '/cgi-bin/stable_token')).toHaveLength(2);
  });

  it('answers 400 CODE_INVALID for a used or invalid code, 400 VALIDATION_FAILED for a number outside the mainland', async () => {
    const used = await ask('used-code');
    expect(used.statusCode).toBe(400);
    expect(used.json().code).toBe('CODE_INVALID');
    const hk = await ask('hk-number');
    expect(hk.statusCode).toBe(400);
    expect(hk.json().code).toBe('VALIDATION_FAILED');
    expect(hk.body).not.toContain('61234567');
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After when WeChat is busy', async () => {
    const res = await ask('busy');
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('checks the caller before the body: 401 without a session, whatever the body', async () => {
    for (const payload of [{ code: 'good-1' }, {}]) {
      const res = await ctx.app.inject({ method: 'POST', url: PHONE, payload });
      expect(res.statusCode).toBe(401);
    }
  });

  it('answers 400 VALIDATION_FAILED for a missing, empty or NUL-carrying code', async () => {
    for (const code of [undefined, '', 'a\u0000b', 7]) {
      const res = await ask(code);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().details[0].path).toBe('code');
    }
  });
});

describe('getPhoneNumber in development', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  it('takes dev:<11 digits> and refuses anything else', async () => {
    const { auth } = await ctx.signIn('phone-dev');
    const ok = await ctx.app.inject({ method: 'POST', url: PHONE, headers: auth, payload: { code: 'dev:13812340000' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ phone: '13812340000' });
    const bad = await ctx.app.inject({ method: 'POST', url: PHONE, headers: auth, payload: { code: 'wx-real-code' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('CODE_INVALID');
  });
});
