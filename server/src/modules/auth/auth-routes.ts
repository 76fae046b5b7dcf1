import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParamsSchema, LoginResponseSchema, MeResponseSchema, OkSchema, WechatLoginBodySchema } from '@pioneer/shared';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import { digestKey, type Limit } from '../../plugins/rate-limit';
import { toUser, type AuthService } from './auth-service';

export const authRoutes: FastifyPluginAsyncZod<{
  authService: AuthService;
  devLogin: boolean;
  /** Per client address (high: a whole office signs in from one NAT address), and per WeChat code. */
  limits: { perAddress: Limit; perCode: Limit };
}> = async (app, opts) => {
  app.post(
    '/auth/wechat',
    {
      onRequest: async (request) => opts.limits.perAddress.hit(request.ip),
      preHandler: async (request) => opts.limits.perCode.hit(digestKey(request.body.code)),
      schema: {
        errors: ['WECHAT_LOGIN_FAILED', 'RATE_LIMITED'],
        tags: ['auth'],
        body: WechatLoginBodySchema,
        response: { 200: LoginResponseSchema },
      },
    },
    async (request) => opts.authService.login(request.body.code),
  );

  app.post(
    '/auth/logout',
    { onRequest: requireAuth, schema: { tags: ['auth'], security: [{ bearer: [] }], response: { 200: OkSchema } } },
    async (request) => {
      await opts.authService.revokeSessions(principalOf(request).userId);
      return { status: 'ok' as const };
    },
  );

  /** An admin ends another user's sessions (a lost phone, a revoked grant). */
  app.post(
    '/users/:id/sessions/revoke',
    {
      onRequest: requireRoles('city_admin'),
      schema: { tags: ['auth'], security: [{ bearer: [] }], params: IdParamsSchema, response: { 200: OkSchema } },
    },
    async (request) => {
      await opts.authService.revokeSessions(request.params.id);
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/auth/me',
    { onRequest: requireAuth, schema: { errors: ['UNAUTHENTICATED'], tags: ['auth'], response: { 200: MeResponseSchema } } },
    async (request) => ({ user: toUser(principalOf(request)), devLogin: opts.devLogin }),
  );
};
