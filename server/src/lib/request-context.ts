import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the database layer may know about the request it serves, without importing Fastify: a
 * caller who has just written must read from the primary (a replica may not have its write yet).
 */
export interface RequestContext {
  preferPrimary: boolean;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestPrefersPrimary(): boolean {
  return requestContext.getStore()?.preferPrimary ?? false;
}
