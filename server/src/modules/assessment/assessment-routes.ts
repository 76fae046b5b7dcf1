import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  IndicatorListSchema,
  IndicatorsPutBodySchema,
  OrgIndexQuerySchema,
  OrgIndexSchema,
  RankingQuerySchema,
  RankingSchema,
  ScorePutBodySchema,
  ScorePutResponseSchema,
} from '@pioneer/shared';
import { principalOf, requireRoles } from '../../plugins/auth';
import type { AssessmentService } from './assessment-service';

/** 先锋指数+ (contract v2). Role checks run onRequest, before any body or query validation. */
export const assessmentRoutes: FastifyPluginAsyncZod<{ assessmentService: AssessmentService }> = async (app, opts) => {
  const svc = opts.assessmentService;
  const tags = ['index'];
  app.get(
    '/index/indicators',
    { onRequest: requireRoles('city_admin', 'district_admin', 'secretary'), schema: { tags, errors: ['UNAUTHENTICATED', 'FORBIDDEN'], response: { 200: IndicatorListSchema } } },
    async () => svc.indicators(),
  );
  app.put(
    '/index/indicators',
    { onRequest: requireRoles('city_admin'), schema: { tags, errors: ['UNAUTHENTICATED', 'FORBIDDEN'], body: IndicatorsPutBodySchema, response: { 200: IndicatorListSchema } } },
    async (request) => svc.replaceIndicators(request.body),
  );
  app.put(
    '/index/scores',
    { onRequest: requireRoles('district_admin'), schema: { tags, errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'], body: ScorePutBodySchema, response: { 200: ScorePutResponseSchema } } },
    async (request) => svc.putScore(principalOf(request), request.body),
  );
  app.get(
    '/index/ranking',
    { onRequest: requireRoles('city_admin', 'district_admin'), schema: { tags, errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'], querystring: RankingQuerySchema, response: { 200: RankingSchema } } },
    async (request) => svc.ranking(principalOf(request), request.query),
  );
  app.get(
    '/index/orgs/:id',
    {
      onRequest: requireRoles('city_admin', 'district_admin', 'secretary'),
      schema: { tags, errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'], params: IdParamsSchema, querystring: OrgIndexQuerySchema, response: { 200: OrgIndexSchema } },
    },
    async (request) => svc.explain(principalOf(request), request.params.id, request.query.period),
  );
};
