import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DistrictListSchema,
  EstateCreateBodySchema,
  EstateListSchema,
  EstateSchema,
  IdParamsSchema,
  PartyOrgSchema,
  PartyOrgCreateBodySchema,
  PartyOrgCreatedSchema,
  PartyOrgListQuerySchema,
  PartyOrgListSchema,
} from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { administersDistrict, oversees } from '../../lib/scope';
import { hasRole, principalOf, requireRoles } from '../../plugins/auth';
import type { DirectoryService } from './directory-service';

/** The directory is public to read (registration needs it before sign-up); writes are scoped. */
export const directoryRoutes: FastifyPluginAsyncZod<{ directoryService: DirectoryService }> = async (app, opts) => {
  const service = opts.directoryService;

  app.get('/districts', { schema: { tags: ['directory'], response: { 200: DistrictListSchema } } }, async () => ({
    items: await service.listDistricts(),
  }));

  app.get(
    '/party-orgs',
    { schema: { tags: ['directory'], querystring: PartyOrgListQuerySchema, response: { 200: PartyOrgListSchema } } },
    async (request) => service.listPartyOrgs(request.query),
  );

  app.post(
    '/party-orgs',
    {
      onRequest: requireRoles('city_admin', 'district_admin'),
      schema: {
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'CONFLICT'],
        tags: ['directory'],
        security: [{ bearer: [] }],
        body: PartyOrgCreateBodySchema,
        response: { 201: PartyOrgCreatedSchema },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      // Districts are public, so a district admin naming another (or an unknown) district learns nothing from a 403.
      if (!administersDistrict(p, request.body.districtId)) {
        throw forbidden(hasRole(p, 'district_admin') ? '只能在本板块内新建党组织' : undefined);
      }
      const org = await service.createPartyOrg(p.userId, request.body);
      return reply
        .status(201)
        .send({ id: org.id, name: org.name, kind: org.kind, districtId: org.districtId, registerCode: org.registerCode });
    },
  );

  // Public like the list: staff profiles show the names of the orgs their roles are in.
  app.get(
    '/party-orgs/:id',
    {
      schema: {
        summary: '党组织名片',
        description: "One party org's name, kind and 板块 (public, as in the list).",
        errors: ['NOT_FOUND'],
        tags: ['directory'],
        params: IdParamsSchema,
        response: { 200: PartyOrgSchema },
      },
    },
    async (request) => service.getPartyOrg(request.params.id),
  );

  app.get(
    '/party-orgs/:id/estates',
    { schema: { errors: ['NOT_FOUND'], tags: ['directory'], params: IdParamsSchema, response: { 200: EstateListSchema } } },
    async (request) => {
      const community = await service.getCommunity(request.params.id);
      return { items: await service.listEstates(community.id) };
    },
  );

  app.post(
    '/party-orgs/:id/estates',
    {
      onRequest: requireRoles('secretary', 'district_admin', 'city_admin'),
      schema: {
        tags: ['directory'],
        errors: ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
        security: [{ bearer: [] }],
        params: IdParamsSchema,
        body: EstateCreateBodySchema,
        response: { 201: EstateSchema },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const community = await service.getCommunity(request.params.id);
      if (!oversees(p, community)) throw forbidden('只能为本社区添加小区');
      const estate = await service.createEstate(p.userId, community.id, request.body.name);
      return reply.status(201).send(estate);
    },
  );
};
