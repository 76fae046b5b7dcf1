import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  IndicatorListSchema,
  IndicatorsPutBodySchema,
  OrgIndexQuerySchema,
  OrgIndexSchema,
  RankingQuerySchema,
  type RankingQuery,
  type ScorePutBody,
  RankingSchema,
  ScorePutBodySchema,
  ScorePutResponseSchema,
} from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { administersDistrict, isSecretaryOf } from '../../lib/scope';
import { principalOf, requireRoles, scopeGuard } from '../../plugins/auth';
import type { AssessmentService } from './assessment-service';
import { rankedDistrict } from './ranking-scope';

/** 先锋指数+ (contract v2). Role checks run onRequest, before any body or query validation. */
export const assessmentRoutes: FastifyPluginAsyncZod<{ assessmentService: AssessmentService }> = async (app, opts) => {
  const svc = opts.assessmentService;
  const tags = ['index'];
  const scoredCommunity = scopeGuard(
    async (request, p) => {
      const org = await svc.community((request.body as ScorePutBody).orgId);
      if (!p.roles.some((g) => g.role === 'district_admin' && g.orgId === org.districtId)) throw forbidden('只能为本板块的社区评分');
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
  const ranked = scopeGuard(async (request, p) => rankedDistrict(p, (request.query as RankingQuery).districtId), ['FORBIDDEN']);
  const explainedCommunity = scopeGuard(
    async (request, p) => {
      const org = await svc.community((request.params as { id: string }).id);
      if (!administersDistrict(p, org.districtId) && !isSecretaryOf(p, org.id)) throw forbidden('无权查看该社区的先锋指数');
      return org;
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
  app.get(
    '/index/indicators',
    {
      onRequest: requireRoles('city_admin', 'district_admin', 'secretary'),
      schema: { tags, errors: ['UNAUTHENTICATED', 'FORBIDDEN'], response: { 200: IndicatorListSchema } },
    },
    async () => svc.indicators(),
  );
  app.put(
    '/index/indicators',
    {
      onRequest: requireRoles('city_admin'),
      schema: { tags, errors: ['UNAUTHENTICATED', 'FORBIDDEN'], body: IndicatorsPutBodySchema, response: { 200: IndicatorListSchema } },
    },
    async (request) => svc.replaceIndicators(request.body),
  );
  app.put(
    '/index/scores',
    {
      onRequest: requireRoles('district_admin'),
      preHandler: scoredCommunity.preHandler,
      schema: {
        tags,
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        body: ScorePutBodySchema,
        response: { 200: ScorePutResponseSchema },
      },
    },
    async (request) => svc.putScore(principalOf(request).userId, request.body),
  );
  app.get(
    '/index/ranking',
    {
      onRequest: requireRoles('city_admin', 'district_admin'),
      preHandler: ranked.preHandler,
      schema: {
        tags,
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        querystring: RankingQuerySchema,
        response: { 200: RankingSchema },
      },
    },
    async (request) => svc.ranking(ranked.of(request), request.query),
  );
  app.get(
    '/index/orgs/:id',
    {
      onRequest: requireRoles('city_admin', 'district_admin', 'secretary'),
      preHandler: explainedCommunity.preHandler,
      schema: {
        tags,
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        params: IdParamsSchema,
        querystring: OrgIndexQuerySchema,
        response: { 200: OrgIndexSchema },
      },
    },
    async (request) => svc.explain(explainedCommunity.of(request), request.query.period),
  );
};
