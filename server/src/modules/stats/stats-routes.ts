import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { StatsDashboardQuerySchema, StatsDashboardSchema, StatsOverviewQuerySchema, StatsOverviewSchema } from '@pioneer/shared';
import { principalOf, requireAuth } from '../../plugins/auth';
import type { StatsService } from './stats-service';

export const statsRoutes: FastifyPluginAsyncZod<{ statsService: StatsService }> = async (app, opts) => {
  app.get(
    '/stats/overview',
    { onRequest: requireAuth, schema: { errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'], tags: ['stats'], querystring: StatsOverviewQuerySchema, response: { 200: StatsOverviewSchema } } },
    async (request) => opts.statsService.overview(principalOf(request), request.query),
  );
  app.get(
    '/stats/dashboard',
    {
      onRequest: requireAuth,
      schema: { errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'], tags: ['stats'], querystring: StatsDashboardQuerySchema, response: { 200: StatsDashboardSchema } },
    },
    async (request) => opts.statsService.dashboard(principalOf(request), request.query),
  );
};
