import type pg from 'pg';
import {
  WHISTLE_CATEGORY_KEYS,
  WHISTLE_CATEGORY_LABELS,
  whistleCategoryLabel,
  type WhistleCreateBody,
  type Role,
  type WhistleDetail,
} from '@pioneer/shared';
import { makeOrgWorld } from '../helpers/fixtures';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server';
import { httpClient, listen, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
type Auth = { authorization: string };

let ctx: TestContext;
let w: Awaited<ReturnType<typeof makeOrgWorld<'u1' | 'u2' | 'u3' | 'u4'>>>;
let as: Record<
  'secC1' | 'secC2' | 'secC3' | 'distD1' | 'distD2' | 'liaU1a' | 'liaU1b' | 'adminU1' | 'liaU2' | 'liaU3' | 'liaU4' | 'city' | 'resident',
  Auth
>;

beforeAll(async () => {
  ctx = await createTestContext();
  w = await makeOrgWorld(ctx.database.db, { u1: 'd1', u2: 'd1', u3: 'd1', u4: 'd2' });
  const user = async (name: string, role?: Role, orgId: string | null = null) => (await ctx.staff(name, role, orgId)).auth;
  as = {
    secC1: await user('w_sec_c1', 'secretary', w.c1.id),
    secC2: await user('w_sec_c2', 'secretary', w.c2.id),
    secC3: await user('w_sec_c3', 'secretary', w.c3.id),
    distD1: await user('w_dist_d1', 'district_admin', w.d1.id),
    distD2: await user('w_dist_d2', 'district_admin', w.d2.id),
    liaU1a: await user('w_lia_u1a', 'unit_liaison', w.u1.id),
    liaU1b: await user('w_lia_u1b', 'unit_liaison', w.u1.id),
    adminU1: await user('w_admin_u1', 'unit_admin', w.u1.id),
    liaU2: await user('w_lia_u2', 'unit_liaison', w.u2.id),
    liaU3: await user('w_lia_u3', 'unit_liaison', w.u3.id),
    liaU4: await user('w_lia_u4', 'unit_liaison', w.u4.id),
    city: await user('w_city', 'city_admin', null),
    resident: await user('w_resident'),
  };
});
afterAll(async () => ctx.close());

const api = (method: 'GET' | 'POST', url: string, auth: Auth, payload?: unknown) => ctx.api(method, url, auth, payload);

function body(overrides: Partial<WhistleCreateBody> = {}): WhistleCreateBody {
  return {
    title: '世茂商圈周边停车难',
    description: '周末商圈周边道路违停严重，居民出行受阻，需住建、城管、公安联动治理。',
    category: 'traffic',
    location: '世茂商圈',
    dueAt: new Date(ctx.clock.now().getTime() + 3 * DAY).toISOString(),
    addressedTo: [
      { orgId: w.u1.id, part: 'lead' },
      { orgId: w.u2.id, part: 'assist' },
      { orgId: w.u3.id, part: 'inform' },
    ],
    ...overrides,
  };
}

async function raise(auth: Auth = as.secC1, overrides: Partial<WhistleCreateBody> = {}): Promise<WhistleDetail> {
  const res = await api('POST', '/whistles', auth, body(overrides));
  if (res.statusCode !== 201) throw new Error(`raise failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function ok(method: 'GET' | 'POST', url: string, auth: Auth, payload?: unknown): Promise<WhistleDetail> {
  const res = await api(method, url, auth, payload);
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

const unit = (id: string, orgId: string, action: string) => `/whistles/${id}/assignments/${orgId}/${action}`;
const assignmentOf = (d: WhistleDetail, orgId: string) => d.assignments.find((a) => a.orgId === orgId)!;

/** Drives a fresh whistle to a state through the API. */
async function whistleIn(state: 'open' | 'answered' | 'verified' | 'closed' | 'rated'): Promise<WhistleDetail> {
  let d = await raise();
  const id = d.whistle.id;
  if (state === 'open') return d;
  await ok('POST', unit(id, w.u1.id, 'sign'), as.liaU1a);
  d = await ok('POST', unit(id, w.u1.id, 'answer'), as.liaU1a, { text: '已牵头处置' });
  if (state === 'answered') return d;
  d = await ok('POST', `/whistles/${id}/verify`, as.secC1);
  if (state === 'verified') return d;
  d = await ok('POST', `/whistles/${id}/close`, as.secC1);
  if (state === 'closed') return d;
  return ok('POST', `/whistles/${id}/rate`, as.secC1, { satisfaction: 5 });
}

describe('raising a whistle', () => {
  it('creates one assignment per addressed unit, pending, and a raise event naming the community', async () => {
    const d = await raise();
    expect(d.whistle).toMatchObject({ status: 'open', raisedBy: { kind: 'community', id: w.c1.id }, districtId: w.d1.id, overdue: false });
    expect(d.assignments.map((a) => [a.orgId, a.part, a.status])).toEqual([
      [w.u1.id, 'lead', 'pending'],
      [w.u2.id, 'assist', 'pending'],
      [w.u3.id, 'inform', 'pending'],
    ]);
    expect(d.events).toHaveLength(1);
    expect(d.events[0]).toMatchObject({ action: 'raise', actor: { role: 'secretary', org: { id: w.c1.id } } });
  });

  it("takes whistles' own categories only, and keeps a whistle raised before under its old category, readable", async () => {
    for (const category of WHISTLE_CATEGORY_KEYS) {
      const d = await raise(as.secC1, { category });
      expect(d.whistle.category).toBe(category);
      expect(whistleCategoryLabel(d.whistle.category)).toBe(WHISTLE_CATEGORY_LABELS[category]);
    }
    const old = await api('POST', '/whistles', as.secC1, { ...body(), category: 'order' });
    expect(old.statusCode).toBe(400);
    expect(old.json().details).toEqual([expect.objectContaining({ path: 'category' })]);

    // A whistle of v2, when categories were the volunteers': listed and shown as it was written.
    const before = await raise();
    await ctx.database.pool.query(`update whistles set category = 'order' where id = $1`, [before.whistle.id]);
    const read = await api('GET', `/whistles/${before.whistle.id}`, as.secC1);
    expect(read.statusCode).toBe(200);
    expect(read.json().whistle.category).toBe('order');
    expect(whistleCategoryLabel(read.json().whistle.category)).toBe('秩序维护');
    const list = await api('GET', '/whistles?limit=100', as.secC1);
    expect(list.statusCode).toBe(200);
    expect(list.json().items.find((x: { id: string }) => x.id === before.whistle.id).category).toBe('order');
  });

  it('lets a district admin raise in the name of its 板块', async () => {
    const d = await raise(as.distD1);
    expect(d.whistle.raisedBy).toMatchObject({ kind: 'district', id: w.d1.id });
    expect(d.events[0].actor).toMatchObject({ role: 'district_admin', org: { id: w.d1.id } });
  });

  it('refuses bodies without exactly one lead, with non-unit orgs, a past due time or NUL bytes (400 with details)', async () => {
    const cases: Array<Partial<WhistleCreateBody>> = [
      { addressedTo: [{ orgId: w.u1.id, part: 'assist' }] },
      {
        addressedTo: [
          { orgId: w.u1.id, part: 'lead' },
          { orgId: w.u2.id, part: 'lead' },
        ],
      },
      { addressedTo: [{ orgId: w.c2.id, part: 'lead' }] },
      {
        addressedTo: [
          { orgId: w.u1.id, part: 'lead' },
          { orgId: w.u1.id, part: 'assist' },
        ],
      },
      { dueAt: new Date(ctx.clock.now().getTime() - HOUR).toISOString() },
      { title: 'bad\u0000title' },
      { description: 'lone \ud800 surrogate' },
    ];
    for (const c of cases) {
      const res = await api('POST', '/whistles', as.secC1, body(c));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: expect.any(Array) });
      expect(res.json().details.length).toBeGreaterThan(0);
    }
  });

  it('answers callers without the role 401/403 before looking at the body', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: '/api/v1/whistles', payload: {} })).statusCode).toBe(401);
    for (const auth of [as.resident, as.liaU1a, as.adminU1, as.city]) {
      const res = await api('POST', '/whistles', auth, { nonsense: true });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });

  it('refuses raising in the name of another community or 板块', async () => {
    expect((await api('POST', '/whistles', as.secC1, body({ raisedByOrgId: w.c2.id }))).statusCode).toBe(403);
    expect((await api('POST', '/whistles', as.distD1, body({ raisedByOrgId: w.d2.id }))).statusCode).toBe(403);
  });

  it('decides who raises before the rules on the whistle itself: a foreign name with a past due time is 403', async () => {
    const past = new Date(ctx.clock.now().getTime() - HOUR).toISOString();
    const res = await api('POST', '/whistles', as.secC1, body({ raisedByOrgId: w.c2.id, dueAt: past }));
    expect([res.statusCode, res.json().code]).toEqual([403, 'FORBIDDEN']);
  });
});

describe('the whole loop', () => {
  it('walks raise → sign → answer with a post → verify → close → rate → reopen → answer → close, each step an event', async () => {
    let d = await raise();
    const id = d.whistle.id;
    const post = await publishTask(ctx, as.secC1, w.c1.id, { whistleId: id, title: '商圈停车劝导岗', capacity: 4 });
    expect(post.whistleId).toBe(id);

    d = await ok('POST', unit(id, w.u1.id, 'sign'), as.liaU1a);
    expect(assignmentOf(d, w.u1.id)).toMatchObject({ status: 'signed', signedAt: ctx.clock.now().toISOString() });
    d = await ok('POST', unit(id, w.u2.id, 'sign'), as.liaU2);
    d = await ok('POST', unit(id, w.u2.id, 'answer'), as.liaU2, { text: '城管已增派巡查' });
    expect(d.whistle.status).toBe('open');

    d = await ok('POST', unit(id, w.u1.id, 'answer'), as.adminU1, { text: '住建牵头规划临时停车场', taskIds: [post.id] });
    expect(d.whistle.status).toBe('answered');
    expect(assignmentOf(d, w.u1.id)).toMatchObject({ status: 'answered', answerText: '住建牵头规划临时停车场', taskIds: [post.id] });
    expect(d.tasks).toEqual([expect.objectContaining({ id: post.id, capacity: 4, claimed: 0, remaining: 4, status: 'open' })]);

    d = await ok('POST', `/whistles/${id}/verify`, as.secC1, { note: '现场核查属实' });
    expect(d.whistle.status).toBe('verified');
    d = await ok('POST', `/whistles/${id}/close`, as.distD1);
    expect(d.whistle.status).toBe('closed');
    d = await ok('POST', `/whistles/${id}/rate`, as.secC1, { satisfaction: 4, note: '居民满意' });
    expect(d.whistle).toMatchObject({ status: 'rated', satisfaction: 4, ratingNote: '居民满意' });

    ctx.clock.advance(6 * DAY);
    const due = new Date(ctx.clock.now().getTime() + 2 * DAY).toISOString();
    d = await ok('POST', `/whistles/${id}/reopen`, as.secC1, { note: '晚高峰仍拥堵', dueAt: due });
    expect(d.whistle).toMatchObject({ status: 'open', satisfaction: null, closedAt: null, dueAt: due });
    expect(assignmentOf(d, w.u1.id)).toMatchObject({ status: 'signed', answerText: null, dueAt: due });
    expect(assignmentOf(d, w.u2.id).status).toBe('signed');

    d = await ok('POST', unit(id, w.u1.id, 'answer'), as.liaU1b, { text: '增设潮汐车位' });
    d = await ok('POST', `/whistles/${id}/verify`, as.secC1);
    d = await ok('POST', `/whistles/${id}/close`, as.secC1);
    expect(d.whistle.status).toBe('closed');

    expect(d.events.map((e) => e.action)).toEqual([
      'raise',
      'sign',
      'sign',
      'answer',
      'answer',
      'verify',
      'close',
      'rate',
      'reopen',
      'answer',
      'verify',
      'close',
    ]);
    expect(d.events[1]).toMatchObject({ org: { id: w.u1.id }, actor: { role: 'unit_liaison', org: { id: w.u1.id } } });
    expect(d.events[4]).toMatchObject({ action: 'answer', actor: { role: 'unit_admin' }, data: { taskIds: [post.id] } });
    expect(d.events[6].actor).toMatchObject({ role: 'district_admin', org: { id: w.d1.id } });
    // The timeline names roles and orgs, never people.
    expect(JSON.stringify(d.events)).not.toMatch(/w_lia|w_sec|userId/);
  });

  it('reopens only within 7 days of closing', async () => {
    const closed = await whistleIn('closed');
    ctx.clock.advance(7 * DAY + 60_000);
    const res = await api('POST', `/whistles/${closed.whistle.id}/reopen`, as.secC1);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('INVALID_TRANSITION');
    const rated = await whistleIn('rated');
    ctx.clock.advance(7 * DAY - 60_000);
    expect((await ok('POST', `/whistles/${rated.whistle.id}/reopen`, as.secC1)).whistle.status).toBe('open');
  });
});

describe('forbidden transitions answer 409 INVALID_TRANSITION and change nothing', () => {
  // Written out from the contract, not derived from the server's table.
  const RAISER_ALLOWED: Record<string, string[]> = {
    open: ['readdress'],
    answered: ['verify'],
    verified: ['close'],
    closed: ['rate', 'reopen'],
    rated: ['reopen'],
  };
  const payloadFor: Record<string, () => unknown> = {
    verify: () => ({}),
    close: () => ({}),
    rate: () => ({ satisfaction: 3 }),
    reopen: () => ({}),
    readdress: () => ({ addressedTo: [{ orgId: w.u4.id, part: 'assist' }] }),
  };

  for (const state of ['open', 'answered', 'verified', 'closed', 'rated'] as const) {
    it(`whistle ${state}: every raiser action but ${RAISER_ALLOWED[state].join(', ')}`, async () => {
      const d = await whistleIn(state);
      const before = d.events.length;
      for (const action of Object.keys(payloadFor).filter((a) => !RAISER_ALLOWED[state].includes(a))) {
        const res = await api('POST', `/whistles/${d.whistle.id}/${action}`, as.secC1, payloadFor[action]());
        expect([action, res.statusCode, res.json().code]).toEqual([action, 409, 'INVALID_TRANSITION']);
      }
      const after = await ok('GET', `/whistles/${d.whistle.id}`, as.secC1);
      expect(after.whistle.status).toBe(state);
      expect(after.events).toHaveLength(before);
    });
  }

  const UNIT_ALLOWED: Record<string, string[]> = {
    pending: ['sign', 'return', 'extend'],
    signed: ['answer', 'return', 'extend'],
    answered: [],
    returned: [],
  };
  const unitPayload: Record<string, () => unknown> = {
    sign: () => ({}),
    answer: () => ({ text: '反馈' }),
    return: () => ({ reason: '不属于本单位职责' }),
    extend: () => ({ until: new Date(ctx.clock.now().getTime() + 10 * DAY).toISOString(), reason: '需协调' }),
  };

  for (const state of ['pending', 'signed', 'answered', 'returned'] as const) {
    it(`assignment ${state} on an open whistle: every unit action but ${UNIT_ALLOWED[state].join(', ') || 'none'}`, async () => {
      const d = await raise();
      const id = d.whistle.id;
      // The assist unit's assignment is put in the state; the whistle stays open.
      if (state !== 'pending') await ok('POST', unit(id, w.u2.id, 'sign'), as.liaU2);
      if (state === 'answered') await ok('POST', unit(id, w.u2.id, 'answer'), as.liaU2, { text: '已协办' });
      if (state === 'returned') await ok('POST', unit(id, w.u2.id, 'return'), as.liaU2, { reason: '非本单位职责' });
      for (const action of Object.keys(unitPayload).filter((a) => !UNIT_ALLOWED[state].includes(a))) {
        const res = await api('POST', unit(id, w.u2.id, action), as.liaU2, unitPayload[action]());
        expect([action, res.statusCode, res.json().code]).toEqual([action, 409, 'INVALID_TRANSITION']);
      }
      expect(assignmentOf(await ok('GET', `/whistles/${id}`, as.liaU2), w.u2.id).status).toBe(state);
    });
  }

  it('units cannot act once the whistle is verified, closed or rated', async () => {
    for (const state of ['verified', 'closed', 'rated'] as const) {
      const d = await whistleIn(state);
      const res = await api('POST', unit(d.whistle.id, w.u2.id, 'sign'), as.liaU2);
      expect([state, res.statusCode, res.json().code]).toEqual([state, 409, 'INVALID_TRANSITION']);
    }
  });

  it('an answered whistle cannot be returned by its assist unit', async () => {
    const d = await whistleIn('answered');
    const res = await api('POST', unit(d.whistle.id, w.u2.id, 'return'), as.liaU2, { reason: '不归我管' });
    expect(res.statusCode).toBe(409);
  });
});

describe('return and readdress', () => {
  it('the lead returns it with a reason; the raiser readdresses to a new lead and the returned unit as assist', async () => {
    let d = await raise();
    const id = d.whistle.id;
    d = await ok('POST', unit(id, w.u1.id, 'return'), as.liaU1a, { reason: '停车场规划不属于住建职责' });
    expect(assignmentOf(d, w.u1.id)).toMatchObject({ status: 'returned', returnReason: '停车场规划不属于住建职责' });
    expect(d.whistle.status).toBe('open');

    const noLead = await api('POST', `/whistles/${id}/readdress`, as.secC1, { addressedTo: [{ orgId: w.u4.id, part: 'assist' }] });
    expect(noLead.statusCode).toBe(400);
    const active = await api('POST', `/whistles/${id}/readdress`, as.secC1, { addressedTo: [{ orgId: w.u2.id, part: 'lead' }] });
    expect([active.statusCode, active.json().code]).toEqual([409, 'CONFLICT']);
    const notUnit = await api('POST', `/whistles/${id}/readdress`, as.secC1, { addressedTo: [{ orgId: w.c1.id, part: 'lead' }] });
    expect(notUnit.statusCode).toBe(400);

    d = await ok('POST', `/whistles/${id}/readdress`, as.secC1, {
      addressedTo: [
        { orgId: w.u4.id, part: 'lead' },
        { orgId: w.u1.id, part: 'assist' },
      ],
    });
    expect(assignmentOf(d, w.u4.id)).toMatchObject({ part: 'lead', status: 'pending' });
    expect(assignmentOf(d, w.u1.id)).toMatchObject({ part: 'assist', status: 'pending', returnReason: null });
    expect(d.events.map((e) => e.action)).toEqual(['raise', 'return', 'readdress']);

    await ok('POST', unit(id, w.u4.id, 'sign'), as.liaU4);
    d = await ok('POST', unit(id, w.u4.id, 'answer'), as.liaU4, { text: '已接手' });
    expect(d.whistle.status).toBe('answered');
  });
});

describe('extensions', () => {
  it('a unit asks for more time; one pending request at a time; the raiser denies or approves; approval moves the due time', async () => {
    const d = await raise();
    const id = d.whistle.id;
    const until = new Date(ctx.clock.now().getTime() + 5 * DAY).toISOString();
    const early = await api('POST', unit(id, w.u2.id, 'extend'), as.liaU2, { until: d.whistle.dueAt, reason: '需协调' });
    expect(early.statusCode).toBe(400);

    let e = await ok('POST', unit(id, w.u2.id, 'extend'), as.liaU2, { until, reason: '需协调交警' });
    const first = assignmentOf(e, w.u2.id).extensions[0];
    expect(first).toMatchObject({ status: 'pending', until, reason: '需协调交警' });
    const again = await api('POST', unit(id, w.u2.id, 'extend'), as.liaU2, { until, reason: '再次申请' });
    expect([again.statusCode, again.json().code]).toEqual([409, 'CONFLICT']);

    expect((await api('POST', `/whistles/${id}/extensions/${first.id}/deny`, as.liaU2)).statusCode).toBe(403);
    e = await ok('POST', `/whistles/${id}/extensions/${first.id}/deny`, as.secC1, { note: '时限不变' });
    expect(assignmentOf(e, w.u2.id)).toMatchObject({ dueAt: d.whistle.dueAt });
    expect(assignmentOf(e, w.u2.id).extensions[0].status).toBe('denied');

    e = await ok('POST', unit(id, w.u2.id, 'extend'), as.liaU2, { until, reason: '补充材料后再申请' });
    const second = assignmentOf(e, w.u2.id).extensions[1];
    e = await ok('POST', `/whistles/${id}/extensions/${second.id}/approve`, as.distD1);
    expect(assignmentOf(e, w.u2.id)).toMatchObject({ dueAt: until });
    for (const action of ['approve', 'deny']) {
      const res = await api('POST', `/whistles/${id}/extensions/${second.id}/${action}`, as.secC1);
      expect([res.statusCode, res.json().code]).toEqual([409, 'INVALID_TRANSITION']);
    }
    expect(e.events.map((x) => x.action)).toEqual(['raise', 'extend', 'deny', 'extend', 'approve']);
  });
});

describe('overdue flags under a manual clock', () => {
  it('flags pending and signed assignments past their due time, not answered ones nor those with an approved extension', async () => {
    const d = await raise(as.secC2, {
      dueAt: new Date(ctx.clock.now().getTime() + 2 * HOUR).toISOString(),
      addressedTo: [
        { orgId: w.u1.id, part: 'lead' },
        { orgId: w.u2.id, part: 'assist' },
        { orgId: w.u3.id, part: 'inform' },
      ],
    });
    const id = d.whistle.id;
    expect(d.whistle.overdue).toBe(false);
    await ok('POST', unit(id, w.u1.id, 'sign'), as.liaU1a);
    await ok('POST', unit(id, w.u1.id, 'answer'), as.liaU1a, { text: '已处理' });
    const ext = await ok('POST', unit(id, w.u3.id, 'extend'), as.liaU3, {
      until: new Date(ctx.clock.now().getTime() + DAY).toISOString(),
      reason: '等待材料',
    });
    await ok('POST', `/whistles/${id}/extensions/${assignmentOf(ext, w.u3.id).extensions[0].id}/approve`, as.secC2);

    ctx.clock.advance(2 * HOUR - 1000);
    expect((await ok('GET', `/whistles/${id}`, as.secC2)).whistle.overdue).toBe(false);
    ctx.clock.advance(2000);
    const after = await ok('GET', `/whistles/${id}`, as.secC2);
    expect(after.whistle.overdue).toBe(true);
    expect(after.assignments.map((a) => [a.orgId, a.overdue])).toEqual([
      [w.u1.id, false],
      [w.u2.id, true],
      [w.u3.id, false],
    ]);

    const list = await api('GET', `/whistles?scope=community&id=${w.c2.id}&overdue=true`, as.secC2);
    expect(list.json().items.map((x: { id: string }) => x.id)).toContain(id);
    const u2 = await api('GET', `/whistles?scope=unit&id=${w.u2.id}&overdue=true`, as.liaU2);
    expect(
      u2
        .json()
        .items.find((x: { id: string }) => x.id === id)
        .assignments.find((a: { orgId: string }) => a.orgId === w.u2.id).overdue,
    ).toBe(true);
    const u1 = await api('GET', `/whistles?scope=unit&id=${w.u1.id}&overdue=true`, as.liaU1a);
    expect(u1.json().items.map((x: { id: string }) => x.id)).not.toContain(id);
  });
});

describe('scope', () => {
  let id: string;
  let c3Whistle: string;
  beforeAll(async () => {
    id = (
      await raise(as.secC1, {
        addressedTo: [
          { orgId: w.u1.id, part: 'lead' },
          { orgId: w.u2.id, part: 'assist' },
        ],
      })
    ).whistle.id;
    c3Whistle = (await raise(as.secC3, { addressedTo: [{ orgId: w.u4.id, part: 'lead' }] })).whistle.id;
  });

  it('a liaison of unit A cannot act for unit B on a whistle addressed to both (403)', async () => {
    const res = await api('POST', unit(id, w.u2.id, 'sign'), as.liaU1a);
    expect([res.statusCode, res.json().code]).toEqual([403, 'FORBIDDEN']);
  });

  it('a unit not addressed neither sees nor acts on the whistle (404); the unit side may not use raiser actions (403)', async () => {
    expect((await api('GET', `/whistles/${id}`, as.liaU3)).statusCode).toBe(404);
    expect((await api('POST', unit(id, w.u3.id, 'sign'), as.liaU3)).statusCode).toBe(404);
    expect((await api('POST', unit(id, w.u1.id, 'sign'), as.liaU3)).statusCode).toBe(404);
    expect((await api('POST', `/whistles/${id}/verify`, as.liaU1a)).statusCode).toBe(403);
    expect((await api('POST', unit(id, w.u1.id, 'sign'), as.secC1)).statusCode).toBe(403);
    expect((await api('POST', unit(id, w.u1.id, 'sign'), as.resident)).statusCode).toBe(403);
  });

  it('another community and another 板块 do not see it; its 板块 and the city do', async () => {
    expect((await api('GET', `/whistles/${id}`, as.secC2)).statusCode).toBe(404);
    expect((await api('GET', `/whistles/${id}`, as.distD2)).statusCode).toBe(404);
    expect((await api('GET', `/whistles/${id}`, as.resident)).statusCode).toBe(404);
    expect((await api('POST', `/whistles/${id}/verify`, as.secC2)).statusCode).toBe(404);
    expect((await api('GET', `/whistles/${id}`, as.distD1)).statusCode).toBe(200);
    expect((await api('GET', `/whistles/${id}`, as.city)).statusCode).toBe(200);
  });

  it('lists: a unit sees only whistles addressed to it, a community only its own, a district its communities’', async () => {
    const ids = async (url: string, auth: Auth) => {
      const res = await api('GET', url, auth);
      expect(res.statusCode).toBe(200);
      return res.json().items as Array<{ id: string; raisedBy: { id: string }; districtId: string; assignments: Array<{ orgId: string }> }>;
    };
    const u1 = await ids('/whistles', as.liaU1a);
    expect(u1.map((x) => x.id)).toContain(id);
    expect(u1.every((x) => x.assignments.some((a) => a.orgId === w.u1.id))).toBe(true);
    const u4 = await ids('/whistles', as.liaU4);
    expect(u4.map((x) => x.id)).toContain(c3Whistle);
    expect(u4.map((x) => x.id)).not.toContain(id);
    const c1 = await ids('/whistles', as.secC1);
    expect(c1.length).toBeGreaterThan(0);
    expect(c1.every((x) => x.raisedBy.id === w.c1.id)).toBe(true);
    const d1 = await ids('/whistles', as.distD1);
    expect(d1.map((x) => x.id)).toContain(id);
    expect(d1.map((x) => x.id)).not.toContain(c3Whistle);
    expect(d1.every((x) => x.districtId === w.d1.id)).toBe(true);
    const city = await ids(`/whistles?scope=city&limit=100`, as.city);
    expect(city.map((x) => x.id)).toEqual(expect.arrayContaining([id, c3Whistle]));

    expect((await api('GET', `/whistles?scope=community&id=${w.c1.id}`, as.secC2)).statusCode).toBe(403);
    expect((await api('GET', `/whistles?scope=unit&id=${w.u2.id}`, as.liaU1a)).statusCode).toBe(403);
    expect((await api('GET', `/whistles?scope=district&id=${w.d1.id}`, as.distD2)).statusCode).toBe(403);
    expect((await api('GET', `/whistles?scope=city`, as.distD1)).statusCode).toBe(403);
    expect((await api('GET', '/whistles', as.resident)).statusCode).toBe(403);
  });

  it('the unit inbox filters by its own assignment status and pages with a cursor', async () => {
    const pending = await api('GET', `/whistles?scope=unit&id=${w.u2.id}&assignmentStatus=pending&limit=2`, as.liaU2);
    const page1 = pending.json();
    expect(page1.items).toHaveLength(2);
    for (const item of page1.items) expect(item.assignments.find((a: { orgId: string }) => a.orgId === w.u2.id).status).toBe('pending');
    const page2 = (
      await api('GET', `/whistles?scope=unit&id=${w.u2.id}&assignmentStatus=pending&limit=2&cursor=${page1.nextCursor}`, as.liaU2)
    ).json();
    expect(page2.items.map((x: { id: string }) => x.id)).not.toEqual(expect.arrayContaining(page1.items.map((x: { id: string }) => x.id)));
    expect((await api('GET', `/whistles?scope=unit&id=${w.u2.id}&cursor=garbage`, as.liaU2)).statusCode).toBe(400);
  });

  it('posts answer whistles of their own community or 板块 only', async () => {
    const other = await api('POST', '/tasks', as.secC2, {
      communityOrgId: w.c2.id,
      title: '不相干的岗位',
      category: 'order',
      location: '别处',
      startsAt: new Date(ctx.clock.now().getTime() + DAY).toISOString(),
      endsAt: new Date(ctx.clock.now().getTime() + DAY + 2 * HOUR).toISOString(),
      capacity: 3,
      whistleId: id,
    });
    expect([other.statusCode, other.json().details?.[0]?.path]).toEqual([400, 'whistleId']);
    const foreignPost = await publishTask(ctx, as.secC3, w.c3.id);
    await ok('POST', unit(id, w.u1.id, 'sign'), as.liaU1a);
    const res = await api('POST', unit(id, w.u1.id, 'answer'), as.liaU1a, { text: '见岗位', taskIds: [foreignPost.id] });
    expect([res.statusCode, res.json().details?.[0]?.path]).toEqual([400, 'taskIds.0']);
  });
});

describe('a step that committed', () => {
  it('answers 200 with what it did when the database fails right after its commit (nothing is read after it), so the client has nothing to retry', async () => {
    const d = await raise();
    const id = d.whistle.id;
    const pool = ctx.database.pool;
    const connect = pool.connect;
    const query = pool.query;
    const wrapped: pg.PoolClient[] = [];
    let afterCommit = false;
    const fault = () => new Error('timeout exceeded when trying to connect');
    // From the moment a transaction's commit succeeds, every new statement and checkout fails as a
    // dead database would (503 if anything still read then).
    pool.connect = function (this: pg.Pool, cb?: (err: Error | undefined, client?: pg.PoolClient, done?: () => void) => void) {
      if (afterCommit) return cb ? void cb(fault()) : Promise.reject(fault());
      if (cb) return connect.call(this, cb);
      return (connect as (this: pg.Pool) => Promise<pg.PoolClient>).call(this).then((client) => {
        const own = client.query;
        client.query = function (this: pg.PoolClient, ...args: unknown[]) {
          const sent = (own as (...a: unknown[]) => unknown).apply(this, args);
          if (args[0] === 'commit' && sent instanceof Promise)
            void sent.then(
              () => (afterCommit = true),
              () => {},
            );
          return sent;
        } as unknown as typeof client.query;
        wrapped.push(client);
        return client;
      });
    } as unknown as typeof pool.connect;
    pool.query = function (this: pg.Pool, ...args: unknown[]) {
      if (afterCommit) return Promise.reject(fault());
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as unknown as typeof pool.query;
    let res;
    try {
      res = await api('POST', unit(id, w.u1.id, 'sign'), as.liaU1a);
    } finally {
      pool.connect = connect;
      pool.query = query;
      for (const c of wrapped) delete (c as { query?: unknown }).query;
    }
    expect(afterCommit).toBe(true);
    expect(res.statusCode).toBe(200);
    const answered = res.json() as WhistleDetail;
    expect(assignmentOf(answered, w.u1.id)).toMatchObject({ status: 'signed', signedAt: ctx.clock.now().toISOString() });
    expect(answered.events.filter((e) => e.action === 'sign')).toHaveLength(1);
    const after = await ok('GET', `/whistles/${id}`, as.secC1);
    expect(after.events.filter((e) => e.action === 'sign')).toHaveLength(1);
  });

  it('decides who may act on the whistle as the step locked it: a stranger is told it does not exist, the wrong unit is refused', async () => {
    const d = await raise();
    const id = d.whistle.id;
    expect((await api('POST', unit(id, w.u1.id, 'sign'), as.liaU4)).statusCode).toBe(404);
    expect((await api('POST', unit(id, w.u1.id, 'sign'), as.liaU2)).statusCode).toBe(403);
    expect((await api('POST', `/whistles/${id}/close`, as.liaU1a)).statusCode).toBe(403);
    expect((await api('POST', `/whistles/${id}/close`, as.secC3)).statusCode).toBe(404);
    expect((await api('POST', unit(id, w.u1.id, 'sign'), as.liaU1a)).statusCode).toBe(200);
  });
});

describe('concurrency', () => {
  let second: SpawnedServer;
  beforeAll(async () => {
    second = await spawnServer(ctx.dbUrl);
  });
  afterAll(async () => second.stop());

  it('two liaisons (and more) signing one assignment at once through two processes: one wins, one event', async () => {
    const d = await raise();
    const id = d.whistle.id;
    const local = httpClient(await listen(ctx));
    const remote = httpClient(second.url);
    try {
      const path = `/api/v1${unit(id, w.u1.id, 'sign')}`;
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? local : remote).request('POST', path, { headers: [as.liaU1a, as.liaU1b, as.adminU1][i % 3] }),
        ),
      );
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409 && a.body.code === 'INVALID_TRANSITION')).toHaveLength(11);
      const after = await ok('GET', `/whistles/${id}`, as.secC1);
      expect(after.events.filter((e) => e.action === 'sign')).toHaveLength(1);
      expect(assignmentOf(after, w.u1.id).status).toBe('signed');
    } finally {
      local.close();
      remote.close();
    }
  });
});

describe('unit_liaison invites', () => {
  const invite = (auth: Auth, orgId: string) => api('POST', '/invites', auth, { role: 'unit_liaison', orgId });

  it('the unit admin invites its own unit’s liaison, the district admin its district’s; the invitee holds the role', async () => {
    const res = await invite(as.adminU1, w.u1.id);
    expect(res.statusCode).toBe(201);
    const newcomer = await ctx.signIn('w_new_liaison');
    const accepted = await api('POST', '/invites/accept', newcomer.auth, { code: res.json().code });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().user.roles).toEqual(expect.arrayContaining([{ role: 'unit_liaison', orgId: w.u1.id }]));
    const d = await raise();
    expect((await api('POST', unit(d.whistle.id, w.u1.id, 'sign'), newcomer.auth)).statusCode).toBe(200);

    expect((await invite(as.distD1, w.u2.id)).statusCode).toBe(201);
    expect((await invite(as.city, w.u4.id)).statusCode).toBe(201);
  });

  it('refuses a unit admin for another unit, a district admin outside its district, a liaison and a secretary', async () => {
    expect((await invite(as.adminU1, w.u2.id)).statusCode).toBe(403);
    expect((await invite(as.distD2, w.u1.id)).statusCode).toBe(403);
    expect((await invite(as.liaU1a, w.u1.id)).statusCode).toBe(403);
    expect((await invite(as.secC1, w.u1.id)).statusCode).toBe(403);
    expect((await invite(as.city, w.c1.id)).statusCode).toBe(400);
  });
});
