import fc from 'fast-check';
import { makeWorld } from '../helpers/fixtures';
import { memberBody } from '../helpers/member-fixtures';
import { insertMembers, makeSecretary, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * Hostile input never gets a 5xx: NUL bytes and lone surrogates anywhere, cursors JavaScript
 * accepts and PostgreSQL refuses, and a property-based sweep of every route's params, query and body.
 */

jest.setTimeout(120_000);

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let member: { authorization: string };
let admin: { authorization: string };
let taskId: string;

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  secretary = (await makeSecretary(ctx, world.community.id, 'hostile-sec')).auth;
  const a = await ctx.signIn('hostile-admin');
  await ctx.grant(a.userId, 'city_admin', null);
  admin = a.auth;
  member = (await insertMembers(ctx, world, 1, 'hostile'))[0].auth;
  taskId = (await publishTask(ctx, secretary, world.community.id)).id;
});

afterAll(async () => {
  await ctx?.close();
});

const NUL = 'a\u0000b';
const LONE = 'x\ud800y';

function expectValidation(res: { statusCode: number; json(): any }) {
  expect(res.statusCode).toBe(400);
  expect(res.json().code).toBe('VALIDATION_FAILED');
}

describe('NUL bytes and lone surrogates are refused with 400 wherever a string goes in', () => {
  test.each([
    ['a post title', NUL],
    ['a post title', LONE],
  ])('POST /tasks with %s holding %j', async (_what, bad) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: secretary,
      payload: {
        communityOrgId: world.community.id,
        title: bad,
        category: 'convenience',
        location: '社区',
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        endsAt: new Date(Date.now() + 90_000_000).toISOString(),
        capacity: 3,
      },
    });
    expectValidation(res);
  });

  test.each([NUL, LONE])('PUT /members/me with a name holding %j', async (bad) => {
    const user = await ctx.signIn(`hostile-reg-${bad.length}-${bad.charCodeAt(1)}`);
    const res = await ctx.app.inject({
      method: 'PUT',
      url: '/api/v1/members/me',
      headers: user.auth,
      payload: memberBody(world, { name: `张${bad}` }),
    });
    expectValidation(res);
  });

  test.each([NUL, LONE])('a party-org name and an estate name holding %j', async (bad) => {
    const org = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/party-orgs',
      headers: admin,
      payload: { kind: 'unit', name: `单位${bad}`, districtId: world.district.id },
    });
    expectValidation(org);
    const estate = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/party-orgs/${world.community.id}/estates`,
      headers: admin,
      payload: { name: `小区${bad}` },
    });
    expectValidation(estate);
  });

  test('a search and a cursor holding a NUL', async () => {
    expectValidation(await ctx.app.inject({ method: 'GET', url: '/api/v1/party-orgs?q=%00' }));
    const cursor = Buffer.from(JSON.stringify(['a\u0000', world.community.id])).toString('base64url');
    expectValidation(await ctx.app.inject({ method: 'GET', url: `/api/v1/party-orgs?cursor=${cursor}` }));
    expectValidation(await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?cursor=%00', headers: member }));
  });

  test.each(['0', '2020-02-30', '2020-02-30T00:00:00.000Z', '1e21', ''])('a task-list cursor whose time is %j', async (s) => {
    const cursor = Buffer.from(JSON.stringify({ r: 1, s, i: taskId })).toString('base64url');
    expectValidation(await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks?cursor=${cursor}`, headers: member }));
  });

  test('a cursor the server wrote still pages', async () => {
    await publishTask(ctx, secretary, world.community.id);
    const first = await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?limit=1', headers: member });
    expect(first.statusCode).toBe(200);
    const next = first.json().nextCursor;
    expect(typeof next).toBe('string');
    const second = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks?limit=1&cursor=${next}`, headers: member });
    expect(second.statusCode).toBe(200);
  });
});

/** Contract v3: every date, time, month, period and cursor position lies within 2000–2100, else 400. */
describe('years 0000, 9999 and 10000 are refused with 400, never a 5xx', () => {
  const YEARS = ['0000', '9999', '+010000'];
  const instant = (y: string) => `${y}-06-01T00:00:00.000Z`;
  const cursorOf = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  test.each(YEARS)('a post starting or ending in year %s', async (y) => {
    const base = {
      communityOrgId: world.community.id,
      title: '年份',
      category: 'convenience',
      location: '社区',
      startsAt: new Date(Date.now() + 86_400_000).toISOString(),
      endsAt: new Date(Date.now() + 90_000_000).toISOString(),
      capacity: 3,
    };
    for (const patch of [{ startsAt: instant(y) }, { endsAt: instant(y) }, { claimOpensAt: instant(y) }]) {
      expectValidation(await ctx.app.inject({ method: 'POST', url: '/api/v1/tasks', headers: secretary, payload: { ...base, ...patch } }));
    }
    // The same instant written with an offset, and as a bare day.
    expectValidation(
      await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/tasks',
        headers: secretary,
        payload: { ...base, startsAt: `${y}-06-01T08:00:00+08:00` },
      }),
    );
  });

  test.each(YEARS)('cursors whose position is in year %s', async (y) => {
    const t = instant(y);
    const cases: Array<[string, Record<string, string>]> = [
      [`/api/v1/tasks?cursor=${cursorOf({ r: 1, s: t, i: taskId })}`, member],
      [`/api/v1/demands/mine?cursor=${cursorOf({ c: t, i: taskId })}`, member],
      [`/api/v1/me/messages?cursor=${cursorOf({ c: t, i: taskId })}`, member],
      [`/api/v1/whistles?cursor=${cursorOf({ c: t, i: taskId })}`, secretary],
    ];
    for (const [url, headers] of cases) expectValidation(await ctx.app.inject({ method: 'GET', url, headers }));
  });

  test.each(['0000', '1999', '9999', '10000'])('months and periods of year %s', async (y) => {
    const cases = [
      `/api/v1/index/ranking?period=${y}-01`,
      `/api/v1/index/orgs/${world.community.id}?period=${y}-12`,
      `/api/v1/exports/unit-report.xlsx?unitOrgId=${world.unitOrg.id}&month=${y}-05`,
      `/api/v1/exports/records.xlsx?from=${y}-01-01&to=2026-01-01`,
      `/api/v1/exports/records.xlsx?from=2026-01-01&to=${y}-01-01T00:00:00Z`,
    ];
    for (const url of cases) expectValidation(await ctx.app.inject({ method: 'GET', url, headers: admin }));
  });

  test('the edges of the range are taken', async () => {
    for (const url of ['/api/v1/index/ranking?period=2000-01', '/api/v1/index/ranking?period=2100-12']) {
      expect((await ctx.app.inject({ method: 'GET', url, headers: admin })).statusCode).toBe(200);
    }
  });
});

interface RouteSpec {
  method: string;
  path: string;
  params: string[];
  query: string[];
  body: string[];
}

/** Every route of the API as its own OpenAPI document lists it. */
function routesOf(doc: any): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const [path, ops] of Object.entries<any>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<any>(ops)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      if (path.includes('/live')) continue;
      const params = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      const query = (op.parameters ?? []).filter((p: any) => p.in === 'query').map((p: any) => p.name);
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const body = schema?.properties ? Object.keys(schema.properties) : [];
      out.push({ method: method.toUpperCase(), path, params, query, body });
    }
  }
  return out;
}

const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '0', '2020-02-30', '-1', '1e308', 'NaN', "' or 1=1 --", '%00', '../../etc/passwd', ''),
  // Years JavaScript and zod take and PostgreSQL refuses (or the contract does).
  fc.constantFrom(
    '0000-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59Z',
    '+010000-01-01T00:00:00.000Z',
    '0000-01',
    '9999-12',
    '10000-01',
    '0000-01-01',
  ),
  fc
    .constantFrom('0000-01-01T00:00:00.000Z', '9999-12-31T00:00:00.000Z', '+010000-01-01T00:00:00.000Z')
    .map((c) => Buffer.from(JSON.stringify({ c, i: '00000000-0000-4000-8000-000000000000', r: 1, s: c })).toString('base64url')),
  fc.uuid(),
);
const value = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(nasty, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), nasty, { maxKeys: 3 }),
);

test('property-based sweep: no route answers 5xx to any params, query or body, from any caller', async () => {
  const doc = ctx.app.swagger() as any;
  const routes = routesOf(doc);
  expect(routes.length).toBeGreaterThan(15);
  const callers = [undefined, member, secretary, admin];
  const realIds = [taskId, world.community.id, world.district.id, world.estate.id, world.unitOrg.id];

  for (const route of routes) {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          caller: fc.constantFrom(...callers),
          params: fc.array(fc.oneof(fc.constantFrom(...realIds), nasty), {
            minLength: route.params.length,
            maxLength: route.params.length,
          }),
          query: fc.dictionary(fc.constantFrom(...route.query, 'x'), nasty, { maxKeys: 3 }),
          body: fc.oneof(fc.record(Object.fromEntries(route.body.map((k) => [k, value])), { requiredKeys: [] }), value, fc.json()),
        }),
        async ({ caller, params, query, body }) => {
          let url = route.path;
          route.params.forEach((name, i) => {
            // A lone surrogate has no UTF-8 form: written as U+FFFD, as URLSearchParams does for the query.
            url = url.replace(
              `{${name}}`,
              encodeURIComponent(params[i].replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')),
            );
          });
          const qs = new URLSearchParams(query as Record<string, string>).toString();
          const res = await ctx.app.inject({
            method: route.method as 'GET',
            url: `${url}${qs ? `?${qs}` : ''}`,
            headers: {
              ...(caller ?? {}),
              ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
            },
            ...(route.method === 'GET' || route.method === 'DELETE'
              ? {}
              : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
          });
          if (res.statusCode >= 500) throw new Error(`${route.method} ${url}?${qs} -> ${res.statusCode} ${res.body}`);
        },
      ),
      { numRuns: 25, seed: 20261201 },
    );
  }
});

describe('a stored phone number that cannot be decrypted', () => {
  test('GET /members/me answers 200: a fixture member with its number, a member whose ciphertext was damaged with the masked one', async () => {
    const [m] = await insertMembers(ctx, world, 1, 'hostile-phone');
    const mine = () => ctx.app.inject({ method: 'GET', url: '/api/v1/members/me', headers: m.auth });
    const clear = await mine();
    expect(clear.statusCode).toBe(200);
    expect(clear.json().member.phone).toMatch(/^139\d{8}$/);
    await ctx.database.pool.query(`update members set phone_cipher = 'damaged' where id = $1::uuid`, [m.memberId]);
    const damaged = await mine();
    expect(damaged.statusCode).toBe(200);
    expect(damaged.json().member.phone).toBe(`${clear.json().member.phone.slice(0, 3)}****${clear.json().member.phone.slice(-4)}`);
  });
});
