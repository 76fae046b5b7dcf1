import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ERROR_MESSAGES,
  CheckBodySchema,
  ClaimantListSchema,
  ClaimCreateResponseSchema,
  type Claim,
  type ClaimCreateResponse,
  ClaimResponseSchema,
  IdParamsSchema,
} from '@pioneer/shared';
import { AppError, invalid } from '../../lib/errors';
import { principalOf, requireMember, requireRoles, type Session } from '../../plugins/auth';
import type { TaskRow } from '../tasks/task-mappers';
import type { GateRefusal } from '../claim-gate/claim-types';
import type { StoredAnswer } from './claims-repository';
import type { Claimant, ClaimsService } from './claims-service';
import type { MemberIds } from './member-ids';
import { ownPostGuard } from './own-post-guard';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const JSON_TYPE = 'application/json; charset=utf-8';

/** The contract's error body for a refusal answered from memory, all but the request id prebuilt. */
const refusalHead = (code: GateRefusal) => `${JSON.stringify({ code, message: ERROR_MESSAGES[code] }).slice(0, -1)},"requestId":`;
const REFUSAL_HEAD: Record<GateRefusal, string> = { TASK_FULL: refusalHead('TASK_FULL'), ALREADY_CLAIMED: refusalHead('ALREADY_CLAIMED') };

export const claimsRoutes: FastifyPluginAsyncZod<{
  claimsService: ClaimsService;
  /** A member's cancel: its slot goes on to the waitlist, which owns it (modules/waitlist). */
  cancelMine(memberId: string, taskId: string): Promise<Claim>;
  memberIds: MemberIds;
  loadPost(id: string): Promise<TaskRow>;
}> = async (app, opts) => {
  const { claimsService, memberIds } = opts;
  const ownPost = ownPostGuard(opts.loadPost);

  /** Claiming needs only who the member is: the token, and its member id (cached), not the principal. */
  async function memberIdOf(userId: string): Promise<string> {
    const memberId = memberIds.cached(userId) ?? (await memberIds.resolve(userId));
    if (memberId === undefined) throw new AppError('UNAUTHENTICATED');
    if (memberId === null) throw new AppError('NOT_REGISTERED');
    return memberId;
  }

  async function claimOnce(request: FastifyRequest, taskId: string, session: Session, key: string): Promise<StoredAnswer> {
    if (!IDEMPOTENCY_KEY.test(key)) throw invalid('Idempotency-Key', 'must be 1-200 printable ASCII characters');
    const p: Claimant = {
      userId: session.userId,
      memberId: session.memberId ?? (await memberIdOf(session.userId)),
      tokenVersion: session.tokenVersion,
    };
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? {})}`)
      .digest('hex');
    return claimsService.claimOnce(p, taskId, key, requestHash, String(request.id));
  }

  /** The contract's error body, serialized ahead but for the request id (a string is sent as is). */
  function refuse(request: FastifyRequest, reply: FastifyReply, code: GateRefusal): void {
    reply
      .code(409)
      .type(JSON_TYPE)
      .send(`${REFUSAL_HEAD[code]}${JSON.stringify(String(request.id))}}`);
  }

  // Not async: a refusal answered from memory is sent without a promise in between (the
  // hottest answer under a burst). Everything else returns the promise of its answer.
  app.post(
    '/tasks/:id/claims',
    {
      schema: {
        errors: [
          'UNAUTHENTICATED',
          'NOT_REGISTERED',
          'NOT_FOUND',
          'TASK_FULL',
          'ALREADY_CLAIMED',
          'CLAIM_NOT_OPEN',
          'CLAIM_CLOSED',
          'TASK_CANCELLED',
          'GRAB_SUSPENDED',
          'IDEMPOTENCY_KEY_REUSED',
        ],
        tags: ['claims'],
        params: IdParamsSchema,
        response: { 201: ClaimCreateResponseSchema },
      },
    },
    (request, reply) => {
      const session = app.session(request);
      const userId = session.userId;
      const taskId = request.params.id;
      const key = request.headers['idempotency-key'];
      if (key === undefined) {
        const cached = session.memberId ?? memberIds.cached(userId);
        const fast = cached === undefined ? null : claimsService.refusalFromMemory(taskId, cached);
        if (typeof fast === 'string') return refuse(request, reply, fast);
        if (fast) throw fast;
        return (async () => {
          const memberId = cached ?? (await memberIdOf(userId));
          // The claim statement checks the token's version: a session revoked anywhere, even unheard here, takes nothing.
          const created = await claimsService.claim({ userId, memberId, tokenVersion: session.tokenVersion }, taskId);
          if (typeof created === 'string') return refuse(request, reply, created);
          reply.code(201);
          return created;
        })();
      }
      if (typeof key !== 'string') throw invalid('Idempotency-Key', 'must be 1-200 printable ASCII characters');
      // A replay is the first answer verbatim: a 201 body or an error body, stored as sent.
      return claimOnce(request, taskId, session, key).then((answer) => {
        reply.code(answer.statusCode as 201).type(JSON_TYPE);
        return answer.body as ClaimCreateResponse;
      });
    },
  );

  app.delete(
    '/tasks/:id/claims/me',
    {
      onRequest: requireMember,
      schema: {
        errors: ['UNAUTHENTICATED', 'NOT_REGISTERED', 'NOT_FOUND', 'NOT_CLAIMED', 'CANCEL_TOO_LATE', 'CLAIM_CLOSED'],
        tags: ['claims'],
        params: IdParamsSchema,
        response: { 200: ClaimResponseSchema },
      },
    },
    async (request) => ({ claim: await opts.cancelMine(principalOf(request).memberId!, request.params.id) }),
  );

  app.get(
    '/tasks/:id/claims',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownPost.preHandler,
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND'],
        tags: ['claims'],
        params: IdParamsSchema,
        response: { 200: ClaimantListSchema },
      },
    },
    async (request) => claimsService.claimants(ownPost.of(request)),
  );

  for (const [path, kind] of [
    ['check-ins', 'in'],
    ['check-outs', 'out'],
  ] as const) {
    const early = kind === 'in' ? (['CHECK_IN_NOT_OPEN', 'CLAIM_CLOSED'] as const) : [];
    app.post(
      `/tasks/:id/${path}`,
      {
        onRequest: requireRoles('secretary'),
        preHandler: ownPost.preHandler,
        schema: {
          errors: ['CODE_INVALID', 'CODE_EXPIRED', 'NOT_CLAIMED', 'CONFLICT', ...early],
          tags: ['claims'],
          params: IdParamsSchema,
          body: CheckBodySchema,
          response: { 200: ClaimResponseSchema },
        },
      },
      async (request) => ({ claim: await claimsService.check(kind, ownPost.of(request), request.body.token) }),
    );
  }
};
