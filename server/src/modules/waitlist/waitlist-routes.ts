import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ClaimCreateResponseSchema,
  ClaimParamsSchema,
  ClaimResponseSchema,
  DrawEntryBodySchema,
  DrawEntryResponseSchema,
  DrawSchema,
  IdParamsSchema,
  ReasonBodySchema,
  WaitlistEntryResponseSchema,
  WaitlistQueueSchema,
} from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { administersDistrict, oversees } from '../../lib/scope';
import { principalOf, requireAuth, requireMember, requireRoles, scopeGuard } from '../../plugins/auth';
import type { TaskRow } from '../tasks/task-mappers';
import { ownPostGuard } from '../claims/own-post-guard';
import type { WaitlistService } from './waitlist-service';

/**
 * The waitlist, offers, the secretary's release and excuse, and draw entries (contract v2).
 * Role guards run on request, before the body is validated; scope (its own post) after.
 */
export const waitlistRoutes: FastifyPluginAsyncZod<{
  waitlistService: WaitlistService;
  loadPost(id: string): Promise<TaskRow>;
  /** The post's community with its district (404 when it is gone). */
  community(id: string): Promise<{ id: string; districtId: string }>;
}> = async (app, opts) => {
  const service = opts.waitlistService;
  const ownPost = ownPostGuard(opts.loadPost);
  /**
   * A draw is read by the members of the post's community (and any member holding an entry in it)
   * and by the staff over that community (its secretary, its district's admin, city admins); who
   * holds which ticket only by the admins over it (its district's admin, city admins).
   */
  const drawView = scopeGuard(
    async (request, p) => {
      const task = await opts.loadPost((request.params as { id: string }).id);
      const community = await opts.community(task.communityOrgId);
      const readable =
        oversees(p, community) ||
        (p.memberId !== null &&
          (p.memberCommunityOrgId === task.communityOrgId || (await service.mine(task.id, p.memberId)).myEntry !== null));
      if (!readable) throw forbidden('只有本社区党员和本社区的管理人员可以查看抽签');
      return { task, memberIds: administersDistrict(p, community.districtId) };
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
  /** The post's secretary and the admins above its community; others learn nothing more than 403. */
  const staffOfPost = scopeGuard(
    async (request, p) => {
      const task = await opts.loadPost((request.params as { id: string }).id);
      if (!oversees(p, await opts.community(task.communityOrgId))) throw forbidden('只有本社区书记及上级管理员可以查看候补队列');
      return task;
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
  const memberId = (request: Parameters<typeof principalOf>[0]) => principalOf(request).memberId!;
  const tags = ['waitlist'];

  app.post(
    '/tasks/:id/waitlist',
    {
      onRequest: requireMember,
      schema: {
        errors: [
          'UNAUTHENTICATED',
          'NOT_REGISTERED',
          'NOT_FOUND',
          'ALREADY_CLAIMED',
          'ALREADY_WAITLISTED',
          'TASK_CANCELLED',
          'CLAIM_CLOSED',
          'CLAIM_NOT_OPEN',
          'CONFLICT',
          'GRAB_SUSPENDED',
        ],
        tags,
        params: IdParamsSchema,
        response: { 201: WaitlistEntryResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ entry: await service.join(memberId(request), request.params.id) }),
  );

  app.get(
    '/tasks/:id/waitlist',
    {
      onRequest: requireRoles('secretary', 'district_admin', 'city_admin'),
      preHandler: staffOfPost.preHandler,
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        tags,
        params: IdParamsSchema,
        response: { 200: WaitlistQueueSchema },
      },
    },
    async (request) => service.queue(staffOfPost.of(request)),
  );

  app.delete(
    '/tasks/:id/waitlist/me',
    {
      onRequest: requireMember,
      schema: {
        errors: ['UNAUTHENTICATED', 'NOT_REGISTERED', 'NOT_FOUND', 'NOT_WAITLISTED'],
        tags,
        params: IdParamsSchema,
        response: { 200: WaitlistEntryResponseSchema },
      },
    },
    async (request) => ({ entry: await service.leave(memberId(request), request.params.id) }),
  );

  app.post(
    '/tasks/:id/waitlist/me/accept',
    {
      onRequest: requireMember,
      schema: {
        errors: ['UNAUTHENTICATED', 'NOT_REGISTERED', 'NOT_FOUND', 'NOT_WAITLISTED', 'OFFER_EXPIRED'],
        tags,
        params: IdParamsSchema,
        response: { 201: ClaimCreateResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await service.accept(memberId(request), request.params.id)),
  );

  app.post(
    '/tasks/:id/waitlist/me/decline',
    {
      onRequest: requireMember,
      schema: {
        errors: ['UNAUTHENTICATED', 'NOT_REGISTERED', 'NOT_FOUND', 'NOT_WAITLISTED', 'OFFER_EXPIRED'],
        tags,
        params: IdParamsSchema,
        response: { 200: WaitlistEntryResponseSchema },
      },
    },
    async (request) => ({ entry: await service.decline(memberId(request), request.params.id) }),
  );

  app.delete(
    '/tasks/:id/claims/:claimId',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownPost.preHandler,
      schema: {
        errors: ['NOT_FOUND', 'CONFLICT'],
        tags,
        params: ClaimParamsSchema,
        body: ReasonBodySchema,
        response: { 200: ClaimResponseSchema },
      },
    },
    async (request) => ({ claim: await service.release(request.params.id, request.params.claimId, request.body.reason) }),
  );

  app.post(
    '/tasks/:id/claims/:claimId/excuse',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownPost.preHandler,
      schema: {
        errors: ['NOT_FOUND', 'CONFLICT'],
        tags,
        params: ClaimParamsSchema,
        body: ReasonBodySchema,
        response: { 200: ClaimResponseSchema },
      },
    },
    async (request) => ({ claim: await service.excuse(ownPost.of(request), request.params.claimId, request.body.reason) }),
  );

  app.post(
    '/tasks/:id/entries',
    {
      onRequest: requireMember,
      schema: {
        errors: ['NOT_FOUND', 'CONFLICT', 'TASK_CANCELLED', 'DRAW_CLOSED', 'CLAIM_NOT_OPEN', 'GRAB_SUSPENDED'],
        tags: ['draw'],
        params: IdParamsSchema,
        body: DrawEntryBodySchema,
        response: { 201: DrawEntryResponseSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send({ entry: await service.enter(memberId(request), request.params.id, request.body.nonce) }),
  );

  app.delete(
    '/tasks/:id/entries/me',
    {
      onRequest: requireMember,
      schema: { errors: ['NOT_FOUND', 'DRAW_CLOSED'], tags: ['draw'], params: IdParamsSchema, response: { 200: DrawEntryResponseSchema } },
    },
    async (request) => ({ entry: await service.withdraw(memberId(request), request.params.id) }),
  );

  app.get(
    '/tasks/:id/draw',
    {
      onRequest: requireAuth,
      preHandler: drawView.preHandler,
      schema: { errors: ['FORBIDDEN', 'NOT_FOUND'], tags: ['draw'], params: IdParamsSchema, response: { 200: DrawSchema } },
    },
    async (request) => {
      const { task, memberIds } = drawView.of(request);
      return service.draw(task, { memberIds });
    },
  );
};
