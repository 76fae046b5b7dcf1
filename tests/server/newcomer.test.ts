import { loadConfig } from '../../server/src/config';
import { withErrorAnswers } from '../../server/src/lib/openapi';
import { createTestContext, TEST_ENV, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

type Operation = { summary?: string; description?: string; tags?: string[] };

describe('what a newcomer meets first', () => {
  it('serves /favicon.ico as an icon', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/favicon.ico' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/x-icon');
    const body = res.rawPayload;
    // ICONDIR: reserved 0, type 1 (icon), at least one image, each a PNG.
    expect([body.readUInt16LE(0), body.readUInt16LE(2)]).toEqual([0, 1]);
    const count = body.readUInt16LE(4);
    expect(count).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < count; i++) {
      const offset = body.readUInt32LE(6 + 16 * i + 12);
      expect(body.subarray(offset, offset + 8).toString('hex')).toBe('89504e470d0a1a0a');
    }
  });

  it('gives every operation of /api/docs/json a summary, a description and its module tag', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/api/docs/json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    const lacking: string[] = [];
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        if (!op.summary?.trim() || !op.description?.trim() || !op.tags?.length) lacking.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(operations).toBeGreaterThanOrEqual(90);
    expect(lacking).toEqual([]);
    expect(doc.paths['/api/v1/tasks/{id}/check-outs'].post).toMatchObject({ summary: '扫码签退', tags: ['claims'] });
    expect(doc.paths['/api/v1/health'].get.summary).toBe('健康检查');
  });

  it("keeps a route's own summary, description and tags over the catalogue's, and tags by module otherwise", () => {
    const own = withErrorAnswers({
      schema: { summary: '自定义', description: 'own words', tags: ['meetings'] },
      url: '/api/v1/tasks',
      route: { method: 'POST' },
      openapiObject: { openapi: '3.0.3' },
    } as never) as { schema: Operation };
    expect(own.schema).toMatchObject({ summary: '自定义', description: 'own words', tags: ['meetings'] });
    const summaryOnly = withErrorAnswers({
      schema: { summary: '新功能' },
      url: '/api/v1/brand-new/:id',
      route: { method: 'GET' },
      openapiObject: { openapi: '3.0.3' },
    } as never) as { schema: Operation };
    expect(summaryOnly.schema).toMatchObject({ summary: '新功能', description: '新功能', tags: ['brand-new'] });
    const catalogued = withErrorAnswers({
      schema: { tags: ['tasks'] },
      url: '/api/v1/tasks/:id',
      route: { method: 'GET' },
      openapiObject: { openapi: '3.0.3' },
    } as never) as {
      schema: Operation;
    };
    expect(catalogued.schema).toMatchObject({ summary: '岗位详情', tags: ['tasks'] });
    expect(catalogued.schema.description).toMatch(/\w/);
  });

  it('logs at warn in development unless LOG_LEVEL says otherwise, and at info elsewhere', () => {
    const env = { ...TEST_ENV, LOG_LEVEL: '' };
    expect(loadConfig({ ...env, NODE_ENV: 'development' }).logLevel).toBe('warn');
    expect(loadConfig({ ...env, NODE_ENV: 'development', LOG_LEVEL: 'info' }).logLevel).toBe('info');
    expect(loadConfig({ ...env, NODE_ENV: 'test' }).logLevel).toBe('info');
    expect(loadConfig({ ...env, NODE_ENV: 'development', PUBLIC_URL: 'https://pioneer.example.cn' }).logLevel).toBe('info');
  });
});
