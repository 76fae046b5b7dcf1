import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_MESSAGES, errorCodeForStatus, type ErrorBody, type ErrorDetail } from '@pioneer/shared';
import { isAppError } from '../lib/errors';
import { NOT_FOUND_PAGE, wantsPage } from '../lib/not-found-page';
import { isDatabaseUnavailable, isGoneMember } from '../lib/pg-errors';

/** Seconds a client should wait before retrying after a database fault. */
export const RETRY_AFTER_SECONDS = 1;

function validationDetails(err: FastifyError & { validation?: unknown[]; validationContext?: string }): ErrorDetail[] {
  if (!hasZodFastifySchemaValidationErrors(err)) return [];
  return err.validation.map((v) => {
    const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    return { path: field || err.validationContext || '(root)', reason: v.message ?? 'invalid' };
  });
}

function send(reply: FastifyReply, request: FastifyRequest, status: number, body: Omit<ErrorBody, 'requestId'>) {
  return reply
    .status(status)
    .type('application/json; charset=utf-8')
    .send({ ...body, requestId: String(request.id) } satisfies ErrorBody);
}

export default fp(
  async function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (isAppError(error)) {
        if (error.code === 'NOT_FOUND' && wantsPage(request))
          return reply.status(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
        if (error.headers) reply.headers(error.headers);
        return send(reply, request, error.statusCode, {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        });
      }
      if (error.validation) {
        return send(reply, request, 400, {
          code: 'VALIDATION_FAILED',
          message: ERROR_MESSAGES.VALIDATION_FAILED,
          details: validationDetails(error),
        });
      }
      if (isDatabaseUnavailable(error)) {
        // Logged by code only (the serializer strips driver text); the request may be retried as is.
        request.log.warn({ err: error }, 'database unavailable');
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return send(reply, request, 503, { code: 'SERVICE_UNAVAILABLE', message: ERROR_MESSAGES.SERVICE_UNAVAILABLE });
      }
      // The session names a member who deregistered (注销): the session is over.
      if (isGoneMember(error)) {
        return send(reply, request, 401, { code: 'UNAUTHENTICATED', message: ERROR_MESSAGES.UNAUTHENTICATED });
      }
      const status = error.statusCode ?? 500;
      if (status < 500) {
        // Fastify's own client errors (bad JSON, body too large …).
        const code = errorCodeForStatus(status);
        return send(reply, request, status, {
          code,
          message: ERROR_MESSAGES[code],
          ...(code === 'VALIDATION_FAILED' ? { details: [{ path: '(body)', reason: error.message }] } : {}),
        });
      }
      // Internals go to the log (which never sees request bodies), never to the caller.
      request.log.error({ err: error }, 'unhandled error');
      return send(reply, request, 500, { code: 'INTERNAL_ERROR', message: ERROR_MESSAGES.INTERNAL_ERROR });
    });

    app.setNotFoundHandler((request, reply) =>
      wantsPage(request)
        ? reply.status(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE)
        : send(reply, request, 404, { code: 'NOT_FOUND', message: ERROR_MESSAGES.NOT_FOUND }),
    );
  },
  { name: 'error-handler' },
);
