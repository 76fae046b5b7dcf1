import { randomUUID } from 'node:crypto';
import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;

// The shipped defaults for sign-in ('' is unset), tight limits for the per-user ones.
const ENV = {
  LOGIN_RATE_LIMIT: '',
  LOGIN_IDENTITY_RATE_LIMIT: '',
  INVITE_ACCEPT_RATE_LIMIT: '2',
  CODE_VERIFY_RATE_LIMIT: '3',
  REGISTER_LOOKUP_RATE_LIMIT: '3',
};

beforeAll(async () => {
  ctx = await createTestContext({ env: ENV });
  world = await makeWorld(ctx.database.db);
});
afterAll(async () => ctx.close());

const OFFICE = '203.0.113.7';
const login = (code: string, address = OFFICE) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', remoteAddress: address, payload: { code } });
const unique = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;

async function inBatches<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += width) out.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, (_, j) => fn(i + j)))));
  return out;
}

function expectLimited(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', message: expect.any(String), requestId: expect.any(String) }));
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
}

describe('sign-in under an office burst', () => {
  it('signs in 2,000 distinct members from one address within a minute, none refused', async () => {
    expect(ctx.config.rateLimits.loginPerAddress).toBeGreaterThanOrEqual(2000);
    // The limiter's window runs on Date: held still, every sign-in falls in one minute however
    // long a loaded machine takes to serve them (only Date is faked; timers and I/O run as ever).
    jest.useFakeTimers({
      now: Date.now(),
      doNotFake: [
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'requestAnimationFrame',
        'cancelAnimationFrame',
        'requestIdleCallback',
        'cancelIdleCallback',
        'setImmediate',
        'clearImmediate',
        'setInterval',
        'clearInterval',
        'setTimeout',
        'clearTimeout',
      ],
    });
    try {
      const minute = Date.now();
      const prefix = unique('office');
      const statuses = await inBatches(2000, 50, async (i) => (await login(`dev:${prefix}_${i}`)).statusCode);
      expect(Date.now()).toBe(minute);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  }, 120_000);

  it('limits one identity hammering sign-in, while others from the same address go on', async () => {
    const max = ctx.config.rateLimits.loginPerIdentity;
    const code = `dev:${unique('hammer')}`;
    for (let i = 0; i < max; i++) expect((await login(code)).statusCode).toBe(200);
    expectLimited(await login(code));
    // From another address too: the limit is the identity's, not the address's.
    expectLimited(await login(code, '198.51.100.9'));
    expect((await login(`dev:${unique('colleague')}`)).statusCode).toBe(200);
  });
});

describe('per-address sign-in limit', () => {
  let tight: TestContext;
  beforeAll(async () => {
    tight = await createTestContext({ env: { LOGIN_RATE_LIMIT: '3' } });
  });
  afterAll(async () => tight.close());

  it('still stops one address far beyond an office', async () => {
    const at = (code: string, address: string) =>
      tight.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', remoteAddress: address, payload: { code } });
    for (let i = 0; i < 3; i++) expect((await at(`dev:${unique('a')}`, '192.0.2.1')).statusCode).toBe(200);
    expectLimited(await at(`dev:${unique('a')}`, '192.0.2.1'));
    // Counted before the body is read: a malformed body is refused for the rate, not validated.
    expectLimited(await at('', '192.0.2.1'));
    expect((await at(`dev:${unique('b')}`, '192.0.2.2')).statusCode).toBe(200);
  });
});

describe('per-user limits', () => {
  it('makes guessing invite codes slow, per user, malformed bodies included', async () => {
    const guesser = await ctx.signIn(unique('guesser'));
    const accept = (payload: unknown) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/invites/accept', headers: guesser.auth, payload: payload as object });
    expect((await accept({ code: 'guess-1' })).json().code).toBe('CODE_INVALID');
    expect((await accept({ code: 42 })).statusCode).toBe(400);
    expectLimited(await accept({ code: 'guess-3' }));
    const other = await ctx.signIn(unique('other'));
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/invites/accept', headers: other.auth, payload: { code: 'guess-1' } });
    expect(res.json().code).toBe('CODE_INVALID');
  });

  it('limits pioneer-code verification per staff user', async () => {
    const member = await registerMember(ctx, unique('verified'), world);
    const code = (await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me/pioneer-code', headers: member.auth })).json().token;
    const secretary = await ctx.signIn(unique('sec'));
    await ctx.grant(secretary.userId, 'secretary', world.community.id);
    const verify = (auth: { authorization: string }) =>
      ctx.app.inject({ method: 'POST', url: '/api/v1/pioneer-codes/verify', headers: auth, payload: { token: code } });
    for (let i = 0; i < 3; i++) expect((await verify(secretary.auth)).statusCode).toBe(200);
    expectLimited(await verify(secretary.auth));
    const colleague = await ctx.signIn(unique('sec2'));
    await ctx.grant(colleague.userId, 'secretary', world.community.id);
    expect((await verify(colleague.auth)).statusCode).toBe(200);
  });

  it('limits register-code look-ups per signed-in user', async () => {
    const user = await ctx.signIn(unique('looker'));
    const resolve = (code: string, headers: Record<string, string> = user.auth) =>
      ctx.app.inject({ method: 'GET', url: `/api/v1/register/resolve?code=${code}`, headers });
    expect((await resolve(world.community.registerCode!)).statusCode).toBe(200);
    expect((await resolve('nope1')).statusCode).toBe(404);
    expect((await resolve('nope2')).statusCode).toBe(404);
    expectLimited(await resolve(world.community.registerCode!));
    // Someone else, signed in or not yet, is not held back by this user's guesses.
    expect((await resolve(world.community.registerCode!, (await ctx.signIn(unique('next'))).auth)).statusCode).toBe(200);
    expect((await resolve(world.community.registerCode!, {})).statusCode).toBe(200);
  });
});
