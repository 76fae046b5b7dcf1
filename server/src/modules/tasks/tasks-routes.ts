import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  TaskCreateBodySchema,
  TaskDetailSchema,
  TaskListQuerySchema,
  TaskListSchema,
  TaskResponseSchema,
  TaskUpdateBodySchema,
  type TaskUpdateBody,
} from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { isSecretaryOf } from '../../lib/scope';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import type { TasksService } from './tasks-service';

export const tasksRoutes: FastifyPluginAsyncZod<{ tasksService: TasksService }> = async (app, opts) => {
  const { tasksService } = opts;

  app.post(
    '/tasks',
    {
      onRequest: requireRoles('secretary', 'unit_admin'),
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'INVALID_TRANSITION'],
        tags: ['tasks'],
        body: TaskCreateBodySchema,
        response: { 201: TaskResponseSchema },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await tasksService.mayPublish(p, request.body);
      const task = await tasksService.create(p.userId, request.body);
      return reply.code(201).send({ task });
    },
  );

  app.get(
    '/tasks',
    {
      onRequest: requireAuth,
      schema: { errors: ['UNAUTHENTICATED'], tags: ['tasks'], querystring: TaskListQuerySchema, response: { 200: TaskListSchema } },
    },
    async (request) => tasksService.list(principalOf(request), request.query),
  );

  app.get(
    '/tasks/:id',
    {
      onRequest: requireAuth,
      schema: { errors: ['UNAUTHENTICATED', 'NOT_FOUND'], tags: ['tasks'], params: IdParamsSchema, response: { 200: TaskDetailSchema } },
    },
    async (request) => tasksService.get(principalOf(request), request.params.id),
  );

  app.post(
    '/tasks/:id/cancel',
    {
      onRequest: requireRoles('secretary'),
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CLAIM_CLOSED'],
        tags: ['tasks'],
        params: IdParamsSchema,
        response: { 200: TaskResponseSchema },
      },
    },
    async (request) => {
      const p = principalOf(request);
      const task = await tasksService.load(request.params.id);
      if (!isSecretaryOf(p, task.communityOrgId)) throw forbidden('只有本社区书记可以取消岗位');
      return { task: await tasksService.cancel(task.id) };
    },
  );

  const editPost = {
    onRequest: requireRoles('secretary'),
    schema: {
      errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'VALIDATION_FAILED', 'NOT_FOUND', 'CLAIM_CLOSED', 'TASK_CANCELLED'],
      tags: ['tasks'],
      params: IdParamsSchema,
      body: TaskUpdateBodySchema,
      response: { 200: TaskResponseSchema },
    },
  } as const;
  const edit = async (request: { params: { id: string }; body: TaskUpdateBody }, p: ReturnType<typeof principalOf>) => {
    const task = await tasksService.load(request.params.id);
    if (!isSecretaryOf(p, task.communityOrgId)) throw forbidden('只有本社区书记可以修改岗位');
    return { task: await tasksService.update(task.id, request.body) };
  };

  app.patch('/tasks/:id', editPost, async (request) => edit(request, principalOf(request)));

  // WeChat's wx.request has no PATCH: the mini-program edits a post through this POST twin.
  app.post(
    '/tasks/:id/edit',
    {
      ...editPost,
      schema: {
        ...editPost.schema,
        summary: '修改岗位（小程序）',
        description: 'The same edit as PATCH /tasks/{id}, for clients without PATCH (WeChat mini-programs).',
      },
    },
    async (request) => edit(request, principalOf(request)),
  );
};
