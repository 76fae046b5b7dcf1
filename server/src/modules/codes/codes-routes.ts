import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../lib/errors';
import { PIONEER_CODE_PATTERN } from './pioneer-code';

/** The H5 page a scanned 先锋码 link opens: the verify page for staff, a friendly note for anyone else. */
const scannedCodePagePath = (code: string) => `/#/pages/scanned/index?code=${encodeURIComponent(code)}`;

/**
 * Top level `/c/:code`, the link inside the 先锋码 QR, so that WeChat's own 扫一扫 (or any phone
 * camera) opens the app. The code is checked only for its shape here: verifying it is the staff's
 * call, and the page says so to everyone else. The request serializer in app.ts keeps the code
 * out of the logs.
 */
export const scannedCodeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/c/:code', { schema: { hide: true, params: z.object({ code: z.string() }) } }, async (request, reply) => {
    const { code } = request.params;
    if (!PIONEER_CODE_PATTERN.test(code)) throw notFound('先锋码无效');
    return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').redirect(scannedCodePagePath(code), 302);
  });
};
