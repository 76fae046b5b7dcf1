import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CommunityMemberListSchema,
  CommunityMembersQuerySchema,
  CoverageSchema,
  HouseholdImportHistorySchema,
  HouseholdImportResultSchema,
  IdParamsSchema,
  ImportDryRunQuerySchema,
  MemberParamsSchema,
  PersonalReadBodySchema,
  PersonalReadResponseSchema,
} from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { oversees } from '../../lib/scope';
import { principalOf, requireRoles } from '../../plugins/auth';
import type { DirectoryService } from '../directory/directory-service';
import type { PersonalDataService } from '../members/personal-data-service';
import { readUpload } from '../../lib/upload';
import type { Limit } from '../../plugins/rate-limit';
import type { HouseholdsService } from './households-service';

const STAFF = ['secretary', 'district_admin', 'city_admin'] as const;

/** The homeowner registry of a community and its members as the registry sees them: its secretary or an admin above it. */
export const householdsRoutes: FastifyPluginAsyncZod<{
  householdsService: HouseholdsService;
  directoryService: DirectoryService;
  personalData: PersonalDataService;
  /** Imports per staff user per minute: each one inflates and reads a whole file. */
  importLimit: Limit;
  /** Full-phone reads per staff user per minute (each is audited; a sweep of them is not a call to make). */
  personalReadLimit: Limit;
}> = async (app, opts) => {
  const service = opts.householdsService;

  async function overseenCommunity(request: Parameters<typeof principalOf>[0], id: string) {
    const community = await opts.directoryService.getCommunity(id);
    if (!oversees(principalOf(request), community)) throw forbidden('只能管理本社区的业主信息');
    return community;
  }

  app.post(
    '/party-orgs/:id/households/import',
    {
      onRequest: requireRoles(...STAFF),
      schema: {
        errors: ['FORBIDDEN', 'NOT_FOUND', 'IMPORT_INVALID', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED'],
        tags: ['households'],
        consumes: ['multipart/form-data'],
        params: IdParamsSchema,
        querystring: ImportDryRunQuerySchema,
        response: { 200: HouseholdImportResultSchema },
      },
    },
    async (request) => {
      const community = await overseenCommunity(request, request.params.id);
      await opts.importLimit.hit(principalOf(request).userId);
      const file = await readUpload(request);
      return service.importFile(principalOf(request).userId, community.id, file, request.query.dryRun);
    },
  );

  app.get(
    '/party-orgs/:id/households/imports',
    {
      onRequest: requireRoles(...STAFF),
      schema: { tags: ['households'], params: IdParamsSchema, response: { 200: HouseholdImportHistorySchema } },
    },
    async (request) => service.importHistory((await overseenCommunity(request, request.params.id)).id),
  );

  app.get(
    '/party-orgs/:id/households/coverage',
    {
      onRequest: requireRoles(...STAFF),
      schema: { errors: ['FORBIDDEN', 'NOT_FOUND'], tags: ['households'], params: IdParamsSchema, response: { 200: CoverageSchema } },
    },
    async (request) => service.coverage((await overseenCommunity(request, request.params.id)).id),
  );

  app.get(
    '/party-orgs/:id/members',
    {
      onRequest: requireRoles(...STAFF),
      schema: {
        errors: ['FORBIDDEN', 'NOT_FOUND'],
        tags: ['households'],
        params: IdParamsSchema,
        querystring: CommunityMembersQuerySchema,
        response: { 200: CommunityMemberListSchema },
      },
    },
    async (request) =>
      service.listMembers(principalOf(request).userId, (await overseenCommunity(request, request.params.id)).id, request.query),
  );

  // A member's full phone and home, for staff who must call or visit: every read is audited with its reason.
  app.post(
    '/party-orgs/:id/members/:memberId/personal-data',
    {
      onRequest: requireRoles(...STAFF),
      schema: {
        errors: ['FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED'],
        tags: ['households'],
        params: MemberParamsSchema,
        body: PersonalReadBodySchema,
        response: { 200: PersonalReadResponseSchema },
      },
    },
    async (request) => {
      const community = await overseenCommunity(request, request.params.id);
      await opts.personalReadLimit.hit(principalOf(request).userId);
      return opts.personalData.readForStaff(principalOf(request).userId, community.id, request.params.memberId, request.body.reason);
    },
  );
};
