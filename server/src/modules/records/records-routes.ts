import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CorrectionApproveBodySchema,
  CorrectionCreateBodySchema,
  CorrectionListQuerySchema,
  CorrectionListSchema,
  CorrectionRejectBodySchema,
  CorrectionResponseSchema,
  IdParamsSchema,
  RecordHistorySchema,
  SecretaryRecordResponseSchema,
  RecordsQuerySchema,
  RecordsSchema,
  MyClaimsSchema,
  SecretaryRecordBodySchema,
} from '@pioneer/shared';
import { forbidden, notFound } from '../../lib/errors';
import { isSecretaryOf, oversees } from '../../lib/scope';
import { principalOf, requireAuth, requireMember, requireRoles, scopeGuard } from '../../plugins/auth';
import type { TaskRow } from '../tasks/task-mappers';
import type { RecordsService } from './records-service';

const tags = ['records'];
const security = [{ bearer: [] }];

export const recordsRoutes: FastifyPluginAsyncZod<{
  recordsService: RecordsService;
  loadPost(id: string): Promise<TaskRow>;
  community(id: string): Promise<{ id: string; districtId: string }>;
}> = async (app, opts) => {
  const service = opts.recordsService;
  const ownPost = scopeGuard(
    async (request, p) => {
      const task = await opts.loadPost((request.params as { id: string }).id);
      if (!isSecretaryOf(p, task.communityOrgId)) throw forbidden('只有本社区书记可以管理该岗位');
      return task;
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
  const ownCommunity = scopeGuard(
    async (request, p) => {
      const org = await opts.community((request.params as { id: string }).id);
      if (!isSecretaryOf(p, org.id)) throw forbidden('只有本社区书记可以审核');
      return org;
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
  // Those above the community learn the request exists (403); others, not (404).
  const ownCorrection = scopeGuard(
    async (request, p) => {
      const c = await service.correction((request.params as { id: string }).id);
      if (isSecretaryOf(p, c.communityOrgId)) return c;
      if (!oversees(p, await opts.community(c.communityOrgId))) throw notFound('申请不存在');
      throw forbidden('只有本社区书记可以审核');
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );

  app.get(
    '/members/me/records',
    {
      onRequest: requireMember,
      schema: {
        summary: '我的服务记录（可按日期筛选）',
        tags,
        security,
        querystring: RecordsQuerySchema,
        response: { 200: RecordsSchema },
      },
    },
    async (request) => service.records(principalOf(request), request.query),
  );

  app.get(
    '/members/me/claims',
    {
      onRequest: requireMember,
      schema: {
        summary: '我的近期岗位（未结束的有效认领）',
        description: '服务记录只含已完成的认领；首页用此列表标出已抢的岗位和近期岗位。',
        tags,
        security,
        response: { 200: MyClaimsSchema },
      },
    },
    async (request) => service.upcomingClaims(principalOf(request)),
  );

  app.post(
    '/tasks/:id/records',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownPost.preHandler,
      schema: {
        summary: '书记补记：为到场未扫码的党员记录服务',
        errors: ['CONFLICT', 'TASK_CANCELLED'],
        tags,
        security,
        params: IdParamsSchema,
        body: SecretaryRecordBodySchema,
        response: { 200: SecretaryRecordResponseSchema },
      },
    },
    async (request) => service.recordBySecretary(principalOf(request), ownPost.of(request), request.body),
  );

  app.post(
    '/members/me/corrections',
    {
      onRequest: requireMember,
      schema: {
        summary: '申请更正或补录服务记录',
        errors: ['NOT_FOUND', 'CONFLICT', 'NOT_CLAIMED', 'CORRECTION_WINDOW_CLOSED', 'FORBIDDEN'],
        tags,
        security,
        body: CorrectionCreateBodySchema,
        response: { 201: CorrectionResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ correction: await service.createCorrection(principalOf(request), request.body) }),
  );

  app.get(
    '/members/me/corrections',
    { onRequest: requireMember, schema: { summary: '我的更正与补录申请', tags, security, response: { 200: CorrectionListSchema } } },
    async (request) => ({ items: await service.myCorrections(principalOf(request)) }),
  );

  app.get(
    '/party-orgs/:id/corrections',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownCommunity.preHandler,
      schema: {
        summary: '本社区的更正与补录申请（书记）',
        tags,
        security,
        params: IdParamsSchema,
        querystring: CorrectionListQuerySchema,
        response: { 200: CorrectionListSchema },
      },
    },
    async (request) => ({ items: await service.listCorrections({ communityOrgId: request.params.id, status: request.query.status }) }),
  );

  app.post(
    '/corrections/:id/approve',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownCorrection.preHandler,
      schema: {
        summary: '通过更正或补录申请（可改分钟数）',
        errors: ['INVALID_TRANSITION', 'CONFLICT'],
        tags,
        security,
        params: IdParamsSchema,
        body: CorrectionApproveBodySchema,
        response: { 200: CorrectionResponseSchema },
      },
    },
    async (request) => ({ correction: await service.approve(principalOf(request), request.params.id, request.body) }),
  );

  app.post(
    '/corrections/:id/reject',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownCorrection.preHandler,
      schema: {
        summary: '驳回更正或补录申请',
        errors: ['INVALID_TRANSITION'],
        tags,
        security,
        params: IdParamsSchema,
        body: CorrectionRejectBodySchema,
        response: { 200: CorrectionResponseSchema },
      },
    },
    async (request) => ({ correction: await service.reject(principalOf(request), request.params.id, request.body.note) }),
  );

  app.get(
    '/records/:id/history',
    {
      onRequest: requireAuth,
      schema: {
        summary: '服务记录的修改历史',
        errors: ['NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: RecordHistorySchema },
      },
    },
    async (request) => service.history(principalOf(request), request.params.id),
  );
};
