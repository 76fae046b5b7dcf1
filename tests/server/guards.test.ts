import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * Contract v2: role checks come before body validation. A caller without the role gets 401/403 for
 * a malformed body, never a 400 that teaches it the body's rules; a caller with the role gets the 400.
 */
let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let taskId: string;
const auth: Record<'plain' | 'member' | 'secretary' | 'district' | 'city' | 'unit', { authorization: string }> = {} as never;
// Ids that exist nowhere: the guard answers before anything is looked up.
const SOME_ID = '5b0f7c1e-3d52-4c8e-9a61-2f4b8d7e9c10';
const OTHER_ID = '8e2d4a6b-1c3f-4e5a-9b7d-0f1e2d3c4b5a';

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  auth.plain = (await ctx.signIn('g_plain')).auth;
  auth.member = (await registerMember(ctx, 'g_member', world)).auth;
  const sec = await ctx.signIn('g_secretary');
  await ctx.grant(sec.userId, 'secretary', world.community.id);
  auth.secretary = sec.auth;
  const district = await ctx.signIn('g_district');
  await ctx.grant(district.userId, 'district_admin', world.district.id);
  auth.district = district.auth;
  const city = await ctx.signIn('g_city');
  await ctx.grant(city.userId, 'city_admin', null);
  auth.city = city.auth;
  const unit = await ctx.signIn('g_unit');
  await ctx.grant(unit.userId, 'unit_admin', world.unitOrg.id);
  auth.unit = unit.auth;
  taskId = (await publishTask(ctx, sec.auth, world.community.id)).id;
});
afterAll(async () => ctx.close());

type Who = keyof typeof auth;
interface BodyRoute {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As the OpenAPI document names it. */
  path: string;
  url: () => string;
  /** Signed-in callers refused before validation, and one caller whose malformed body is validated. */
  refused: Who[];
  allowed: Who;
}

const MALFORMED = [{ nonsense: true }, { name: 42, code: ['x'], token: null, kind: 'planet', note: 42, reason: 42, dueAt: 'soon' }];

const ROUTES: BodyRoute[] = [
  {
    method: 'POST',
    path: '/api/v1/party-orgs',
    url: () => '/api/v1/party-orgs',
    refused: ['plain', 'member', 'secretary'],
    allowed: 'district',
  },
  {
    method: 'POST',
    path: '/api/v1/party-orgs/{id}/estates',
    url: () => `/api/v1/party-orgs/${world.community.id}/estates`,
    refused: ['plain', 'member'],
    allowed: 'secretary',
  },
  { method: 'POST', path: '/api/v1/invites', url: () => '/api/v1/invites', refused: ['plain', 'member', 'secretary'], allowed: 'city' },
  { method: 'POST', path: '/api/v1/invites/accept', url: () => '/api/v1/invites/accept', refused: [], allowed: 'plain' },
  { method: 'PUT', path: '/api/v1/members/me', url: () => '/api/v1/members/me', refused: [], allowed: 'plain' },
  {
    method: 'POST',
    path: '/api/v1/pioneer-codes/verify',
    url: () => '/api/v1/pioneer-codes/verify',
    refused: ['plain', 'member'],
    allowed: 'secretary',
  },
  {
    method: 'POST',
    path: '/api/v1/tasks',
    url: () => '/api/v1/tasks',
    refused: ['plain', 'member', 'district', 'city'],
    allowed: 'secretary',
  },
  {
    method: 'POST',
    path: '/api/v1/tasks/{id}/check-ins',
    url: () => `/api/v1/tasks/${taskId}/check-ins`,
    refused: ['plain', 'member', 'district'],
    allowed: 'secretary',
  },
  {
    method: 'POST',
    path: '/api/v1/tasks/{id}/check-outs',
    url: () => `/api/v1/tasks/${taskId}/check-outs`,
    refused: ['plain', 'member', 'district'],
    allowed: 'secretary',
  },
  {
    method: 'DELETE',
    path: '/api/v1/tasks/{id}/claims/{claimId}',
    url: () => `/api/v1/tasks/${taskId}/claims/${SOME_ID}`,
    refused: ['plain', 'member', 'district', 'city'],
    allowed: 'secretary',
  },
  {
    method: 'POST',
    path: '/api/v1/tasks/{id}/claims/{claimId}/excuse',
    url: () => `/api/v1/tasks/${taskId}/claims/${SOME_ID}/excuse`,
    refused: ['plain', 'member', 'district', 'city'],
    allowed: 'secretary',
  },
  { method: 'POST', path: '/api/v1/tasks/{id}/entries', url: () => `/api/v1/tasks/${taskId}/entries`, refused: [], allowed: 'member' },
  { method: 'POST', path: '/api/v1/members/me/phone-number', url: () => '/api/v1/members/me/phone-number', refused: [], allowed: 'plain' },
  {
    method: 'PUT',
    path: '/api/v1/index/indicators',
    url: () => '/api/v1/index/indicators',
    refused: ['plain', 'member', 'secretary', 'district'],
    allowed: 'city',
  },
  {
    method: 'PUT',
    path: '/api/v1/index/scores',
    url: () => '/api/v1/index/scores',
    refused: ['plain', 'member', 'secretary', 'city', 'unit'],
    allowed: 'district',
  },
  { method: 'POST', path: '/api/v1/demands', url: () => '/api/v1/demands', refused: [], allowed: 'plain' },
  {
    method: 'POST',
    path: '/api/v1/demands/{id}/triage',
    url: () => `/api/v1/demands/${SOME_ID}/triage`,
    refused: ['plain', 'member', 'unit', 'district', 'city'],
    allowed: 'secretary',
  },
  {
    method: 'POST',
    path: '/api/v1/whistles',
    url: () => '/api/v1/whistles',
    refused: ['plain', 'member', 'unit', 'city'],
    allowed: 'secretary',
  },
  ...(['answer', 'extend', 'return'] as const).map((action): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/whistles/{id}/assignments/{orgId}/${action}`,
    url: () => `/api/v1/whistles/${SOME_ID}/assignments/${OTHER_ID}/${action}`,
    refused: ['plain', 'member', 'secretary', 'district', 'city'],
    allowed: 'unit',
  })),
  ...(['verify', 'close', 'rate', 'reopen', 'readdress'] as const).map((action): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/whistles/{id}/${action}`,
    url: () => `/api/v1/whistles/${SOME_ID}/${action}`,
    refused: ['plain', 'member', 'unit'],
    allowed: 'secretary',
  })),
  ...(['approve', 'deny'] as const).map((action): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/whistles/{id}/extensions/{extId}/${action}`,
    url: () => `/api/v1/whistles/${SOME_ID}/extensions/${OTHER_ID}/${action}`,
    refused: ['plain', 'member', 'unit'],
    allowed: 'secretary',
  })),
  {
    method: 'PATCH',
    path: '/api/v1/tasks/{id}',
    url: () => `/api/v1/tasks/${taskId}`,
    refused: ['plain', 'member', 'district', 'city'],
    allowed: 'secretary',
  },
  {
    method: 'POST',
    path: '/api/v1/tasks/{id}/edit',
    url: () => `/api/v1/tasks/${taskId}/edit`,
    refused: ['plain', 'member', 'district', 'city'],
    allowed: 'secretary',
  },
  { method: 'POST', path: '/api/v1/me/subscriptions', url: () => '/api/v1/me/subscriptions', refused: [], allowed: 'plain' },
  { method: 'POST', path: '/api/v1/me/messages/read', url: () => '/api/v1/me/messages/read', refused: [], allowed: 'plain' },
  // A signed-in user who has not registered gets 403 NOT_REGISTERED (notifications.test.ts).
  // A signed-in user who has not registered gets 403 NOT_REGISTERED (data-rights.test.ts).
  { method: 'POST', path: '/api/v1/members/me/consent', url: () => '/api/v1/members/me/consent', refused: [], allowed: 'member' },
  {
    method: 'POST',
    path: '/api/v1/party-orgs/{id}/members/{memberId}/personal-data',
    url: () => `/api/v1/party-orgs/${world.community.id}/members/${SOME_ID}/personal-data`,
    refused: ['plain', 'member', 'unit'],
    allowed: 'secretary',
  },
  {
    method: 'POST',
    path: '/api/v1/party-orgs/{id}/demands/{demandId}/personal-data',
    url: () => `/api/v1/party-orgs/${world.community.id}/demands/${SOME_ID}/personal-data`,
    refused: ['plain', 'member', 'unit'],
    allowed: 'secretary',
  },
  { method: 'PUT', path: '/api/v1/members/me/preferences', url: () => '/api/v1/members/me/preferences', refused: [], allowed: 'member' },
  // 共商共办: conveners (secretary, district admin) and the owner unit's side.
  {
    method: 'POST',
    path: '/api/v1/meetings',
    url: () => '/api/v1/meetings',
    refused: ['plain', 'member', 'unit', 'city'],
    allowed: 'secretary',
  },
  ...(['close', 'cancel', 'actions'] as const).map((step): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/meetings/{id}/${step}`,
    url: () => `/api/v1/meetings/${SOME_ID}/${step}`,
    refused: ['plain', 'member', 'unit', 'city'],
    allowed: 'district',
  })),
  {
    method: 'POST',
    path: '/api/v1/meetings/{id}/attendance',
    url: () => `/api/v1/meetings/${SOME_ID}/attendance`,
    refused: ['plain', 'member', 'district', 'city'],
    allowed: 'unit',
  },
  ...(['progress', 'done'] as const).map((step): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/actions/{id}/${step}`,
    url: () => `/api/v1/actions/${SOME_ID}/${step}`,
    refused: ['plain', 'member', 'secretary', 'district', 'city'],
    allowed: 'unit',
  })),
  ...(['confirm', 'reopen'] as const).map((step): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/actions/{id}/${step}`,
    url: () => `/api/v1/actions/${SOME_ID}/${step}`,
    refused: ['plain', 'member', 'unit', 'city'],
    allowed: 'secretary',
  })),
  // 组织报到: unit staff propose, claim, list and deliver; community staff decide, publish needs and accept.
  {
    method: 'POST',
    path: '/api/v1/agreements',
    url: () => '/api/v1/agreements',
    refused: ['plain', 'member', 'secretary', 'district', 'city'],
    allowed: 'unit',
  },
  ...(['accept', 'reject'] as const).map((step): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/agreements/{id}/${step}`,
    url: () => `/api/v1/agreements/${SOME_ID}/${step}`,
    refused: ['plain', 'member', 'unit'],
    allowed: 'secretary',
  })),
  {
    method: 'POST',
    path: '/api/v1/agreements/{id}/end',
    url: () => `/api/v1/agreements/${SOME_ID}/end`,
    refused: ['plain', 'member'],
    allowed: 'secretary',
  },
  { method: 'POST', path: '/api/v1/needs', url: () => '/api/v1/needs', refused: ['plain', 'member', 'unit'], allowed: 'secretary' },
  ...(['/api/v1/needs/{id}/claim', '/api/v1/resources'] as const).map((path): BodyRoute => ({
    method: 'POST',
    path,
    url: () => path.replace('{id}', SOME_ID),
    refused: ['plain', 'member', 'secretary', 'district', 'city'],
    allowed: 'unit',
  })),
  ...(['deliver', 'return'] as const).map((step): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/projects/{id}/${step}`,
    url: () => `/api/v1/projects/${SOME_ID}/${step}`,
    refused: ['plain', 'member', 'secretary', 'district', 'city'],
    allowed: 'unit',
  })),
  ...(['accept', 'close'] as const).map((step): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/projects/{id}/${step}`,
    url: () => `/api/v1/projects/${SOME_ID}/${step}`,
    refused: ['plain', 'member', 'unit'],
    allowed: 'secretary',
  })),
  // Service records, certificates and points.
  {
    method: 'POST',
    path: '/api/v1/tasks/{id}/records',
    url: () => `/api/v1/tasks/${taskId}/records`,
    refused: ['plain', 'member', 'unit', 'district', 'city'],
    allowed: 'secretary',
  },
  // A signed-in user who has not registered gets 403 NOT_REGISTERED (records and certificates tests).
  { method: 'POST', path: '/api/v1/members/me/corrections', url: () => '/api/v1/members/me/corrections', refused: [], allowed: 'member' },
  { method: 'POST', path: '/api/v1/members/me/certificates', url: () => '/api/v1/members/me/certificates', refused: [], allowed: 'member' },
  ...(['approve', 'reject'] as const).map((step): BodyRoute => ({
    method: 'POST',
    path: `/api/v1/corrections/{id}/${step}`,
    url: () => `/api/v1/corrections/${SOME_ID}/${step}`,
    refused: ['plain', 'member', 'unit', 'district', 'city'],
    allowed: 'secretary',
  })),
  {
    method: 'PUT',
    path: '/api/v1/party-orgs/{id}/certificate-settings',
    url: () => `/api/v1/party-orgs/${world.community.id}/certificate-settings`,
    refused: ['plain', 'member', 'unit', 'district', 'city'],
    allowed: 'secretary',
  },
  {
    method: 'PUT',
    path: '/api/v1/points/rules',
    url: () => '/api/v1/points/rules',
    refused: ['plain', 'member', 'secretary', 'district', 'unit'],
    allowed: 'city',
  },
  // 爱心超市: its secretary manages the rewards and redeems by scanning.
  {
    method: 'POST',
    path: '/api/v1/party-orgs/{id}/rewards',
    url: () => `/api/v1/party-orgs/${world.community.id}/rewards`,
    refused: ['plain', 'member', 'unit', 'district', 'city'],
    allowed: 'secretary',
  },
  ...(
    [
      ['PATCH', '/api/v1/rewards/{id}', `/api/v1/rewards/${SOME_ID}`],
      ['POST', '/api/v1/rewards/{id}/edit', `/api/v1/rewards/${SOME_ID}/edit`],
      ['POST', '/api/v1/rewards/{id}/redemptions', `/api/v1/rewards/${SOME_ID}/redemptions`],
    ] as const
  ).map(([method, path, url]): BodyRoute => ({
    method,
    path,
    url: () => url,
    refused: ['plain', 'member', 'unit', 'district', 'city'],
    allowed: 'secretary',
  })),
];

/** Public on purpose: signing in is how a caller gets a session at all. */
const PUBLIC_BODY_ROUTES = ['POST /api/v1/auth/wechat'];

it('covers every route that takes a body', () => {
  const doc = ctx.app.swagger() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  const withBody = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.requestBody !== undefined)
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );
  expect(withBody.sort()).toEqual([...ROUTES.map((r) => `${r.method} ${r.path}`), ...PUBLIC_BODY_ROUTES].sort());
});

describe.each(ROUTES)('$method $path', (route) => {
  const send = (payload: unknown, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: route.method, url: route.url(), headers, payload: payload as object });

  it('answers 401 without a session, whatever the body', async () => {
    for (const body of MALFORMED) {
      const res = await send(body);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 403 to signed-in callers without the role, before looking at the body', async () => {
    for (const who of route.refused) {
      for (const body of MALFORMED) {
        const res = await send(body, auth[who]);
        expect({ who, status: res.statusCode }).toEqual({ who, status: 403 });
        expect(res.json().code).toBe('FORBIDDEN');
        expect(res.json().details).toBeUndefined();
      }
    }
  });

  it('validates the body for a caller with the role', async () => {
    const res = await send(MALFORMED[1], auth[route.allowed]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(expect.objectContaining({ code: 'VALIDATION_FAILED', details: expect.any(Array) }));
  });
});
