import type { FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_STATUS, ErrorBodySchema, type ErrorCode } from '@pioneer/shared';
import { catalogueKey, OPERATION_CATALOGUE } from './openapi-catalogue';

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The error answers a route gives besides those of its guards (see `answers`), VALIDATION_FAILED
     * (added for any route with a body, query or params) and INTERNAL_ERROR / SERVICE_UNAVAILABLE (every route). Documentation only:
     * error bodies are written by the error handler, not checked against these.
     */
    errors?: readonly ErrorCode[];
  }
}

const ALWAYS: ErrorCode[] = ['INTERNAL_ERROR', 'SERVICE_UNAVAILABLE'];

const GUARD_ERRORS = Symbol('error answers of a route hook');

/** Marks a route hook (a guard) with the error answers it gives: every route using it documents them. */
export function answers<T extends object>(hook: T, codes: readonly ErrorCode[]): T {
  return Object.assign(hook, { [GUARD_ERRORS]: codes });
}

/** The error answers of the route's guards (its onRequest and preHandler hooks marked by `answers`). */
function guardErrors(route: { onRequest?: unknown; preHandler?: unknown } | undefined): ErrorCode[] {
  const hooks = [route?.onRequest, route?.preHandler].flat().filter((h): h is object => typeof h === 'function');
  return hooks.flatMap((h) => (h as { [GUARD_ERRORS]?: readonly ErrorCode[] })[GUARD_ERRORS] ?? []);
}

/** `{ [status]: error body whose code is one of that status's codes }` for the OpenAPI document. */
export function errorResponses(codes: readonly ErrorCode[]): Record<number, z.ZodType> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      ErrorBodySchema.extend({ code: z.enum(list as [ErrorCode, ...ErrorCode[]]) }).describe(list.join(' | ')),
    ]),
  );
}

const API_PREFIX = '/api/v1';

/**
 * The route's summary, description and tags: its own where its options give them, else the
 * catalogue's (tags: the first path segment, the module's name).
 */
function documentation(schema: FastifySchema, method: unknown, url: string) {
  const key = catalogueKey(String([method].flat()[0] ?? 'GET'), url, API_PREFIX);
  const [summary, description] = OPERATION_CATALOGUE[key] ?? [];
  const own = schema as { summary?: string; description?: string; tags?: string[] };
  const segment = url.slice(url.startsWith(API_PREFIX) ? API_PREFIX.length : 0).split('/')[1];
  return {
    summary: own.summary ?? summary,
    description: own.description ?? description ?? own.summary ?? summary,
    tags: own.tags?.length ? own.tags : segment ? [segment] : undefined,
  };
}

/**
 * @fastify/swagger's transform: the route's declared error answers join its responses, its
 * summary and description come from the catalogue when its options have none, then zod becomes
 * JSON Schema.
 */
export const withErrorAnswers: typeof jsonSchemaTransform = (input) => {
  const schema = input.schema as FastifySchema & { response?: Record<number, unknown> };
  if (!schema || (schema as { hide?: boolean }).hide) return jsonSchemaTransform(input);
  const validated = schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined;
  const route = (input as { route?: { onRequest?: unknown; preHandler?: unknown; method?: unknown } }).route;
  const codes: ErrorCode[] = [
    ...guardErrors(route),
    ...(validated ? (['VALIDATION_FAILED'] as const) : []),
    ...(schema.errors ?? []),
    ...ALWAYS,
  ];
  // A copy: the route's own schema (used to serialize its answers) stays as it is.
  const documented = {
    ...schema,
    ...documentation(schema, route?.method, input.url),
    response: { ...errorResponses(codes), ...(schema.response ?? {}) },
  };
  delete documented.errors;
  return jsonSchemaTransform({ ...input, schema: documented });
};
