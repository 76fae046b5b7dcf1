import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  TaskCreateBodySchema,
  TaskDetailSchema,
  TaskListQuerySchema,
  TaskListSchema,
  TaskResponseSchema,
} from '@pioneer/shared';
import { principalOf, requireAuth } from '../../plugins/auth';
import type { TasksService } from './tasks-service';

export const tasksRoutes: FastifyPluginAsyncZod<{ tasksService: TasksService; sweepIntervalMs?: number }> = async (app, opts) => {
  const { tasksService } = opts;

  app.post(
    '/tasks',
    { preHandler: requireAuth, schema: { tags: ['tasks'], body: TaskCreateBodySchema, response: { 201: TaskResponseSchema } } },
    async (request, reply) => {
      const task = await tasksService.create(principalOf(request), request.body);
      return reply.code(201).send({ task });
    },
  );

  app.get(
    '/tasks',
    { preHandler: requireAuth, schema: { tags: ['tasks'], querystring: TaskListQuerySchema, response: { 200: TaskListSchema } } },
    async (request) => tasksService.list(principalOf(request), request.query),
  );

  app.get(
    '/tasks/:id',
    { preHandler: requireAuth, schema: { tags: ['tasks'], params: IdParamsSchema, response: { 200: TaskDetailSchema } } },
    async (request) => tasksService.get(principalOf(request), request.params.id),
  );

  app.post(
    '/tasks/:id/cancel',
    { preHandler: requireAuth, schema: { tags: ['tasks'], params: IdParamsSchema, response: { 200: TaskResponseSchema } } },
    async (request) => ({ task: await tasksService.cancel(principalOf(request), request.params.id) }),
  );

  // Ended posts and no-shows are computed on read; the sweep also writes them down.
  const interval = opts.sweepIntervalMs ?? 60_000;
  if (interval > 0) {
    const timer = setInterval(() => {
      tasksService.sweep().catch((err) => app.log.warn({ err }, 'task sweep failed'));
    }, interval);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
};
