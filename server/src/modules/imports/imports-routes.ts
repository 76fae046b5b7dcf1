import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DirectoryImportHistorySchema, DirectoryImportResultSchema, ImportDryRunQuerySchema } from '@pioneer/shared';
import { principalOf, requireRoles } from '../../plugins/auth';
import type { ImportsService } from './imports-service';
import { attachment, XLSX_TYPE } from '../../lib/attachment';
import { readUpload } from '../../lib/upload';
import type { Limit } from '../../plugins/rate-limit';

export const importsRoutes: FastifyPluginAsyncZod<{ importsService: ImportsService; importLimit: Limit }> = async (app, opts) => {
  const service = opts.importsService;

  app.post(
    '/imports/directory',
    {
      onRequest: requireRoles('city_admin'),
      schema: {
        errors: ['IMPORT_INVALID', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED'],
        tags: ['imports'],
        consumes: ['multipart/form-data'],
        querystring: ImportDryRunQuerySchema,
        response: { 200: DirectoryImportResultSchema },
      },
    },
    async (request) => {
      await opts.importLimit.hit(principalOf(request).userId);
      const file = await readUpload(request);
      return service.importDirectory(principalOf(request).userId, file, request.query.dryRun);
    },
  );

  app.get(
    '/imports/directory/history',
    { onRequest: requireRoles('city_admin'), schema: { tags: ['imports'], response: { 200: DirectoryImportHistorySchema } } },
    async () => service.directoryImportHistory(),
  );

  app.get(
    '/imports/directory/template.xlsx',
    { onRequest: requireRoles('city_admin', 'district_admin'), schema: { tags: ['imports'] } },
    async (_request, reply) =>
      reply
        .type(XLSX_TYPE)
        .header('content-disposition', attachment('directory-template.xlsx', '目录导入模板.xlsx'))
        .send(await service.directoryTemplate()),
  );

  app.get(
    '/imports/households/template.xlsx',
    { onRequest: requireRoles('secretary', 'district_admin', 'city_admin'), schema: { tags: ['imports'] } },
    async (_request, reply) =>
      reply
        .type(XLSX_TYPE)
        .header('content-disposition', attachment('households-template.xlsx', '业主信息导入模板.xlsx'))
        .send(await service.householdTemplate()),
  );
};
