import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { OkSchema } from '@pioneer/shared';
import { AppError } from '../../lib/errors';

export const healthRoutes: FastifyPluginAsyncZod<{ pool: pg.Pool }> = async (app, opts) => {
  app.get('/health', { schema: { tags: ['health'], response: { 200: OkSchema } } }, async () => {
    try {
      await opts.pool.query('select 1');
    } catch {
      throw new AppError('SERVICE_UNAVAILABLE', '数据库暂不可用', {
        details: [{ path: 'database', reason: 'degraded: the database does not answer' }],
      });
    }
    return { status: 'ok' as const };
  });
};
