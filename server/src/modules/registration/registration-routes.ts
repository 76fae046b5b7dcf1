import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParamsSchema, QrFormatQuerySchema, RegisterResolveQuerySchema, RegisterResolveSchema } from '@pioneer/shared';
import { notFound } from '../../lib/errors';
import { principalOf, requireAuth } from '../../plugins/auth';
import { REGISTER_CODE_PATTERN, registerPagePath, type RegistrationService } from './registration-service';

/** Under `/api/v1`: the community's registration QR and the public code look-up. */
export const registrationRoutes: FastifyPluginAsyncZod<{ registrationService: RegistrationService }> = async (app, opts) => {
  app.get(
    '/party-orgs/:id/register-qrcode',
    {
      preHandler: requireAuth,
      schema: {
        tags: ['registration'],
        params: IdParamsSchema,
        querystring: QrFormatQuerySchema,
        produces: ['image/svg+xml', 'image/png'],
      },
    },
    async (request, reply) => {
      const { contentType, body } = await opts.registrationService.registerQrCode(
        principalOf(request),
        request.params.id,
        request.query.format,
      );
      return reply.header('cache-control', 'private, max-age=300').type(contentType).send(body);
    },
  );

  app.get(
    '/register/resolve',
    { schema: { tags: ['registration'], querystring: RegisterResolveQuerySchema, response: { 200: RegisterResolveSchema } } },
    async (request) => opts.registrationService.resolve(request.query.code),
  );
};

/**
 * Top level `/r/:code`, the URL inside the printed QR: sends the phone's browser to the
 * H5 register page, which resolves the code itself (and shows the error for a stale one).
 * Only a malformed code is answered here, with 404, so nothing odd lands in the page URL.
 */
export const registerRedirectRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/r/:code',
    { schema: { hide: true, params: z.object({ code: z.string() }) } },
    async (request, reply) => {
      const { code } = request.params;
      if (!REGISTER_CODE_PATTERN.test(code)) throw notFound('报到二维码无效');
      return reply.header('cache-control', 'no-store').redirect(registerPagePath(code), 302);
    },
  );
};
