import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  MemberResponseSchema,
  MemberUpsertBodySchema,
  MemberUpsertResponseSchema,
  PioneerCodeBodySchema,
  PioneerCodeResponseSchema,
  PioneerCodeVerifyResponseSchema,
  PhoneNumberBodySchema,
  PhoneNumberResponseSchema,
  type Standing,
  type Star,
} from '@pioneer/shared';
import { isCityAdmin, STAFF_ROLES } from '../../lib/scope';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import type { Principal } from '../../lib/principal';
import type { Limit } from '../../plugins/rate-limit';
import type { PostScope } from './members-repository';
import type { MembersService } from './members-service';
import type { PhoneNumberProvider } from './wechat-phone';

/** The posts whose claims a verifier sees: its communities (secretary), districts (admin), or all. */
function postScopeOf(p: Principal): PostScope {
  if (isCityAdmin(p)) return { all: true };
  return {
    communityIds: p.roles.flatMap((g) => (g.role === 'secretary' && g.orgId ? [g.orgId] : [])),
    districtIds: p.roles.flatMap((g) => (g.role === 'district_admin' && g.orgId ? [g.orgId] : [])),
  };
}

/**
 * Members only ever reach their own record (`/members/me`); there is deliberately no
 * route that reads a member by id. Staff see a member only through a scanned 先锋码,
 * and then only the identity card with a masked phone.
 */
export const membersRoutes: FastifyPluginAsyncZod<{
  membersService: MembersService;
  sessionTtlSeconds: number;
  verifyLimit: Limit;
  phoneNumbers: PhoneNumberProvider;
  /** The member's standing under the no-show policy (the claims module's). */
  standing?: (memberId: string) => Promise<Standing>;
  /** The member's star level (records module). */
  star?: (memberId: string) => Promise<Star>;
}> = async (app, opts) => {
  const service = opts.membersService;

  app.get(
    '/members/me',
    {
      onRequest: requireAuth,
      schema: { errors: ['UNAUTHENTICATED', 'NOT_REGISTERED'], tags: ['members'], response: { 200: MemberResponseSchema } },
    },
    async (request) => {
      const member = await service.getMine(principalOf(request).userId);
      const [standing, star] = await Promise.all([opts.standing?.(member.id), opts.star?.(member.id)]);
      return { member, ...(standing ? { standing } : {}), ...(star ? { star } : {}) };
    },
  );

  app.put(
    '/members/me',
    {
      onRequest: requireAuth,
      schema: {
        errors: ['UNAUTHENTICATED'],
        tags: ['members'],
        body: MemberUpsertBodySchema,
        response: { 200: MemberUpsertResponseSchema },
      },
    },
    async (request) => {
      const { userId, tokenVersion } = principalOf(request);
      const member = await service.upsertMine(userId, request.body);
      // A token signed before registering does not name the member: hand out one that does.
      if (app.session(request).memberId === member.id) return { member };
      return { member, session: { token: app.signSession(userId, member.id, tokenVersion), expiresIn: opts.sessionTtlSeconds } };
    },
  );

  // Any signed-in user: it fills the registration form, before the user is a member.
  app.post(
    '/members/me/phone-number',
    {
      onRequest: requireAuth,
      schema: { errors: ['CODE_INVALID'], tags: ['members'], body: PhoneNumberBodySchema, response: { 200: PhoneNumberResponseSchema } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { phone: await opts.phoneNumbers.exchange(request.body.code) };
    },
  );

  app.get(
    '/members/me/pioneer-code',
    {
      onRequest: requireAuth,
      schema: { errors: ['UNAUTHENTICATED', 'NOT_REGISTERED'], tags: ['members'], response: { 200: PioneerCodeResponseSchema } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return service.issuePioneerCode(principalOf(request).memberId);
    },
  );

  // Any staff member may verify any code (members serve in communities other than their own);
  // the claims listed are those on the verifier's own posts.
  app.post(
    '/pioneer-codes/verify',
    {
      onRequest: [requireRoles(...STAFF_ROLES), async (request) => opts.verifyLimit.hit(principalOf(request).userId)],
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'CODE_INVALID', 'CODE_EXPIRED', 'RATE_LIMITED'],
        tags: ['members'],
        body: PioneerCodeBodySchema,
        response: { 200: PioneerCodeVerifyResponseSchema },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return service.verifyPioneerCode(postScopeOf(principalOf(request)), request.body.token);
    },
  );
};
