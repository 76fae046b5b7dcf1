import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSigner } from 'fast-jwt';
import { ConfigError, loadConfig } from '../../server/src/config';
import { encodePioneerCode } from '../../server/src/modules/codes/pioneer-code';
import { SESSION_AUDIENCE } from '../../server/src/plugins/auth';
import { makeWorld } from '../helpers/fixtures';
import { spawnServer } from '../helpers/spawn-server';
import { httpClient, insertMembers, makeSecretary, publishTask, secretaryWorld } from '../helpers/task-fixtures';
import { createTestContext, TEST_ENV, type TestContext } from '../helpers/test-app';

jest.setTimeout(90_000);

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };

beforeAll(async () => {
  ({ ctx, world, secretary } = await secretaryWorld('sec-security'));
});

afterAll(async () => {
  await ctx?.close();
});

const SECRET_NAMES = { JWT_SECRET: undefined, PIONEER_CODE_SECRET: undefined, PHONE_ENC_KEY: undefined, PHONE_HASH_KEY: undefined };

describe('secrets', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'pioneer-secrets-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  test('development keys are random per data folder, made once, mode 0600, and never the old derived values', () => {
    const a = tempDir();
    const b = tempDir();
    const env = { ...TEST_ENV, ...SECRET_NAMES, NODE_ENV: 'development', PUBLIC_URL: undefined };
    const first = loadConfig({ ...env, DATA_DIR: a });
    const again = loadConfig({ ...env, DATA_DIR: a });
    const other = loadConfig({ ...env, DATA_DIR: b });
    expect(again.jwtSecret).toBe(first.jwtSecret);
    expect(again.phoneEncKey.equals(first.phoneEncKey)).toBe(true);
    expect(other.jwtSecret).not.toBe(first.jwtSecret);
    expect(other.pioneerCodeSecret).not.toBe(first.pioneerCodeSecret);
    const file = path.join(a, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const derived = createHash('sha256').update('pioneer-code-development:jwt').digest('hex');
    expect(first.jwtSecret).not.toBe(derived);
    expect(readFileSync(file, 'utf8')).not.toContain(derived);
  });

  test.each([
    ['NODE_ENV=production', { NODE_ENV: 'production', WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 's' }],
    ['WeChat credentials', { NODE_ENV: 'development', WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 's' }],
    ['a public PUBLIC_URL', { NODE_ENV: 'development', PUBLIC_URL: 'https://dangjian.changshu.gov.cn' }],
  ])('%s without real keys refuses to start, naming the missing keys', (_why, extra) => {
    const env = { ...TEST_ENV, ...SECRET_NAMES, DATA_DIR: tempDir(), PUBLIC_URL: undefined, ...extra };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/JWT_SECRET[\s\S]*PIONEER_CODE_SECRET[\s\S]*PHONE_ENC_KEY[\s\S]*PHONE_HASH_KEY/);
  });

  test('the demo loads only in development', () => {
    const dev = loadConfig({ ...TEST_ENV, NODE_ENV: 'development', SEED_DEMO: undefined, PUBLIC_URL: undefined, DATA_DIR: tempDir() });
    expect(dev.seedDemo).toBe(true);
    expect(loadConfig({ ...TEST_ENV, NODE_ENV: 'test', SEED_DEMO: undefined }).seedDemo).toBe(false);
    const prod = { ...TEST_ENV, NODE_ENV: 'production', WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 's' };
    expect(loadConfig({ ...prod, SEED_DEMO: undefined }).seedDemo).toBe(false);
    expect(() => loadConfig({ ...prod, SEED_DEMO: 'true' })).toThrow(/SEED_DEMO/);
  });

  test('a city_admin token signed with the old source-derived key is refused', async () => {
    const forged = createSigner({
      key: createHash('sha256').update('pioneer-code-development:jwt').digest('hex'),
      algorithm: 'HS256',
      aud: SESSION_AUDIENCE,
      expiresIn: 3600_000,
    })({ sub: '00000000-0000-4000-8000-000000000000' });
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${forged}` } });
    expect(res.statusCode).toBe(401);
  });

  test('a 先锋码 with a lifetime over 60 s is refused, even signed with the right key', async () => {
    const task = await publishTask(ctx, secretary, world.community.id);
    const [m] = await insertMembers(ctx, world, 1, 'longcode');
    const now = Math.floor(ctx.clock.now().getTime() / 1000);
    // The longest lifetime the compact code can carry (255 s), with a correct MAC.
    const tooLong = encodePioneerCode({ memberId: m.memberId, issuedAt: now, lifetime: 255 }, ctx.config.pioneerCodeSecret);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/pioneer-codes/verify',
      headers: secretary,
      payload: { token: tooLong },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CODE_INVALID');
    const res2 = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${task.id}/check-ins`,
      headers: secretary,
      payload: { token: tooLong },
    });
    expect(res2.json().code).toBe('CODE_INVALID');
  });
});

describe('X-Forwarded-For', () => {
  test('is ignored unless TRUST_PROXY names the proxy: a made-up header does not reset the sign-in limit', async () => {
    const limited = await createTestContext({ env: { LOGIN_RATE_LIMIT: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.app.inject({
          method: 'POST',
          url: '/api/v1/auth/wechat',
          headers: { 'x-forwarded-for': `10.0.0.${i + 1}` },
          payload: { code: `dev:xff-same-${i}` },
        });
        statuses.push(res.statusCode);
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses[3]).toBe(429);
    } finally {
      await limited.close();
    }
  });

  test('with TRUST_PROXY set to the proxy, the client address comes from the header', async () => {
    const proxied = await createTestContext({ env: { LOGIN_RATE_LIMIT: '3', TRUST_PROXY: '127.0.0.1' } });
    try {
      for (let i = 0; i < 4; i++) {
        const res = await proxied.app.inject({
          method: 'POST',
          url: '/api/v1/auth/wechat',
          headers: { 'x-forwarded-for': `10.0.1.${i + 1}` },
          payload: { code: `dev:xff-proxied-${i}` },
        });
        expect(res.statusCode).toBe(200);
      }
    } finally {
      await proxied.close();
    }
  });
});

describe('check-in window and idempotency rows', () => {
  test('check-in opens CHECK_IN_OPENS_MINUTES before the start: earlier is 409 CHECK_IN_NOT_OPEN', async () => {
    const c = await createTestContext({ env: { CHECK_IN_OPENS_MINUTES: '30' } });
    try {
      const w = await makeWorld(c.database.db);
      const sec = (await makeSecretary(c, w.community.id, 'window-sec')).auth;
      const task = await publishTask(c, sec, w.community.id);
      const [m] = await insertMembers(c, w, 1, 'window');
      expect((await c.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/claims`, headers: m.auth })).statusCode).toBe(201);
      const scan = async () => {
        const code = await c.app.inject({ method: 'GET', url: '/api/v1/members/me/pioneer-code', headers: m.auth });
        return c.app.inject({
          method: 'POST',
          url: `/api/v1/tasks/${task.id}/check-ins`,
          headers: sec,
          payload: { token: code.json().token },
        });
      };
      const early = await scan();
      expect(early.statusCode).toBe(409);
      expect(early.json().code).toBe('CHECK_IN_NOT_OPEN');
      c.clock.set(new Date(Date.parse(task.startsAt) - 31 * 60_000));
      expect((await scan()).json().code).toBe('CHECK_IN_NOT_OPEN');
      c.clock.set(new Date(Date.parse(task.startsAt) - 29 * 60_000));
      const ok = await scan();
      expect(ok.statusCode).toBe(200);
      expect(ok.json().claim.status).toBe('checked_in');
    } finally {
      await c.close();
    }
  });

  test('claims on unknown posts with fresh Idempotency-Keys store nothing', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'junkkeys');
    for (let i = 0; i < 5; i++) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/00000000-0000-4000-8000-00000000000${i}/claims`,
        headers: { ...m.auth, 'idempotency-key': `junk-${i}` },
      });
      expect(res.statusCode).toBe(404);
    }
    const rows = await ctx.database.pool.query(`select count(*)::int as n from idempotency_keys where key like 'junk-%'`);
    expect(rows.rows[0].n).toBe(0);
  });
});

describe('security headers', () => {
  test('the API answers with nosniff, a frame policy, a referrer policy and a CSP', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
  });
});

describe('logout and revocation', () => {
  test('POST /auth/logout ends every session of the caller, on the claim route too', async () => {
    const task = await publishTask(ctx, secretary, world.community.id);
    const [m] = await insertMembers(ctx, world, 1, 'logout');
    const second = ctx.app.signSession(m.userId, m.memberId);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: m.auth })).statusCode).toBe(200);
    const out = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: m.auth });
    expect(out.statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: m.auth })).statusCode).toBe(401);
    const other = { authorization: `Bearer ${second}` };
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me', headers: other })).statusCode).toBe(401);
    const claim = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/claims`, headers: m.auth });
    expect(claim.statusCode).toBe(401);
    // Signing in again gives a working session.
    const fresh = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: 'dev:logout-again' } });
    expect(fresh.statusCode).toBe(200);
  });

  test('a city admin revokes another user; a second server process hears it at once', async () => {
    const a = await ctx.signIn('revoke-admin');
    await ctx.grant(a.userId, 'city_admin', null);
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 10 });
    const [m] = await insertMembers(ctx, world, 1, 'revoked');
    const server = await spawnServer(ctx.dbUrl);
    const http = httpClient(server.url);
    try {
      // The other process verifies (and caches) the token first.
      expect((await http.request('GET', '/api/v1/auth/me', { headers: m.auth })).status).toBe(200);
      expect(
        (await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${m.userId}/sessions/revoke`, headers: secretary })).statusCode,
      ).toBe(403);
      const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/users/${m.userId}/sessions/revoke`, headers: a.auth });
      expect(res.statusCode).toBe(200);
      let status = 0;
      // The other process hears of the revocation within moments; the bound is for a loaded machine.
      for (const deadline = Date.now() + 30_000; status !== 401 && Date.now() < deadline;) {
        status = (await http.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: m.auth })).status;
        if (status !== 401) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(401);
    } finally {
      http.close();
      await server.stop();
    }
  });
});
