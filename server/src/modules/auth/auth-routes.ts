import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LoginResponseSchema, MeResponseSchema, WechatLoginBodySchema } from '@pioneer/shared';
import type { RateLimiter } from '../../lib/rate-limiter';
import { principalOf, requireAuth } from '../../plugins/auth';
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

  app.get(
    '/auth/me',
    { preHandler: requireAuth, schema: { tags: ['auth'], response: { 200: MeResponseSchema } } },
    async (request) => ({ user: toUser(principalOf(request)), devLogin: opts.devLogin }),
  );
};
