import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ActionCreateBodySchema,
  ActionListQuerySchema,
  ActionListSchema,
  ActionNoteBodySchema,
  ActionProgressBodySchema,
  ActionResponseSchema,
  AttendanceBodySchema,
  AttendanceResponseSchema,
  IdParamsSchema,
  MeetingCancelBodySchema,
  MeetingCheckinSchema,
  MeetingCloseBodySchema,
  MeetingCreateBodySchema,
  MeetingDetailSchema,
  MeetingListQuerySchema,
  MeetingListSchema,
  MeetingResponseSchema,
  PublicProgressSchema,
} from '@pioneer/shared';
import { notFound } from '../../lib/errors';
import { principalOf, requireAuth, requireRoles } from '../../plugins/auth';
import type { MeetingsService } from './meetings-service';

const tags = ['meetings'];
const security = [{ bearer: [] }];
const stepErrors = ['NOT_FOUND', 'FORBIDDEN', 'INVALID_TRANSITION'] as const;
const CONVENERS = ['secretary', 'district_admin'] as const;
const UNIT_SIDE = ['unit_liaison', 'unit_admin'] as const;
const STAFF = ['secretary', 'district_admin', 'city_admin', 'unit_liaison', 'unit_admin'] as const;

/** 共商共办 (contract v3): meetings, attendance by QR, minutes, action items and their progress. */
export const meetingsRoutes: FastifyPluginAsyncZod<{ meetingsService: MeetingsService }> = async (app, opts) => {
  const svc = opts.meetingsService;

  app.post(
    '/meetings',
    {
      onRequest: requireRoles(...CONVENERS),
      schema: {
        summary: 'Convene a coordination meeting or a 上门服务 day',
        errors: ['FORBIDDEN'],
        tags,
        security,
        body: MeetingCreateBodySchema,
        response: { 201: MeetingResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await svc.create(principalOf(request), request.body)),
  );

  app.get(
    '/meetings',
    {
      onRequest: requireRoles(...STAFF),
      schema: {
        summary: 'Meetings of a scope, newest first',
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags,
        security,
        querystring: MeetingListQuerySchema,
        response: { 200: MeetingListSchema },
      },
    },
    async (request) => svc.list(principalOf(request), request.query),
  );

  app.get(
    '/meetings/:id',
    {
      onRequest: requireRoles(...STAFF),
      schema: {
        summary: 'A meeting with its attendance and action items',
        errors: ['NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: MeetingDetailSchema },
      },
    },
    async (request) => svc.detail(principalOf(request), request.params.id),
  );

  app.get(
    '/meetings/:id/checkin',
    {
      onRequest: requireRoles(...CONVENERS),
      schema: {
        summary: "The meeting's check-in QR (the convener)",
        errors: stepErrors,
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: MeetingCheckinSchema },
      },
    },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await svc.checkin(principalOf(request), request.params.id)),
  );

  app.post(
    '/meetings/:id/attendance',
    {
      onRequest: requireRoles('secretary', 'unit_liaison', 'unit_admin'),
      schema: {
        summary: "Record the caller's attendance from the scanned QR (staff of an invited org, once)",
        errors: ['NOT_FOUND', 'FORBIDDEN', 'INVALID_TRANSITION', 'CODE_INVALID', 'CODE_EXPIRED', 'CHECK_IN_NOT_OPEN'],
        tags,
        security,
        params: IdParamsSchema,
        body: AttendanceBodySchema,
        response: { 200: AttendanceResponseSchema, 201: AttendanceResponseSchema },
      },
    },
    async (request, reply) => {
      const { created, ...rest } = await svc.attend(principalOf(request), request.params.id, request.body.token);
      return reply.code(created ? 201 : 200).send(rest);
    },
  );

  app.post(
    '/meetings/:id/close',
    {
      onRequest: requireRoles(...CONVENERS),
      schema: {
        summary: 'Close a meeting with its minutes, decisions and questions handled',
        errors: [...stepErrors, 'CONFLICT'],
        tags,
        security,
        params: IdParamsSchema,
        body: MeetingCloseBodySchema,
        response: { 200: MeetingResponseSchema },
      },
    },
    async (request) => svc.close(principalOf(request), request.params.id, request.body),
  );

  app.post(
    '/meetings/:id/cancel',
    {
      onRequest: requireRoles(...CONVENERS),
      schema: {
        summary: 'Cancel a scheduled meeting',
        errors: stepErrors,
        tags,
        security,
        params: IdParamsSchema,
        body: MeetingCancelBodySchema,
        response: { 200: MeetingResponseSchema },
      },
    },
    async (request) => svc.cancel(principalOf(request), request.params.id),
  );

  app.post(
    '/meetings/:id/actions',
    {
      onRequest: requireRoles(...CONVENERS),
      schema: {
        summary: 'Add an action item (责任分工) to a held meeting',
        errors: stepErrors,
        tags,
        security,
        params: IdParamsSchema,
        body: ActionCreateBodySchema,
        response: { 201: ActionResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await svc.addAction(principalOf(request), request.params.id, request.body)),
  );

  app.get(
    '/actions',
    {
      onRequest: requireRoles(...STAFF),
      schema: {
        summary: "A unit's action items, overdue first",
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags,
        security,
        querystring: ActionListQuerySchema,
        response: { 200: ActionListSchema },
      },
    },
    async (request) => svc.listActions(principalOf(request), request.query),
  );

  app.get(
    '/actions/:id',
    {
      onRequest: requireRoles(...STAFF),
      schema: {
        summary: 'An action item with its milestones and timeline',
        errors: ['NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: ActionResponseSchema },
      },
    },
    async (request) => svc.action(principalOf(request), request.params.id),
  );

  app.post(
    '/actions/:id/progress',
    {
      onRequest: requireRoles(...UNIT_SIDE),
      schema: {
        summary: "Report an action's progress (the owner unit)",
        errors: stepErrors,
        tags,
        security,
        params: IdParamsSchema,
        body: ActionProgressBodySchema,
        response: { 200: ActionResponseSchema },
      },
    },
    async (request) => svc.progress(principalOf(request), request.params.id, request.body),
  );

  app.post(
    '/actions/:id/done',
    {
      onRequest: requireRoles(...UNIT_SIDE),
      schema: {
        summary: 'Report an action done (the owner unit)',
        errors: stepErrors,
        tags,
        security,
        params: IdParamsSchema,
        body: ActionNoteBodySchema,
        response: { 200: ActionResponseSchema },
      },
    },
    async (request) => svc.done(principalOf(request), request.params.id, request.body.note),
  );

  for (const step of ['confirm', 'reopen'] as const) {
    app.post(
      `/actions/:id/${step}`,
      {
        onRequest: requireRoles(...CONVENERS),
        schema: {
          summary: step === 'confirm' ? 'Confirm a done action (the convener)' : 'Reopen a done action (the convener)',
          errors: stepErrors,
          tags,
          security,
          params: IdParamsSchema,
          body: ActionNoteBodySchema,
          response: { 200: ActionResponseSchema },
        },
      },
      async (request) => svc[step](principalOf(request), request.params.id, request.body.note),
    );
  }

  app.get(
    '/party-orgs/:id/meeting-progress',
    {
      onRequest: requireAuth,
      schema: {
        summary: "What was decided about a community's whistles and how far each action is (its residents; no names)",
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: PublicProgressSchema },
      },
    },
    async (request) => svc.publicProgress(principalOf(request), request.params.id),
  );
};

/** The H5 page a scanned meeting QR opens: the meeting page, which records the attendance. */
const meetingPagePath = (token: string) => `/#/staff/meeting/index?token=${encodeURIComponent(token)}`;

/**
 * Top level `/m/:token`, the link inside a meeting's check-in QR, so WeChat's own scanner (or any
 * camera) opens the app. Only the token's signature is checked here; the window and the invitation
 * are the attendance endpoint's.
 */
export const meetingLinkRoutes: FastifyPluginAsyncZod<{ meetingsService: MeetingsService }> = async (app, opts) => {
  app.get('/m/:token', { schema: { hide: true, params: z.object({ token: z.string().max(200) }) } }, async (request, reply) => {
    const { token } = request.params;
    if (!opts.meetingsService.meetingOfToken(token)) throw notFound('签到码无效');
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(meetingPagePath(token), 302);
  });
};
