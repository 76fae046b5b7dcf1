import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DemandContactReadResponseSchema,
  DemandCreateBodySchema,
  DemandParamsSchema,
  DemandListQuerySchema,
  type DemandListQuery,
  DemandListSchema,
  DemandMineQuerySchema,
  DemandResponseSchema,
  DemandTriageBodySchema,
  IdParamsSchema,
  PersonalReadBodySchema,
} from '@pioneer/shared';
import { forbidden, notFound } from '../../lib/errors';
import { isSecretaryOf, oversees } from '../../lib/scope';
import { principalOf, requireAuth, requireRoles, scopeGuard } from '../../plugins/auth';
import type { Limit } from '../../plugins/rate-limit';
import type { DemandsService } from './demands-service';

const tags = ['demands'];
const security = [{ bearer: [] }];

export const demandsRoutes: FastifyPluginAsyncZod<{
  demandsService: DemandsService;
  /** Demands per user per minute. */
  createLimit: Limit;
  /** Demands per client address per minute: many fresh accounts from one place are still one sender. */
  addressLimit: Limit;
  /** Whistles per raiser per minute, the one `POST /whistles` counts: a triage that raises one counts too. */
  whistleRaiseLimit: Limit;
  /** Full reads of personal data per staff user per minute, shared with the member read. */
  personalReadLimit: Limit;
}> = async (app, opts) => {
  const service = opts.demandsService;
  const overseenCommunity = scopeGuard(
    async (request, p) => {
      const org = await service.community((request.query as DemandListQuery).communityOrgId);
      if (!oversees(p, org)) throw forbidden('无权查看该社区的居民点单');
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
  // Those who oversee the community but are not its secretary learn it exists (403); others, not (404).
  const ownDemand = scopeGuard(
    async (request, p) => {
      const d = await service.find((request.params as { id: string }).id);
      if (isSecretaryOf(p, d.communityOrgId)) return;
      if (!oversees(p, await service.community(d.communityOrgId))) throw notFound('点单不存在');
      throw forbidden('只有本社区书记可以处理居民点单');
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );

  // The community in the path, for staff who oversee it (its secretary, its district admin, the city admin).
  const overseenPathCommunity = scopeGuard(
    async (request, p) => {
      const org = await service.community((request.params as { id: string }).id);
      if (!oversees(p, org)) throw forbidden('无权查看该社区的居民点单');
      return org;
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );

  app.post(
    '/demands',
    {
      onRequest: requireAuth,
      schema: {
        errors: ['NOT_FOUND', 'RATE_LIMITED'],
        tags,
        security,
        body: DemandCreateBodySchema,
        response: { 201: DemandResponseSchema },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await opts.addressLimit.hit(request.ip);
      await opts.createLimit.hit(p.userId);
      return reply.code(201).send({ demand: await service.create(p, request.body) });
    },
  );

  app.get(
    '/demands',
    {
      onRequest: requireRoles('secretary', 'district_admin', 'city_admin'),
      preHandler: overseenCommunity.preHandler,
      schema: {
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags,
        security,
        querystring: DemandListQuerySchema,
        response: { 200: DemandListSchema },
      },
    },
    async (request) => service.list(request.query),
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
      preHandler: ownDemand.preHandler,
      schema: {
        errors: ['NOT_FOUND', 'CONFLICT', 'RATE_LIMITED'],
        tags,
        security,
        params: IdParamsSchema,
        body: DemandTriageBodySchema,
        response: { 200: DemandResponseSchema },
      },
    },
    async (request) => {
      if (request.body.whistle) await opts.whistleRaiseLimit.hit(principalOf(request).userId);
      return { demand: await service.triage(principalOf(request), request.params.id, request.body) };
    },
  );

  // A demand's full contact, for staff who must call or visit: every read is audited with its reason
  // (as a member's personal data is, POST /party-orgs/:id/members/:memberId/personal-data).
  app.post(
    '/party-orgs/:id/demands/:demandId/personal-data',
    {
      onRequest: requireRoles('secretary', 'district_admin', 'city_admin'),
      preHandler: overseenPathCommunity.preHandler,
      schema: {
        errors: ['FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED'],
        tags,
        security,
        params: DemandParamsSchema,
        body: PersonalReadBodySchema,
        response: { 200: DemandContactReadResponseSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const community = overseenPathCommunity.of(request);
      await opts.personalReadLimit.hit(principalOf(request).userId);
      return service.readContact(principalOf(request).userId, community.id, request.params.demandId, request.body.reason);
    },
  );
};
