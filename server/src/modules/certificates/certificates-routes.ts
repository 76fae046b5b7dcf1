import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CertificateCreateBodySchema,
  CertificateKeysSchema,
  CertificateListSchema,
  CertificateNoParamsSchema,
  CertificateResponseSchema,
  CertificateSettingsBodySchema,
  CertificateSettingsResponseSchema,
  CertificateVerificationSchema,
  formatMinutes,
  IdParamsSchema,
} from '@pioneer/shared';
import { forbidden } from '../../lib/errors';
import { NOT_FOUND_PAGE } from '../../lib/not-found-page';
import { isSecretaryOf } from '../../lib/scope';
import { principalOf, requireAuth, requireMember, requireRoles, scopeGuard } from '../../plugins/auth';
import { verifyCertificate } from './certificate-signing';
import type { CertificatesService } from './certificates-service';

const tags = ['certificates'];
const security = [{ bearer: [] }];
/** A base64 seal of 200 KB is ~274 KB of JSON: above the app's 256 KB default, within this. */
const SETTINGS_BODY_LIMIT = 400 * 1024;

export const certificatesRoutes: FastifyPluginAsyncZod<{
  certificatesService: CertificatesService;
  community(id: string): Promise<{ id: string }>;
}> = async (app, opts) => {
  const service = opts.certificatesService;
  const ownCommunity = scopeGuard(
    async (request, p) => {
      const org = await opts.community((request.params as { id: string }).id);
      if (!isSecretaryOf(p, org.id)) throw forbidden('只有本社区书记可以设置证明');
      return org;
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );

  app.post(
    '/members/me/certificates',
    {
      onRequest: requireMember,
      schema: {
        summary: '申请志愿服务记录证明',
        errors: ['CONFLICT', 'NOT_FOUND'],
        tags,
        security,
        body: CertificateCreateBodySchema,
        response: { 201: CertificateResponseSchema },
      },
    },
    async (request, reply) => reply.code(201).send({ certificate: await service.issue(principalOf(request), request.body) }),
  );

  app.get(
    '/members/me/certificates',
    { onRequest: requireMember, schema: { summary: '我的证明', tags, security, response: { 200: CertificateListSchema } } },
    async (request) => ({ items: await service.mine(principalOf(request)) }),
  );

  app.get(
    '/certificates/keys',
    { schema: { summary: '证明签名公钥（含已轮换的）', tags, response: { 200: CertificateKeysSchema } } },
    async () => ({ keys: await service.keys() }),
  );

  app.get(
    '/certificates/:no/verify',
    {
      schema: {
        summary: '核验证明（公开）',
        errors: ['NOT_FOUND'],
        tags,
        params: CertificateNoParamsSchema,
        response: { 200: CertificateVerificationSchema },
      },
    },
    async (request) => service.verify(request.params.no),
  );

  app.get(
    '/certificates/:no/pdf',
    {
      onRequest: requireAuth,
      schema: {
        summary: '下载证明 PDF（本人或出具社区）',
        errors: ['NOT_FOUND'],
        tags,
        security,
        params: CertificateNoParamsSchema,
        produces: ['application/pdf'],
      },
    },
    async (request, reply) => {
      const { no, pdf } = await service.pdf(principalOf(request), request.params.no);
      return reply
        .header('content-type', 'application/pdf')
        .header('cache-control', 'private, no-store')
        .header(
          'content-disposition',
          `attachment; filename="${no}.pdf"; filename*=UTF-8''${encodeURIComponent(`志愿服务记录证明_${no}.pdf`)}`,
        )
        .send(pdf);
    },
  );

  app.get(
    '/party-orgs/:id/certificate-settings',
    {
      onRequest: requireRoles('secretary'),
      preHandler: ownCommunity.preHandler,
      schema: {
        summary: '证明设置（负责人、经办人、印章）',
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: CertificateSettingsResponseSchema },
      },
    },
    async (request) => ({ settings: await service.settings(request.params.id) }),
  );

  app.put(
    '/party-orgs/:id/certificate-settings',
    {
      bodyLimit: SETTINGS_BODY_LIMIT,
      onRequest: requireRoles('secretary'),
      preHandler: ownCommunity.preHandler,
      schema: {
        summary: '设置证明的负责人、经办人与印章（PNG，≤200 KB）',
        tags,
        security,
        params: IdParamsSchema,
        body: CertificateSettingsBodySchema,
        response: { 200: CertificateSettingsResponseSchema },
      },
    },
    async (request) => ({ settings: await service.putSettings(principalOf(request), request.params.id, request.body) }),
  );
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `/v/<no>`: the page a scanned certificate QR opens — the certificate (name masked) and whether it holds. */
export const certificatePageRoutes: FastifyPluginAsyncZod<{ certificatesService: CertificatesService }> = async (app, opts) => {
  app.get('/v/:no', { schema: { hide: true, params: z.object({ no: z.string().max(40) }) } }, async (request, reply) => {
    const parsed = CertificateNoParamsSchema.safeParse(request.params);
    const answer = parsed.success ? await opts.certificatesService.verify(parsed.data.no).catch(() => null) : null;
    if (!answer) return reply.code(404).type('text/html; charset=utf-8').send(NOT_FOUND_PAGE);
    const check = verifyCertificate(answer, await opts.certificatesService.keys());
    const p = JSON.parse(answer.payload) as {
      memberName: string;
      from: string;
      to: string;
      totalMinutes: number;
      items: Array<{ date: string; title: string; minutes: number }>;
      issuer: { name: string; leader: string; handler: string };
      issuedAt: string;
    };
    const verdict = check.holds
      ? '<p class="ok">✓ 证明有效，签名核验通过</p>'
      : answer.status === 'revoked'
        ? `<p class="bad">✗ 本证明已作废${answer.reason === 'records_amended' ? '（服务记录已更正）' : ''}</p>`
        : '<p class="bad">✗ 签名核验未通过</p>';
    const rows = p.items
      .map((i) => `<tr><td>${escapeHtml(i.date)}</td><td>${escapeHtml(i.title)}</td><td>${escapeHtml(formatMinutes(i.minutes))}</td></tr>`)
      .join('');
    const html = `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>志愿服务记录证明 ${escapeHtml(answer.no)}</title>
<style>body{margin:0;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;background:#f5f5f7;color:#1f1f1f}
.box{margin:24px auto;max-width:560px;padding:24px;background:#fff;border-radius:12px}h1{font-size:20px;margin:0 0 4px}
.ok{color:#1a7f37;font-weight:600}.bad{color:#c8161d;font-weight:600}table{width:100%;border-collapse:collapse;font-size:14px}
td{padding:6px 4px;border-bottom:1px solid #eee}.muted{color:#8c8c8c;font-size:13px}</style></head><body><div class="box">
<h1>志愿服务记录证明</h1><p class="muted">编号 ${escapeHtml(answer.no)}</p>${verdict}
<p>${escapeHtml(p.memberName)}，${escapeHtml(p.from)} 至 ${escapeHtml(p.to)}，累计 ${escapeHtml(formatMinutes(p.totalMinutes))}</p>
<table>${rows}</table>
<p class="muted">出具单位：${escapeHtml(p.issuer.name)} · 负责人：${escapeHtml(p.issuer.leader)} · 经办人：${escapeHtml(p.issuer.handler)}<br>出具时间：${escapeHtml(p.issuedAt)}</p>
</div></body></html>`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
};
