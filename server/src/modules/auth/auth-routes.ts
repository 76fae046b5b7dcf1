import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { IdParamsSchema, LoginResponseSchema, MeResponseSchema, OkSchema, WechatLoginBodySchema } from '@pioneer/shared';
import type { RateLimiter } from '../../lib/rate-limiter';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import { toUser, type AuthService } from './auth-service';

export const authRoutes: FastifyPluginAsyncZod<{ authService: AuthService; devLogin: boolean; loginLimiter: RateLimiter }> = async (
  app,
  opts,
) => {
  app.post(
    '/auth/wechat',
    {
      onRequest: async (request) => opts.loginLimiter.hit(request.ip),
      schema: { tags: ['auth'], body: WechatLoginBodySchema, response: { 200: LoginResponseSchema } },
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
    { preHandler: requireAuth, schema: { tags: ['auth'], response: { 200: MeResponseSchema } } },
    async (request) => ({ user: toUser(principalOf(request)), devLogin: opts.devLogin }),
  );
};
