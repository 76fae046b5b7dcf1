import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A function without a screen does not exist for its users: every route the server registers is
 * called somewhere in the client (its services, or a page's download link), or is listed here with
 * the reason the app has no call of its own. A new route without a screen fails this test until it
 * gets one. Matching is by path (`:param` and `${…}` match one segment), not by method: PATCH
 * routes have POST twins the mini-program can send.
 */
const NOT_CALLED_BY_THE_APP: Record<string, string> = {
  'GET /': 'the H5 app itself',
  'GET /favicon.ico': 'the browser asks for it',
  'GET /health': 'operations: load balancers and probes',
  'GET /metrics': 'operations: Prometheus',
  'GET /live': 'the WebSocket, opened from services/config.ts by its full URL',
  'GET /c/:code': 'a scanned 先锋码 opens it in a browser or WeChat',
  'GET /r/:code': 'a scanned community register QR opens it',
  'GET /m/:token': 'a scanned meeting check-in QR opens it',
  'GET /v/:no': 'a certificate’s QR opens its verification page',
  'GET /certificates/:no/verify': 'for anyone verifying a certificate (the /v page shows the same)',
  'GET /certificates/keys': 'the public keys, for verifiers checking a certificate offline',
  'GET /calendar/:file': 'the member’s calendar app subscribes to it (the app hands out its address)',
};

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p, ext);
    return ext.test(e.name) ? [p] : [];
  });
}

const ROOT = path.resolve(__dirname, '../..');
/** Stands for one variable segment while the rest is escaped (a private-use character no path holds). */
const ANY = '\uE000';
const segmentPattern = (p: string) =>
  new RegExp(
    `^${p
      .replace(/\$\{[^}]+\}|:\w+/g, ANY)
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replaceAll(ANY, '[^/]+')}$`,
  );

/** Whether a path the client builds (`/agreements/${id}/${action}`) reaches a route (`/agreements/:id/accept`). */
const concrete = (p: string) => p.replace(/\$\{[^}]+\}|:\w+/g, 'x');
const calls = (client: string, route: string) =>
  segmentPattern(route).test(concrete(client)) || segmentPattern(client).test(concrete(route));

function serverRoutes(): Array<{ key: string; path: string }> {
  const found = new Map<string, string>();
  for (const file of files(path.join(ROOT, 'server/src'), /\.ts$/)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:app|api|instance|scope)\.(get|post|put|patch|delete)(?:<[^(]*?>)?\(\s*['`]([^'`]+)['`]/g)) {
      found.set(`${m[1].toUpperCase()} ${m[2]}`, m[2]);
    }
  }
  return [...found].map(([key, p]) => ({ key, path: p }));
}

function clientPaths(): string[] {
  const paths = new Set<string>();
  for (const file of files(path.join(ROOT, 'client/src'), /\.tsx?$/)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/'(\/[a-z][^'\s]*)'|`(\/[a-z][^`]*)`/g)) paths.add((m[1] ?? m[2]).split('?')[0]);
  }
  return [...paths];
}

describe('routes and screens', () => {
  const routes = serverRoutes();
  const called = clientPaths();

  it('reads the server’s routes (a sanity check on the parsing)', () => {
    expect(routes.length).toBeGreaterThan(100);
    expect(routes.map((r) => r.key)).toEqual(expect.arrayContaining(['POST /tasks/:id/claims', 'GET /auth/me', 'POST /auth/logout']));
  });

  it('has the client call every route, or says why the app does not', () => {
    const uncalled = routes
      .filter((r) => !(r.key in NOT_CALLED_BY_THE_APP))
      .filter((r) => !called.some((c) => calls(c, r.path)))
      // A PATCH has its POST twin `…/edit` for the mini-program.
      .filter((r) => !(r.key.startsWith('PATCH ') && called.some((c) => calls(c, `${r.path}/edit`))))
      .map((r) => r.key);
    expect(uncalled).toEqual([]);
  });

  it('lists no exception that is not a route any more', () => {
    const keys = new Set(routes.map((r) => r.key));
    expect(Object.keys(NOT_CALLED_BY_THE_APP).filter((k) => !keys.has(k))).toEqual([]);
  });
});
