import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CalendarParamsSchema,
  CalendarUrlSchema,
  MessageListQuerySchema,
  MessageListSchema,
  MessagesReadBodySchema,
  MessagesReadResponseSchema,
  PreferencesBodySchema,
  PreferencesResponseSchema,
  SubscriptionsBodySchema,
  SubscriptionsResponseSchema,
  SubscriptionsStateSchema,
  UnreadSchema,
} from '@pioneer/shared';
import { principalOf, requireAuth, requireMember } from '../../plugins/auth';
import type { Limit } from '../../plugins/rate-limit';
import type { NotificationsService } from './notifications-service';

export const notificationsRoutes: FastifyPluginAsyncZod<{
  notificationsService: NotificationsService;
  /** Credits (`accept`s) per user and template per minute: a user tapping 允许 is far slower. */
  creditLimit: Limit;
}> = async (app, opts) => {
  const service = opts.notificationsService;
  const tags = ['notifications'];

  app.get(
    '/me/subscriptions',
    { onRequest: requireAuth, schema: { errors: ['UNAUTHENTICATED'], tags, response: { 200: SubscriptionsStateSchema } } },
    async (request) => service.subscriptions(principalOf(request).userId),
  );

  app.post(
    '/me/subscriptions',
    {
      onRequest: requireAuth,
      schema: {
        errors: ['UNAUTHENTICATED', 'RATE_LIMITED'],
        tags,
        body: SubscriptionsBodySchema,
        response: { 200: SubscriptionsResponseSchema },
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      // Counted per template before anything is recorded: past the limit, nothing of the request is.
      for (const [template, result] of Object.entries(request.body.results))
        if (result === 'accept') await opts.creditLimit.hit(`${userId}:${template}`);
      return { credits: await service.recordSubscriptions(userId, request.body) };
    },
  );

  app.get(
    '/me/messages',
    {
      onRequest: requireAuth,
      schema: { errors: ['UNAUTHENTICATED'], tags, querystring: MessageListQuerySchema, response: { 200: MessageListSchema } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return service.messages(principalOf(request).userId, request.query);
    },
  );

  app.get(
    '/me/messages/unread',
    { onRequest: requireAuth, schema: { errors: ['UNAUTHENTICATED'], tags, response: { 200: UnreadSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { unread: await service.unread(principalOf(request).userId) };
    },
  );

  app.post(
    '/me/messages/read',
    {
      onRequest: requireAuth,
      schema: { errors: ['UNAUTHENTICATED'], tags, body: MessagesReadBodySchema, response: { 200: MessagesReadResponseSchema } },
    },
    async (request) => ({ unread: await service.markRead(principalOf(request).userId, request.body.ids) }),
  );

  app.get(
    '/members/me/preferences',
    {
      onRequest: requireMember,
      schema: { errors: ['UNAUTHENTICATED', 'NOT_REGISTERED'], tags, response: { 200: PreferencesResponseSchema } },
    },
    async (request) => ({ preferences: await service.preferences(service.memberOnly(principalOf(request).memberId)) }),
  );

  app.put(
    '/members/me/preferences',
    {
      onRequest: requireMember,
      schema: {
        errors: ['UNAUTHENTICATED', 'NOT_REGISTERED'],
        tags,
        body: PreferencesBodySchema,
        response: { 200: PreferencesResponseSchema },
      },
    },
    async (request) => ({
      preferences: await service.savePreferences(service.memberOnly(principalOf(request).memberId), request.body),
    }),
  );

  app.get(
    '/members/me/calendar-url',
    { onRequest: requireMember, schema: { errors: ['UNAUTHENTICATED', 'NOT_REGISTERED'], tags, response: { 200: CalendarUrlSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { url: await service.calendarUrl(service.memberOnly(principalOf(request).memberId)) };
    },
  );

  app.post(
    '/members/me/calendar-url/reset',
    { onRequest: requireMember, schema: { errors: ['UNAUTHENTICATED', 'NOT_REGISTERED'], tags, response: { 200: CalendarUrlSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { url: await service.resetCalendarUrl(service.memberOnly(principalOf(request).memberId)) };
    },
  );

  // No bearer token: calendar apps fetch this by URL alone; the URL's secret is the credential.
  app.get('/calendar/:file', { schema: { errors: ['NOT_FOUND'], tags, params: CalendarParamsSchema } }, async (request, reply) => {
    const body = await service.calendar(request.params.file);
    return reply
      .header('content-type', 'text/calendar; charset=utf-8')
      .header('cache-control', 'private, max-age=300')
      .header('referrer-policy', 'no-referrer')
      .send(body);
  });
};
