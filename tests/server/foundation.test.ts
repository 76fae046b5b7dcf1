import { buildApp } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import { createDatabase } from '../../server/src/db/client';
import { createTestContext, TEST_ENV, type TestContext } from '../helpers/test-app';
import { createTestDatabase } from '../helpers/test-database';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

describe('health and errors', () => {
  it('answers health once the database answers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', role: 'all', database: 'ok', replicas: [] });
  });

  it('answers unknown routes with the contract error shape', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(res.statusCode).toBe(404);
    const body = res.json();
    expect(body.code).toBe('NOT_FOUND');
    expect(typeof body.message).toBe('string');
    expect(typeof body.requestId).toBe('string');
  });

  it('names each bad field of a body in details', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: 42 } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details).toEqual([expect.objectContaining({ path: 'code' })]);
  });

  it('answers malformed JSON as a validation failure', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/auth/wechat',
      headers: { 'content-type': 'application/json' },
      payload: '{"code":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });

  it('serves the OpenAPI document generated from the zod schemas at /api/docs/json, browsable at /api/docs', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/v1/auth/wechat'].post.requestBody).toBeDefined();

    const page = await ctx.app.inject({ method: 'GET', url: '/api/docs' });
    const html =
      page.statusCode === 302
        ? await ctx.app.inject({ method: 'GET', url: `/api/docs/${page.headers.location}`.replace('/api/docs/./', '/api/docs/') })
        : page;
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('swagger-ui');
  });

  it('declares the error answers of every route, with their codes', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content?: Record<string, { schema: { properties: { code: { enum: string[] } } } }> }> }
        >
      >;
    };
    const codesOf = (path: string, method: string) =>
      Object.fromEntries(
        Object.entries(doc.paths[path]![method]!.responses)
          .filter(([status]) => Number(status) >= 400)
          // The first media type: routes answering images list theirs first.
          .map(([status, r]) => [status, Object.values(r.content!)[0]!.schema.properties.code.enum]),
      );
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops))
        expect({ path, method, errors: codesOf(path, method)['500'] }).toEqual({ path, method, errors: ['INTERNAL_ERROR'] });
    }
    expect(codesOf('/api/v1/tasks/{id}/claims', 'post')).toEqual(
      expect.objectContaining({
        '409': ['TASK_FULL', 'ALREADY_CLAIMED', 'CLAIM_NOT_OPEN', 'CLAIM_CLOSED', 'TASK_CANCELLED'],
        '403': ['NOT_REGISTERED', 'GRAB_SUSPENDED'],
        '400': ['VALIDATION_FAILED'],
      }),
    );
    expect(codesOf('/api/v1/party-orgs', 'post')).toEqual(expect.objectContaining({ '401': ['UNAUTHENTICATED'], '403': ['FORBIDDEN'] }));
    // A guard's answers are documented on every route it guards (stats scope guard included).
    expect(codesOf('/api/v1/stats/overview', 'get')).toEqual(
      expect.objectContaining({ '401': ['UNAUTHENTICATED'], '403': ['FORBIDDEN'], '404': ['NOT_FOUND'] }),
    );
    expect(codesOf('/api/v1/exports/members.xlsx', 'get')).toEqual(
      expect.objectContaining({ '401': ['UNAUTHENTICATED'], '403': ['FORBIDDEN'], '404': ['NOT_FOUND'] }),
    );
    expect(codesOf('/api/v1/members/me/consent', 'post')).toEqual(
      expect.objectContaining({ '401': ['UNAUTHENTICATED'], '403': ['NOT_REGISTERED'] }),
    );
    expect(codesOf('/api/v1/whistles/{id}/rate', 'post')).toEqual(
      expect.objectContaining({ '403': ['FORBIDDEN'], '404': ['NOT_FOUND'], '409': ['INVALID_TRANSITION', 'CONFLICT'] }),
    );
  });
});

describe('internal failures', () => {
  it('hides internals of a thrown error and of a failing query behind INTERNAL_ERROR', async () => {
    const testDb = await createTestDatabase();
    const config = loadConfig({ ...TEST_ENV, DATABASE_URL: testDb.url });
    const database = createDatabase(testDb.url, 2);
    const app = await buildApp({ config, database, logger: false });
    app.get('/boom', async () => {
      throw new Error('secret stack detail at /srv/app/internal.ts:42');
    });
    app.get('/bad-sql', async () => database.pool.query('select * from no_such_table_xyz'));
    try {
      for (const url of ['/boom', '/bad-sql']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(500);
        const body = res.json();
        expect(body).toEqual({ code: 'INTERNAL_ERROR', message: expect.any(String), requestId: expect.any(String) });
        expect(res.body).not.toMatch(/secret|internal\.ts|no_such_table|select|stack/i);
      }
    } finally {
      await app.close();
      await database.close();
      await testDb.drop();
    }
  });

  it('answers health with 503 in the error shape once the database stops answering', async () => {
    const testDb = await createTestDatabase();
    const config = loadConfig({ ...TEST_ENV, DATABASE_URL: testDb.url });
    const database = createDatabase(testDb.url, 2);
    const app = await buildApp({ config, database, logger: false });
    try {
      expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
      await database.pool.end();
      const res = await app.inject({ method: 'GET', url: '/api/v1/health' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual(expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', requestId: expect.any(String) }));
      expect(res.body).not.toMatch(/pool|Cannot use/i);
    } finally {
      await app.close();
      await testDb.drop();
    }
  });
});
