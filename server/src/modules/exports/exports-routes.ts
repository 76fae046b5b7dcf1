import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ExportScopeQuerySchema, RecordsExportQuerySchema, UnitReportQuerySchema } from '@pioneer/shared';
import { principalOf, requireRoles } from '../../plugins/auth';
import { attachment, XLSX_TYPE } from '../imports/imports-routes';
import type { StatsService } from '../stats/stats-service';
import type { ExportsService } from './exports-service';

const STAFF = ['secretary', 'district_admin', 'unit_admin', 'city_admin'] as const;

/** XLSX exports, scoped as statistics are: whoever may see a scope's figures may export its rows. */
export const exportsRoutes: FastifyPluginAsyncZod<{ exportsService: ExportsService; statsService: Pick<StatsService, 'authorize'> }> = async (
  app,
  opts,
) => {
  const service = opts.exportsService;
  const logFailure = (request: { log: { error(o: object, m: string): void } }) => (err: unknown) =>
    request.log.error({ err }, 'export failed while streaming');

  app.get(
    '/exports/members.xlsx',
    { onRequest: requireRoles(...STAFF), schema: { tags: ['exports'], querystring: ExportScopeQuerySchema } },
    async (request, reply) => {
      const scope = await opts.statsService.authorize(principalOf(request), request.query);
      reply.type(XLSX_TYPE).header('content-disposition', attachment('members.xlsx', '党员名册.xlsx')).header('cache-control', 'no-store');
      return reply.send(service.members(scope, logFailure(request)));
    },
  );

  app.get(
    '/exports/records.xlsx',
    { onRequest: requireRoles(...STAFF), schema: { tags: ['exports'], querystring: RecordsExportQuerySchema } },
    async (request, reply) => {
      const q = request.query;
      const scope = await opts.statsService.authorize(principalOf(request), q);
      reply.type(XLSX_TYPE).header('content-disposition', attachment('records.xlsx', `服务记录_${q.from}_${q.to}.xlsx`)).header('cache-control', 'no-store');
      return reply.send(service.records(scope, q.from, q.to, logFailure(request)));
    },
  );

  app.get(
    '/exports/unit-report.xlsx',
    { onRequest: requireRoles('unit_admin', 'district_admin', 'city_admin'), schema: { tags: ['exports'], querystring: UnitReportQuerySchema } },
    async (request, reply) => {
      const q = request.query;
      await opts.statsService.authorize(principalOf(request), { scope: 'unit', id: q.unitOrgId });
      const { stream, unitName } = await service.unitReport(q.unitOrgId, q.month, logFailure(request));
      reply.type(XLSX_TYPE).header('content-disposition', attachment('unit-report.xlsx', `反馈单位_${unitName}_${q.month}.xlsx`)).header('cache-control', 'no-store');
      return reply.send(stream);
    },
  );
};
