import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MyPointsQuerySchema, MyPointsSchema, PointsRulesResponseSchema, PointsRulesSchema } from '@pioneer/shared';
import { principalOf, requireAuth, requireMember, requireRoles } from '../../plugins/auth';
import type { PointsService } from './points-service';

const tags = ['points'];
const security = [{ bearer: [] }];

export const pointsRoutes: FastifyPluginAsyncZod<{ pointsService: PointsService }> = async (app, opts) => {
  const service = opts.pointsService;

  app.get(
    '/points/rules',
    { onRequest: requireAuth, schema: { summary: '积分规则与星级门槛', tags, security, response: { 200: PointsRulesResponseSchema } } },
    async () => service.rules(),
  );

  app.put(
    '/points/rules',
    {
      onRequest: requireRoles('city_admin'),
      schema: {
        summary: '设置积分规则与星级门槛（市级管理员）',
        tags,
        security,
        body: PointsRulesSchema,
        response: { 200: PointsRulesResponseSchema },
      },
    },
    async (request) => service.putRules(principalOf(request).userId, request.body),
  );

  app.get(
    '/members/me/points',
    {
      onRequest: requireMember,
      schema: { summary: '我的积分：余额与明细', tags, security, querystring: MyPointsQuerySchema, response: { 200: MyPointsSchema } },
    },
    async (request) => service.mine(principalOf(request).memberId!, request.query.cursor),
  );
};
