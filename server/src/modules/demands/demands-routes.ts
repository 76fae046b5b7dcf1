import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DemandCreateBodySchema,
  DemandListQuerySchema,
  DemandListSchema,
  DemandMineQuerySchema,
  DemandResponseSchema,
  DemandTriageBodySchema,
  IdParamsSchema,
} from '@pioneer/shared';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import type { Limit } from '../../plugins/rate-limit';
import type { DemandsService } from './demands-service';

const tags = ['demands'];
const security = [{ bearer: [] }];

export const demandsRoutes: FastifyPluginAsyncZod<{ demandsService: DemandsService; createLimit: Limit }> = async (app, opts) => {
  const service = opts.demandsService;

  app.post(
    '/demands',
    {
      onRequest: requireAuth,
      schema: { errors: ['NOT_FOUND', 'RATE_LIMITED'], tags, security, body: DemandCreateBodySchema, response: { 201: DemandResponseSchema } },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await opts.createLimit.hit(p.userId);
      return reply.code(201).send({ demand: await service.create(p, request.body) });
    },
  );

  app.get(
    '/demands',
    {
      onRequest: requireRoles('secretary', 'district_admin', 'city_admin'),
      schema: { errors: ['FORBIDDEN', 'NOT_FOUND'], tags, security, querystring: DemandListQuerySchema, response: { 200: DemandListSchema } },
    },
    async (request) => service.list(principalOf(request), request.query),
  );

  app.get(
    '/demands/mine',
    { onRequest: requireAuth, schema: { tags, security, querystring: DemandMineQuerySchema, response: { 200: DemandListSchema } } },
    async (request) => service.mine(principalOf(request), request.query),
  );

  app.post(
    '/demands/:id/triage',
    {
      onRequest: requireRoles('secretary'),
      schema: { errors: ['NOT_FOUND', 'CONFLICT'], tags, security, params: IdParamsSchema, body: DemandTriageBodySchema, response: { 200: DemandResponseSchema } },
    },
    async (request) => ({ demand: await service.triage(principalOf(request), request.params.id, request.body) }),
  );
};
