import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type pg from 'pg';
import { HealthSchema } from '@pioneer/shared';
import type { ReadReplicas } from '../../db/read-replicas';
import { AppError } from '../../lib/errors';

export const healthRoutes: FastifyPluginAsyncZod<{ pool: pg.Pool; role: 'web' | 'worker' | 'all'; replicas: ReadReplicas }> = async (
  app,
  opts,
) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: '健康检查',
        description: 'Whether the primary database answers (else 503), this process role, and each read replica and its lag.',
        response: { 200: HealthSchema },
      },
    },
    async () => {
      try {
        // A probe of the pool itself (does a pooled connection answer?), not data: no repository's business.
        await opts.pool.query('select 1');
      } catch {
        throw new AppError('SERVICE_UNAVAILABLE', '数据库暂不可用', {
          details: [{ path: 'database', reason: 'degraded: the database does not answer' }],
        });
      }
      const replicas = opts.replicas.status();
      return {
        status: replicas.every((r) => r.usable) ? ('ok' as const) : ('degraded' as const),
        role: opts.role,
        database: 'ok' as const,
        replicas: replicas.map((r) => ({ lagMs: r.lagMs })),
      };
    },
  );
};
