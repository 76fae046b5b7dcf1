import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ConsentBodySchema, ConsentListSchema, DeregisterResponseSchema, MemberExportSchema } from '@pioneer/shared';
import { principalOf, requireMember } from '../../plugins/auth';
import type { PersonalDataService } from './personal-data-service';

/** The member's rights over its own data: a copy, consent per version, and 注销. */
export const personalDataRoutes: FastifyPluginAsyncZod<{ personalData: PersonalDataService }> = async (app, opts) => {
  const service = opts.personalData;

  app.get(
    '/members/me/export',
    { onRequest: requireMember, schema: { tags: ['members'], response: { 200: MemberExportSchema } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      reply.header('content-disposition', 'attachment; filename="my-data.json"');
      return service.exportMine(principalOf(request).userId);
    },
  );

  app.delete(
    '/members/me',
    { onRequest: requireMember, schema: { tags: ['members'], response: { 200: DeregisterResponseSchema } } },
    async (request) => service.deregister(principalOf(request).userId),
  );

  app.get(
    '/members/me/consent',
    { onRequest: requireMember, schema: { tags: ['members'], response: { 200: ConsentListSchema } } },
    async (request) => ({ items: await service.consents(principalOf(request).userId) }),
  );

  app.post(
    '/members/me/consent',
    { onRequest: requireMember, schema: { tags: ['members'], body: ConsentBodySchema, response: { 200: ConsentListSchema } } },
    async (request) => ({ items: await service.giveConsent(principalOf(request).userId, request.body.consentVersion) }),
  );

  app.delete(
    '/members/me/consent',
    { onRequest: requireMember, schema: { tags: ['members'], response: { 200: DeregisterResponseSchema } } },
    async (request) => service.withdrawConsent(principalOf(request).userId),
  );
};
