import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  OrgIndexSchema,
  RankingSchema,
  UnitBoardQuerySchema,
  UnitIndexOrgQuerySchema,
  UnitIndexQuerySchema,
} from '@pioneer/shared';
import { attachment, XLSX_TYPE } from '../../lib/attachment';
import { principalOf, requireRoles } from '../../plugins/auth';
import { rankedDistrict } from '../assessment/ranking-scope';
import type { ExportsService } from '../exports/exports-service';
import type { UnitIndexService } from './unit-index-service';

const security = [{ bearer: [] }];
const tags = ['unit-index'];

/** 单位报到成效: the board (city and district admins), one unit's explanation (also its own staff), the XLSX. */
export const unitIndexRoutes: FastifyPluginAsyncZod<{ unitIndexService: UnitIndexService; exportsService: ExportsService }> = async (
  app,
  opts,
) => {
  const service = opts.unitIndexService;

  app.get(
    '/index/units',
    {
      onRequest: requireRoles('city_admin', 'district_admin'),
      schema: { summary: '单位报到成效排名', tags, security, querystring: UnitBoardQuerySchema, response: { 200: RankingSchema } },
    },
    async (request) =>
      service.ranking(request.query.period, rankedDistrict(principalOf(request), request.query.districtId), {
        limit: request.query.limit,
        offset: request.query.offset,
      }),
  );

  app.get(
    '/index/units/:id',
    {
      onRequest: requireRoles('city_admin', 'district_admin', 'unit_admin', 'unit_liaison'),
      schema: {
        summary: '单位报到成效：逐项说明',
        tags,
        security,
        errors: ['NOT_FOUND'],
        params: IdParamsSchema,
        querystring: UnitIndexOrgQuerySchema,
        response: { 200: OrgIndexSchema },
      },
    },
    async (request) => service.explain(principalOf(request), request.params.id, request.query.period),
  );

  app.get(
    '/exports/unit-index.xlsx',
    {
      onRequest: requireRoles('city_admin', 'district_admin'),
      schema: { summary: '导出单位报到成效（XLSX）', tags: ['exports', ...tags], security, querystring: UnitIndexQuerySchema },
    },
    async (request, reply) => {
      const ranking = await service.ranking(request.query.period, rankedDistrict(principalOf(request), request.query.districtId));
      reply
        .type(XLSX_TYPE)
        .header('content-disposition', attachment('unit-index.xlsx', `单位报到成效_${ranking.period}.xlsx`))
        .header('cache-control', 'no-store');
      return reply.send(
        opts.exportsService.index(ranking, service.indicators(), (err) => request.log.error({ err }, 'export failed while streaming'), {
          sheet: '单位报到成效',
          noun: '个单位',
        }),
      );
    },
  );
};
