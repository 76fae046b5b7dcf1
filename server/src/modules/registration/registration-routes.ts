import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  IdParamsSchema,
  QrFormatQuerySchema,
  RegisterInfoSchema,
  RegisterResolveQuerySchema,
  RegisterResolveSchema,
} from '@pioneer/shared';
import { forbidden, notFound } from '../../lib/errors';
import { oversees, STAFF_ROLES } from '../../lib/scope';
import { principalOf, requireRoles } from '../../plugins/auth';
import type { Limit } from '../../plugins/rate-limit';
import { REGISTER_CODE_PATTERN } from '../../lib/register-code';
import { registerPagePath, type RegistrationService } from './registration-service';

/** Under `/api/v1`: the community's registration QR and the public code look-up. */
export const registrationRoutes: FastifyPluginAsyncZod<{
  registrationService: RegistrationService;
  lookupLimit: Limit;
  anonymousLookupLimit: Limit;
}> = async (app, opts) => {
  const signedInUser = (request: FastifyRequest): string | null => {
    try {
      return app.session(request).userId;
    } catch {
      return null;
    }
  };

  app.get(
    '/party-orgs/:id/register-qrcode',
    {
      onRequest: requireRoles(...STAFF_ROLES),
      schema: {
        tags: ['registration'],
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        params: IdParamsSchema,
        querystring: QrFormatQuerySchema,
        produces: ['image/svg+xml', 'image/png'],
      },
    },
    async (request, reply) => {
      const community = await opts.registrationService.community(request.params.id);
      if (!oversees(principalOf(request), community)) throw forbidden();
      const { contentType, body } = await opts.registrationService.registerQrCode(community, request.query.format);
      return reply.header('cache-control', 'private, max-age=300').type(contentType).send(body);
    },
  );

  app.get(
    '/party-orgs/:id/register-info',
    {
      onRequest: requireRoles(...STAFF_ROLES),
      schema: {
        tags: ['registration'],
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        params: IdParamsSchema,
        response: { 200: RegisterInfoSchema },
      },
    },
    async (request) => {
      const community = await opts.registrationService.community(request.params.id);
      if (!oversees(principalOf(request), community)) throw forbidden();
      return opts.registrationService.registerInfo(community);
    },
  );

  app.get(
    '/register/resolve',
    {
      // Public (a phone that just scanned the QR may not be signed in): per user when it is, else per address.
      onRequest: async (request) => {
        const userId = request.headers.authorization ? signedInUser(request) : null;
        await (userId ? opts.lookupLimit.hit(userId) : opts.anonymousLookupLimit.hit(request.ip));
      },
      schema: {
        errors: ['NOT_FOUND', 'RATE_LIMITED'],
        tags: ['registration'],
        querystring: RegisterResolveQuerySchema,
        response: { 200: RegisterResolveSchema },
      },
    },
    async (request) => opts.registrationService.resolve(request.query.code),
  );
};

/**
 * Top level `/r/:code`, the URL inside the printed QR: sends the phone's browser to the
 * H5 register page, which resolves the code itself (and shows the error for a stale one).
 * Only a malformed code is answered here, with 404, so nothing odd lands in the page URL.
 */
export const registerRedirectRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/r/:code', { schema: { hide: true, params: z.object({ code: z.string() }) } }, async (request, reply) => {
    const { code } = request.params;
    if (!REGISTER_CODE_PATTERN.test(code)) throw notFound('报到二维码无效');
    return reply.header('cache-control', 'no-store').redirect(registerPagePath(code), 302);
  });
};
