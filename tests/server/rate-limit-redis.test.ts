import { randomUUID } from 'node:crypto';
import { testRedisUrl } from '../helpers/redis';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server';
import { createTestContext, type TestContext } from '../helpers/test-app';

const redisUrl = testRedisUrl();
const LIMITS = { LOGIN_IDENTITY_RATE_LIMIT: '4', INVITE_ACCEPT_RATE_LIMIT: '2' };

(redisUrl ? describe : describe.skip)('rate limits across two server processes sharing Redis', () => {
  let ctx: TestContext;
  let second: SpawnedServer;

  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl!, ...LIMITS };
    ctx = await createTestContext({ env });
    second = await spawnServer(ctx.dbUrl, env);
  }, 120_000);
  afterAll(async () => {
    await second?.stop();
    await ctx?.close();
  });

  type Answer = { status: number; code?: string; retryAfter: string | null };
  const local = async (url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await ctx.app.inject({ method: 'POST', url, payload: payload as object, headers });
    return { status: res.statusCode, code: res.json().code, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null };
  };
  const remote = async (url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = await fetch(`${second.url}${url}`, {
      method: 'POST',
      body: JSON.stringify(payload),
      headers: { 'content-type': 'application/json', ...headers },
    });
    return { status: res.status, code: ((await res.json()) as { code?: string }).code, retryAfter: res.headers.get('retry-after') };
  };

  it('counts one identity’s sign-ins in both processes together', async () => {
    const code = `dev:two_${randomUUID().slice(0, 8)}`;
    const answers: Answer[] = [];
    // Alternating: each process alone would allow 4, so 8 would pass without the shared store.
    for (let i = 0; i < 6; i++) answers.push(await (i % 2 === 0 ? local : remote)('/api/v1/auth/wechat', { code }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.slice(4).map((a) => a.code)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect(answers.slice(4).every((a) => Number(a.retryAfter) >= 1)).toBe(true);
  });

  it('counts one user’s invite guesses in both processes together', async () => {
    const { auth } = await ctx.signIn(`guess_${randomUUID().slice(0, 8)}`);
    const url = '/api/v1/invites/accept';
    const answers = [
      await local(url, { code: 'guess-1' }, auth),
      await remote(url, { code: 'guess-2' }, auth),
      await local(url, { code: 'guess-3' }, auth),
      await remote(url, { code: 'guess-4' }, auth),
    ];
    expect(answers.map((a) => a.code)).toEqual(['CODE_INVALID', 'CODE_INVALID', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});
