import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AgreementAcceptBodySchema,
  AgreementCreateBodySchema,
  AgreementEndBodySchema,
  AgreementListQuerySchema,
  AgreementListSchema,
  AgreementResponseSchema,
  IdParamsSchema,
  NeedClaimBodySchema,
  NeedCreateBodySchema,
  NeedListQuerySchema,
  NeedListSchema,
  NeedResponseSchema,
  ProjectAcceptBodySchema,
  ProjectCloseBodySchema,
  ProjectDeliverBodySchema,
  ProjectDetailSchema,
  ProjectListQuerySchema,
  ProjectListSchema,
  ProjectResponseSchema,
  UnitReasonBodySchema,
  ResourceCreateBodySchema,
  ResourceListQuerySchema,
  ResourceListSchema,
  ResourceResponseSchema,
} from '@pioneer/shared';
import { principalOf, requireRoles } from '../../plugins/auth';
import type { AgreementsService } from './agreements-service';
import type { ProjectsService } from './projects-service';

const security = [{ bearer: [] }];
const UNIT_STAFF = ['unit_admin', 'unit_liaison'] as const;
const COMMUNITY_STAFF = ['secretary', 'district_admin', 'city_admin'] as const;
const ANY_STAFF = [...UNIT_STAFF, ...COMMUNITY_STAFF] as const;

/** 组织报到 (contract v3): 共建协议 and the three lists. Scope is decided by the services after validation. */
export const unitsRoutes: FastifyPluginAsyncZod<{ agreementsService: AgreementsService; projectsService: ProjectsService }> = async (
  app,
  opts,
) => {
  const agreements = opts.agreementsService;
  const projects = opts.projectsService;
  const tagA = ['agreements'];
  const tagL = ['unit-lists'];

  app.post(
    '/agreements',
    {
      onRequest: requireRoles('unit_admin'),
      schema: {
        summary: '单位报到：提交共建协议',
        tags: tagA,
        security,
        errors: ['CONFLICT'],
        body: AgreementCreateBodySchema,
        response: { 201: AgreementResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ agreement: await agreements.propose(principalOf(request), request.body) }),
  );

  app.get(
    '/agreements',
    {
      onRequest: requireRoles(...ANY_STAFF),
      schema: {
        summary: '共建协议列表',
        tags: tagA,
        security,
        errors: ['NOT_FOUND'],
        querystring: AgreementListQuerySchema,
        response: { 200: AgreementListSchema },
      },
    },
    async (request) => agreements.list(principalOf(request), request.query),
  );

  app.post(
    '/agreements/:id/accept',
    {
      onRequest: requireRoles(...COMMUNITY_STAFF),
      schema: {
        summary: '确认报到（社区书记或板块管理员）',
        tags: tagA,
        security,
        errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
        params: IdParamsSchema,
        body: AgreementAcceptBodySchema.optional(),
        response: { 200: AgreementResponseSchema },
      },
    },
    async (request) => ({
      agreement: await agreements.step(principalOf(request), request.params.id, 'accept', request.body?.reason ?? null),
    }),
  );

  app.post(
    '/agreements/:id/reject',
    {
      onRequest: requireRoles(...COMMUNITY_STAFF),
      schema: {
        summary: '退回报到申请',
        tags: tagA,
        security,
        errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
        params: IdParamsSchema,
        body: UnitReasonBodySchema,
        response: { 200: AgreementResponseSchema },
      },
    },
    async (request) => ({ agreement: await agreements.step(principalOf(request), request.params.id, 'reject', request.body.reason) }),
  );

  app.post(
    '/agreements/:id/end',
    {
      onRequest: requireRoles(...ANY_STAFF),
      schema: {
        summary: '终止共建协议（任一方）',
        tags: tagA,
        security,
        errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
        params: IdParamsSchema,
        body: AgreementEndBodySchema.optional(),
        response: { 200: AgreementResponseSchema },
      },
    },
    async (request) => ({
      agreement: await agreements.step(principalOf(request), request.params.id, 'end', request.body?.reason ?? null),
    }),
  );

  app.post(
    '/needs',
    {
      onRequest: requireRoles(...COMMUNITY_STAFF),
      schema: {
        summary: '发布社区需求（需求清单）',
        tags: tagL,
        security,
        errors: ['NOT_FOUND'],
        body: NeedCreateBodySchema,
        response: { 201: NeedResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ need: await projects.publishNeed(principalOf(request), request.body) }),
  );

  app.get(
    '/needs',
    {
      onRequest: requireRoles(...ANY_STAFF),
      schema: {
        summary: '需求清单',
        tags: tagL,
        security,
        errors: ['NOT_FOUND', 'NOT_REPORTED'],
        querystring: NeedListQuerySchema,
        response: { 200: NeedListSchema },
      },
    },
    async (request) => projects.listNeeds(principalOf(request), request.query),
  );

  app.post(
    '/needs/:id/claim',
    {
      onRequest: requireRoles(...UNIT_STAFF),
      schema: {
        summary: '认领需求，生成项目',
        tags: tagL,
        security,
        errors: ['NOT_FOUND', 'NOT_REPORTED', 'CONFLICT'],
        params: IdParamsSchema,
        body: NeedClaimBodySchema,
        response: { 201: ProjectResponseSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send({ project: await projects.claim(principalOf(request), request.params.id, request.body) }),
  );

  app.post(
    '/resources',
    {
      onRequest: requireRoles(...UNIT_STAFF),
      schema: {
        summary: '登记单位资源（资源清单）',
        tags: tagL,
        security,
        body: ResourceCreateBodySchema,
        response: { 201: ResourceResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ resource: await projects.addResource(principalOf(request), request.body) }),
  );

  app.get(
    '/resources',
    {
      onRequest: requireRoles(...ANY_STAFF),
      schema: {
        summary: '资源清单',
        tags: tagL,
        security,
        errors: ['NOT_FOUND'],
        querystring: ResourceListQuerySchema,
        response: { 200: ResourceListSchema },
      },
    },
    async (request) => projects.listResources(principalOf(request), request.query),
  );

  app.get(
    '/projects',
    {
      onRequest: requireRoles(...ANY_STAFF),
      schema: {
        summary: '项目清单',
        tags: tagL,
        security,
        errors: ['NOT_FOUND'],
        querystring: ProjectListQuerySchema,
        response: { 200: ProjectListSchema },
      },
    },
    async (request) => projects.listProjects(principalOf(request), request.query),
  );

  app.get(
    '/projects/:id',
    {
      onRequest: requireRoles(...ANY_STAFF),
      schema: {
        summary: '项目详情（需求、岗位、进程）',
        tags: tagL,
        security,
        errors: ['NOT_FOUND'],
        params: IdParamsSchema,
        response: { 200: ProjectDetailSchema },
      },
    },
    async (request) => projects.detail(principalOf(request), request.params.id),
  );

  const step = (
    path: string,
    action: 'deliver' | 'accept' | 'close' | 'return',
    summary: string,
    roles: readonly (typeof ANY_STAFF)[number][],
    body: typeof ProjectDeliverBodySchema | typeof ProjectAcceptBodySchema | typeof ProjectCloseBodySchema | typeof UnitReasonBodySchema,
  ) =>
    app.post(
      path,
      {
        onRequest: requireRoles(...roles),
        schema: {
          summary,
          tags: tagL,
          security,
          errors: ['NOT_FOUND', 'INVALID_TRANSITION'],
          params: IdParamsSchema,
          body,
          response: { 200: ProjectResponseSchema },
        },
      },
      async (request) => ({
        project: await projects.step(principalOf(request), request.params.id, action, (request.body ?? {}) as Record<string, never>),
      }),
    );
  step('/projects/:id/deliver', 'deliver', '交付项目（单位）', UNIT_STAFF, ProjectDeliverBodySchema);
  step('/projects/:id/return', 'return', '退回需求（单位）', UNIT_STAFF, UnitReasonBodySchema);
  step('/projects/:id/accept', 'accept', '验收并评价（社区）', COMMUNITY_STAFF, ProjectAcceptBodySchema);
  step('/projects/:id/close', 'close', '销号（社区）', COMMUNITY_STAFF, ProjectCloseBodySchema);
};
