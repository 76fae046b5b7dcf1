import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ExportScopeQuerySchema,
  IndexExportQuerySchema,
  RecordsExportQuerySchema,
  UnitReportQuerySchema,
  type IndexExportQuery,
  type Ranking,
  type UnitReportQuery,
} from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { isCityAdmin } from '../../lib/scope';
import { principalOf, requireRoles, scopeGuard } from '../../plugins/auth';
import { rankedDistrict } from '../assessment/ranking-scope';
import { attachment, XLSX_TYPE } from '../../lib/attachment';
import type { AssessmentService } from '../assessment/assessment-service';
import { statsScopeGuard } from '../stats/stats-scope';
import type { StatsService } from '../stats/stats-service';
import type { ExportsService } from './exports-service';

const STAFF = ['secretary', 'district_admin', 'unit_admin', 'city_admin'] as const;

/** XLSX exports, scoped as statistics are: whoever may see a scope's figures may export its rows. */
export const exportsRoutes: FastifyPluginAsyncZod<{
  exportsService: ExportsService;
  statsService: Pick<StatsService, 'locate'>;
  assessmentService: Pick<AssessmentService, 'ranking' | 'indicators'>;
}> = async (app, opts) => {
  const service = opts.exportsService;
  const scoped = statsScopeGuard(opts.statsService);
  const unitScoped = statsScopeGuard(opts.statsService, (request) => ({ scope: 'unit', id: (request.query as UnitReportQuery).unitOrgId }));
  // Scoped as the ranking is, and only city admins export the whole city.
  const indexScoped = scopeGuard(
    async (request, p) => {
      const q = request.query as IndexExportQuery;
      if (q.scope === 'city' && !isCityAdmin(p)) throw forbidden('只能导出本板块的先锋指数');
      return rankedDistrict(p, q.id ?? q.districtId);
    },
    ['FORBIDDEN'],
  );
  const logFailure = (request: { log: { error(o: object, m: string): void } }) => (err: unknown) =>
    request.log.error({ err }, 'export failed while streaming');

  app.get(
    '/exports/members.xlsx',
    {
      onRequest: requireRoles(...STAFF),
      preHandler: scoped.preHandler,
      schema: { tags: ['exports'], querystring: ExportScopeQuerySchema },
    },
    async (request, reply) => {
      const scope = scoped.of(request);
      reply.type(XLSX_TYPE).header('content-disposition', attachment('members.xlsx', '党员名册.xlsx')).header('cache-control', 'no-store');
      return reply.send(service.members(scope, principalOf(request).userId, logFailure(request)));
    },
  );

  app.get(
    '/exports/records.xlsx',
    {
      onRequest: requireRoles(...STAFF),
      preHandler: scoped.preHandler,
      schema: { tags: ['exports'], querystring: RecordsExportQuerySchema },
    },
    async (request, reply) => {
      const q = request.query;
      const scope = scoped.of(request);
      reply
        .type(XLSX_TYPE)
        .header('content-disposition', attachment('records.xlsx', `服务记录_${q.from}_${q.to}.xlsx`))
        .header('cache-control', 'no-store');
      return reply.send(service.records(scope, q.from, q.to, logFailure(request)));
    },
  );

  app.get(
    '/exports/unit-report.xlsx',
    {
      onRequest: requireRoles('unit_admin', 'district_admin', 'city_admin'),
      preHandler: unitScoped.preHandler,
      schema: { tags: ['exports'], querystring: UnitReportQuerySchema },
    },
    async (request, reply) => {
      const q = request.query;
      const { stream, unitName } = await service.unitReport(q.unitOrgId, q.month, logFailure(request));
      reply
        .type(XLSX_TYPE)
        .header('content-disposition', attachment('unit-report.xlsx', `反馈单位_${unitName}_${q.month}.xlsx`))
        .header('cache-control', 'no-store');
      return reply.send(stream);
    },
  );

  // Every row is the ranking's answer.
  app.get(
    '/exports/index.xlsx',
    {
      onRequest: requireRoles('city_admin', 'district_admin'),
      preHandler: indexScoped.preHandler,
      schema: { tags: ['exports'], querystring: IndexExportQuerySchema },
    },
    async (request, reply) => {
      const q = request.query;
      const districtId = indexScoped.of(request);
      const ranking = await wholeRanking((offset, limit) =>
        opts.assessmentService.ranking(districtId, { period: q.period, districtId, offset, limit }),
      );
      const { items: indicators } = await opts.assessmentService.indicators();
      reply
        .type(XLSX_TYPE)
        .header('content-disposition', attachment('index.xlsx', `先锋指数_${ranking.period}.xlsx`))
        .header('cache-control', 'no-store');
      return reply.send(service.index(ranking, indicators, logFailure(request)));
    },
  );
};

/** Every entry of a ranking, asked a page at a time as the ranking route pages it. */
async function wholeRanking(page: (offset: number, limit: number) => Promise<Ranking>): Promise<Ranking> {
  const PAGE = 5000;
  const first = await page(0, PAGE);
  const items = [...first.items];
  while (items.length < first.total) {
    const next = await page(items.length, PAGE);
    if (next.items.length === 0) break;
    items.push(...next.items);
  }
  return { ...first, items };
}
