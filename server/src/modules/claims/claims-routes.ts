import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CheckBodySchema,
  ClaimantListSchema,
  ClaimCreateResponseSchema,
  type ClaimCreateResponse,
  ClaimResponseSchema,
  IdParamsSchema,
  RecordsSchema,
} from '@pioneer/shared';
import { invalid } from '../../lib/errors';
import { principalOf, requireAuth } from '../../plugins/auth';
import type { ClaimsService } from './claims-service';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export const claimsRoutes: FastifyPluginAsyncZod<{ claimsService: ClaimsService; purgeIntervalMs?: number }> = async (app, opts) => {
  const { claimsService } = opts;

  app.post(
    '/tasks/:id/claims',
    { preHandler: requireAuth, schema: { tags: ['claims'], params: IdParamsSchema, response: { 201: ClaimCreateResponseSchema } } },
    async (request, reply) => {
      const p = principalOf(request);
      const key = request.headers['idempotency-key'];
      if (key === undefined) return reply.code(201).send(await claimsService.claim(p, request.params.id));
      if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
        throw invalid('Idempotency-Key', 'must be 1-200 printable ASCII characters');
      }
      const requestHash = createHash('sha256')
        .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? {})}`)
        .digest('hex');
      const answer = await claimsService.claimOnce(p, request.params.id, key, requestHash, String(request.id));
      // A replay is the first answer verbatim: a 201 body or an error body, stored as sent.
      return reply
        .code(answer.statusCode as 201)
        .type('application/json; charset=utf-8')
        .send(answer.body as ClaimCreateResponse);
    },
  );

  app.delete(
    '/tasks/:id/claims/me',
    { preHandler: requireAuth, schema: { tags: ['claims'], params: IdParamsSchema, response: { 200: ClaimResponseSchema } } },
    async (request) => ({ claim: await claimsService.cancelMine(principalOf(request), request.params.id) }),
  );

  app.get(
    '/tasks/:id/claims',
    { preHandler: requireAuth, schema: { tags: ['claims'], params: IdParamsSchema, response: { 200: ClaimantListSchema } } },
    async (request) => claimsService.claimants(principalOf(request), request.params.id),
  );

  app.post(
    '/tasks/:id/check-ins',
    {
      preHandler: requireAuth,
      schema: { tags: ['claims'], params: IdParamsSchema, body: CheckBodySchema, response: { 200: ClaimResponseSchema } },
    },
    async (request) => ({ claim: await claimsService.checkIn(principalOf(request), request.params.id, request.body.token) }),
  );

  app.post(
    '/tasks/:id/check-outs',
    {
      preHandler: requireAuth,
      schema: { tags: ['claims'], params: IdParamsSchema, body: CheckBodySchema, response: { 200: ClaimResponseSchema } },
    },
    async (request) => ({ claim: await claimsService.checkOut(principalOf(request), request.params.id, request.body.token) }),
  );

  app.get(
    '/members/me/records',
    { preHandler: requireAuth, schema: { tags: ['members'], response: { 200: RecordsSchema } } },
    async (request) => claimsService.records(principalOf(request)),
  );

  const interval = opts.purgeIntervalMs ?? 3600_000;
  if (interval > 0) {
    const timer = setInterval(() => {
      claimsService.purgeIdempotencyKeys().catch((err) => app.log.warn({ err }, 'idempotency key purge failed'));
    }, interval);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
};
