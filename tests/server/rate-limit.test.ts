import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext({ env: { LOGIN_RATE_LIMIT: '3', INVITE_ACCEPT_RATE_LIMIT: '2' } });
});
afterAll(async () => ctx.close());

const login = (name: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: `dev:${name}` } });

describe('rate limits', () => {
  it('slows sign-ins from one address and lets them through again in the next window', async () => {
    ctx.clock.set(Date.parse('2026-05-01T08:00:00Z'));
    for (const name of ['rl1', 'rl2', 'rl3']) expect((await login(name)).statusCode).toBe(200);
    ctx.clock.advance(15_000);
    const limited = await login('rl4');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', requestId: expect.any(String) }));
    expect(limited.headers['retry-after']).toBe('45');
    ctx.clock.advance(45_000);
    expect((await login('rl4')).statusCode).toBe(200);
  });

  it('makes guessing invite codes slow, per user', async () => {
    ctx.clock.set(Date.parse('2026-05-01T09:00:00Z'));
    const { auth } = await ctx.signIn('guesser');
    const accept = (code: string) => ctx.app.inject({ method: 'POST', url: '/api/v1/invites/accept', headers: auth, payload: { code } });
    expect((await accept('guess-1')).json().code).toBe('CODE_INVALID');
    expect((await accept('guess-2')).json().code).toBe('CODE_INVALID');
    const limited = await accept('guess-3');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
