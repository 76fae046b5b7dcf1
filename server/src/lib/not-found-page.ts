import type { FastifyRequest } from 'fastify';

/** A browser (not an API client) asking for a page: a person typed or scanned a link. */
export function wantsPage(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (request.url.startsWith('/api/')) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

/** What such a person sees for an unknown path or a malformed link, instead of a JSON error body. */
export const NOT_FOUND_PAGE = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>页面不存在 · 先锋领航·码上到</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 64 64'%3E%3Crect width='64' height='64' rx='14' fill='%23c8161d'/%3E%3Cpath d='M32 12l5.9 12 13.1 1.9-9.5 9.3 2.2 13.1L32 42.1l-11.7 6.2 2.2-13.1-9.5-9.3 13.1-1.9z' fill='%23ffd54a'/%3E%3C/svg%3E">
<style>body{margin:0;font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;background:#f5f5f7;color:#1f1f1f;text-align:center}
.box{margin:20vh auto 0;max-width:320px;padding:32px 24px;background:#fff;border-radius:12px}
h1{font-size:20px;margin:0 0 8px}p{color:#8c8c8c;font-size:14px;margin:0 0 24px}
a{display:inline-block;padding:10px 28px;border-radius:22px;background:#c8161d;color:#fff;text-decoration:none}</style>
</head><body><div class="box"><h1>页面不存在</h1><p>链接可能已失效或输入有误</p><a href="/">返回首页</a></div></body></html>
`;
