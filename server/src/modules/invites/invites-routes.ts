import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { InviteAcceptBodySchema, InviteAcceptResponseSchema, InviteCreateBodySchema, InviteCreateResponseSchema } from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { administersDistrict, isCityAdmin } from '../../lib/scope';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import type { Principal } from '../../lib/principal';
import type { Limit } from '../../plugins/rate-limit';
import type { InviteTarget, InvitesService } from './invites-service';

/**
 * City admins invite anyone; a district admin invites secretaries, unit admins and 红色代办员 of
 * party orgs in its own district; a unit admin invites its own unit's 红色代办员.
 */
function mayInvite(p: Principal, target: InviteTarget): boolean {
  if (isCityAdmin(p)) return true;
  if (target.role === 'unit_liaison' && p.roles.some((g) => g.role === 'unit_admin' && g.orgId === target.orgId)) return true;
  if (target.role !== 'secretary' && target.role !== 'unit_admin' && target.role !== 'unit_liaison') return false;
  return target.districtId !== null && administersDistrict(p, target.districtId);
}

export const invitesRoutes: FastifyPluginAsyncZod<{ invitesService: InvitesService; acceptLimit: Limit }> = async (app, opts) => {
  const service = opts.invitesService;

  app.post(
    '/invites',
    {
      onRequest: requireRoles('city_admin', 'district_admin', 'unit_admin'),
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN'],
        tags: ['auth'],
        security: [{ bearer: [] }],
        body: InviteCreateBodySchema,
        response: { 201: InviteCreateResponseSchema },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const target = await service.resolveTarget(request.body.role, request.body.orgId);
      if (!mayInvite(p, target)) throw forbidden('只能邀请本板块或本单位的人员');
      return reply.status(201).send(await service.create(p.userId, target));
    },
  );

  app.post(
    '/invites/accept',
    {
      // Invite codes are bearer secrets: guessing them must be slow, whatever the body looks like.
      onRequest: [requireAuth, async (request) => opts.acceptLimit.hit(principalOf(request).userId)],
      schema: {
        errors: ['UNAUTHENTICATED', 'CODE_INVALID', 'CODE_EXPIRED', 'RATE_LIMITED'],
        tags: ['auth'],
        security: [{ bearer: [] }],
        body: InviteAcceptBodySchema,
        response: { 200: InviteAcceptResponseSchema },
      },
    },
    async (request) => ({ user: await service.accept(principalOf(request).userId, request.body.code) }),
  );
};
