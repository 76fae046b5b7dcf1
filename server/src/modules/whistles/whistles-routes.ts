import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  WhistleAnswerBodySchema,
  WhistleAssignmentParamsSchema,
  WhistleCreateBodySchema,
  WhistleDetailSchema,
  WhistleExtendBodySchema,
  WhistleExtensionParamsSchema,
  WhistleListQuerySchema,
  WhistleListSchema,
  WhistleNoteBodySchema,
  WhistleRateBodySchema,
  WhistleReaddressBodySchema,
  WhistleReopenBodySchema,
  WhistleReturnBodySchema,
} from '@pioneer/shared';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import type { Limit } from '../../plugins/rate-limit';
import { STEP_GUARD_ERRORS, whistleGuards } from './whistle-guards';
import type { WhistlesService } from './whistles-service';

const tags = ['whistles'];
const security = [{ bearer: [] }];
/** What a step on a whistle may answer besides its guards' codes. */
const stepErrors = [...STEP_GUARD_ERRORS, 'INVALID_TRANSITION', 'CONFLICT'] as const;

export const whistlesRoutes: FastifyPluginAsyncZod<{
  whistlesService: WhistlesService;
  /** Whistles raised per raiser per minute: each one reaches units' liaisons at once. */
  raiseLimit: Limit;
}> = async (app, opts) => {
  const service = opts.whistlesService;
  // Role checks run on request, before the body is validated (contract v2); who may act on the
  // whistle named in the path, after (its guards).
  const guard = whistleGuards(service);
  const unitSide = requireRoles('unit_liaison', 'unit_admin');
  const raiserSide = requireRoles('secretary', 'district_admin', 'city_admin');
  const ok = { 200: WhistleDetailSchema };

  app.post(
    '/whistles',
    {
      onRequest: requireRoles('secretary', 'district_admin'),
      preHandler: guard.raising.preHandler,
      schema: {
        errors: ['NOT_FOUND', 'RATE_LIMITED'],
        tags,
        security,
        body: WhistleCreateBodySchema,
        response: { 201: WhistleDetailSchema },
      },
    },
    async (request, reply) => {
      await opts.raiseLimit.hit(principalOf(request).userId);
      return reply.code(201).send(await service.create(guard.raising.of(request), request.body));
    },
  );

  app.get(
    '/whistles',
    {
      onRequest: requireAuth,
      preHandler: guard.listed.preHandler,
      schema: { tags, security, querystring: WhistleListQuerySchema, response: { 200: WhistleListSchema } },
    },
    async (request) => service.list(guard.listed.of(request), request.query),
  );

  app.get(
    '/whistles/:id',
    { onRequest: requireAuth, preHandler: guard.seen.preHandler, schema: { tags, security, params: IdParamsSchema, response: ok } },
    async (request) => service.detail(request.params.id),
  );

  app.post(
    '/whistles/:id/assignments/:orgId/sign',
    {
      onRequest: unitSide,
      schema: { errors: stepErrors, tags, security, params: WhistleAssignmentParamsSchema, response: ok },
    },
    async (request) => service.sign(guard.unit(request), request.params.id, request.params.orgId),
  );

  app.post(
    '/whistles/:id/assignments/:orgId/answer',
    {
      onRequest: unitSide,
      schema: { errors: stepErrors, tags, security, params: WhistleAssignmentParamsSchema, body: WhistleAnswerBodySchema, response: ok },
    },
    async (request) => service.answer(guard.unit(request), request.params.id, request.params.orgId, request.body),
  );

  app.post(
    '/whistles/:id/assignments/:orgId/return',
    {
      onRequest: unitSide,
      schema: { errors: stepErrors, tags, security, params: WhistleAssignmentParamsSchema, body: WhistleReturnBodySchema, response: ok },
    },
    async (request) => service.returnIt(guard.unit(request), request.params.id, request.params.orgId, request.body.reason),
  );

  app.post(
    '/whistles/:id/assignments/:orgId/extend',
    {
      onRequest: unitSide,
      schema: { errors: stepErrors, tags, security, params: WhistleAssignmentParamsSchema, body: WhistleExtendBodySchema, response: ok },
    },
    async (request) => service.extend(guard.unit(request), request.params.id, request.params.orgId, request.body),
  );

  for (const action of ['verify', 'close'] as const) {
    app.post(
      `/whistles/:id/${action}`,
      {
        onRequest: raiserSide,
        schema: { errors: stepErrors, tags, security, params: IdParamsSchema, body: WhistleNoteBodySchema, response: ok },
      },
      async (request) => service[action](guard.raiser(request), request.params.id, request.body?.note),
    );
  }

  app.post(
    '/whistles/:id/rate',
    {
      onRequest: raiserSide,
      schema: { errors: stepErrors, tags, security, params: IdParamsSchema, body: WhistleRateBodySchema, response: ok },
    },
    async (request) => service.rate(guard.raiser(request), request.params.id, request.body),
  );

  app.post(
    '/whistles/:id/reopen',
    {
      onRequest: raiserSide,
      schema: { errors: stepErrors, tags, security, params: IdParamsSchema, body: WhistleReopenBodySchema, response: ok },
    },
    async (request) => service.reopen(guard.raiser(request), request.params.id, request.body),
  );

  app.post(
    '/whistles/:id/readdress',
    {
      onRequest: raiserSide,
      schema: { errors: stepErrors, tags, security, params: IdParamsSchema, body: WhistleReaddressBodySchema, response: ok },
    },
    async (request) => service.readdress(guard.raiser(request), request.params.id, request.body.addressedTo),
  );

  for (const action of ['approve', 'deny'] as const) {
    app.post(
      `/whistles/:id/extensions/:extId/${action}`,
      {
        onRequest: raiserSide,
        schema: { errors: stepErrors, tags, security, params: WhistleExtensionParamsSchema, body: WhistleNoteBodySchema, response: ok },
      },
      async (request) => service[action](guard.raiser(request), request.params.id, request.params.extId, request.body?.note),
    );
  }
};
