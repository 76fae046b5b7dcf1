import { createTestContext, type TestContext } from '../helpers/test-app';

// Roles, health and metrics of one process (contract v3, running as a cluster). The cluster itself
// (nginx, replicas, several processes) is tested by `npm run test:cluster`.
const contexts: TestContext[] = [];
const context = async (env: Record<string, string> = {}) => {
  const ctx = await createTestContext({ env: { NOTIFY_WORKER: 'true', ...env } });
  contexts.push(ctx);
  return ctx;
};
afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
});

describe('SERVER_ROLE', () => {
  test('all (the default) serves the API and runs every job', async () => {
    const ctx = await context();
    expect(ctx.app.backgroundJobs).toEqual(expect.arrayContaining(['notifications', 'claim-jobs', 'rollups', 'task-sweep']));
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
  });

  test('web serves the API and runs no background job', async () => {
    const ctx = await context({ SERVER_ROLE: 'web' });
    expect(ctx.app.backgroundJobs).toEqual([]);
    const health = await ctx.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.json()).toEqual({ status: 'ok', role: 'web', database: 'ok', replicas: [] });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me' })).statusCode).toBe(401);
  });

  test('worker runs the jobs and serves only /health and /metrics', async () => {
    const ctx = await context({ SERVER_ROLE: 'worker' });
    expect(ctx.app.backgroundJobs).toEqual(expect.arrayContaining(['notifications', 'claim-jobs', 'rollups']));
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/health' })).json().role).toBe('worker');
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/metrics' })).statusCode).toBe(200);
    for (const url of ['/api/v1/districts', '/api/v1/tasks', '/api/v1/auth/me']) {
      const res = await ctx.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
  });
});

describe('/metrics', () => {
  test('Prometheus text with the series the contract names', async () => {
    const ctx = await context();
    await ctx.app.inject({ method: 'GET', url: '/api/v1/health' });
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    for (const series of [
      'http_request_duration_seconds_bucket',
      'claim_gate_batch_size',
      'pg_pool_waiting',
      'outbox_backlog',
      'rollup_lag_seconds',
      'replica_lag_seconds',
      'pgboss_queue_jobs',
    ]) {
      expect(res.body).toContain(series);
    }
    // Labelled by route pattern, never by the URL a caller sent.
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/health",status="200"\} \d+/);
  });

  test('asks for METRICS_TOKEN as a bearer when one is set', async () => {
    const ctx = await context({ METRICS_TOKEN: 'metrics-token-0123456789' });
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/metrics' })).statusCode).toBe(401);
    const wrong = await ctx.app.inject({ method: 'GET', url: '/api/v1/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const right = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/metrics',
      headers: { authorization: 'Bearer metrics-token-0123456789' },
    });
    expect(right.statusCode).toBe(200);
  });
});

describe('read replicas', () => {
  test('a replica that does not answer is skipped: reads come from the primary and /health says degraded', async () => {
    const ctx = await context({ DATABASE_REPLICA_URLS: 'postgres://postgres@127.0.0.1:1/nowhere', NOTIFY_WORKER: 'false' });
    const admin = await ctx.signIn('roles-admin');
    await ctx.grant(admin.userId, 'city_admin', null);
    const health = await ctx.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'degraded', role: 'all', database: 'ok', replicas: [{ lagMs: null }] });
    const overview = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/overview?scope=city', headers: admin.auth });
    expect(overview.statusCode).toBe(200);
    const metrics = await ctx.app.inject({ method: 'GET', url: '/api/v1/metrics' });
    expect(metrics.body).toContain('replica_lag_seconds{replica="0"} -1');
  });

  test('a database that is not a replica is never read as one', async () => {
    const ctx = await context({ NOTIFY_WORKER: 'false' });
    const other = await context({ DATABASE_REPLICA_URLS: ctx.dbUrl, NOTIFY_WORKER: 'false' });
    const health = await other.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.json().status).toBe('degraded');
  });
});
