import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { StatsDashboardQuerySchema, StatsDashboardSchema, StatsOverviewQuerySchema, StatsOverviewSchema } from '@pioneer/shared';
import { requireAuth } from '../../plugins/auth';
import { statsScopeGuard } from './stats-scope';
import type { StatsService } from './stats-service';

export const statsRoutes: FastifyPluginAsyncZod<{ statsService: StatsService }> = async (app, opts) => {
  const guard = statsScopeGuard(opts.statsService);
  app.get(
    '/stats/overview',
    {
      onRequest: requireAuth,
      preHandler: guard.preHandler,
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        tags: ['stats'],
        querystring: StatsOverviewQuerySchema,
        response: { 200: StatsOverviewSchema },
      },
    },
    async (request) => opts.statsService.overview(guard.of(request)),
  );
  app.get(
    '/stats/dashboard',
    {
      onRequest: requireAuth,
      preHandler: guard.preHandler,
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        tags: ['stats'],
        querystring: StatsDashboardQuerySchema,
        response: { 200: StatsDashboardSchema },
      },
    },
    async (request) => opts.statsService.dashboard(guard.of(request), request.query.weeks),
  );
};
