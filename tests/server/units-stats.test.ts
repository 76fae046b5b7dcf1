import type { Indicator, Role, StatsOverview } from '@pioneer/shared';
import { makeOrgWorld } from '../helpers/fixtures';
import { publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * 组织报到 in the statistics (scope=unit: agreements, needsClaimed, projectsDelivered,
 * projectsAccepted, projectRating; community/district/city: needsOpen, needsClaimed,
 * projectsAccepted) and the 先锋指数+ auto metrics needs_claimed_rate and project_rating: every
 * figure equal to SQL of the test's own over the tables.
 */
type Auth = { authorization: string };
const DAY = 24 * 3600_000;
let ctx: TestContext;
let w: Awaited<ReturnType<typeof makeOrgWorld<'u1' | 'u2'>>>;
let as: Record<'sec1' | 'sec2' | 'sec3' | 'dist1' | 'city' | 'adminU1' | 'adminU2', Auth>;

const api = (method: 'GET' | 'POST' | 'PUT', url: string, auth: Auth, payload?: unknown) => ctx.api(method, url, auth, payload);
const day = (offset: number) => new Date(ctx.clock.now().getTime() + 8 * 3600_000 + offset * DAY).toISOString().slice(0, 10);
const q = async <T>(text: string, values: unknown[] = []) => (await ctx.database.pool.query(text, values)).rows as T[];

async function report(admin: Auth, unitOrgId: string, sec: Auth, communityOrgId: string, startsIn = 0) {
  const a = await api('POST', '/agreements', admin, {
    unitOrgId,
    communityOrgId,
    startsOn: day(startsIn),
    endsOn: day(200),
    commitments: '共建服务',
    contactName: '王联络',
    contactPhone: '13800001111',
  });
  expect(a.statusCode).toBe(201);
  expect((await api('POST', `/agreements/${a.json().agreement.id}/accept`, sec, {})).statusCode).toBe(200);
}

async function need(sec: Auth, communityOrgId: string, title: string): Promise<string> {
  const res = await api('POST', '/needs', sec, { communityOrgId, title, category: 'care', description: '社区需求' });
  expect(res.statusCode).toBe(201);
  return res.json().need.id;
}

/** A need of the community claimed by the unit and taken to `to` (rating when accepted). */
async function project(sec: Auth, admin: Auth, unitOrgId: string, communityOrgId: string, to: string, rating = 4): Promise<string> {
  const needId = await need(sec, communityOrgId, `需求 ${to}`);
  const claim = await api('POST', `/needs/${needId}/claim`, admin, { unitOrgId, plan: '认领实施', startsOn: day(0), endsOn: day(20) });
  expect(claim.statusCode).toBe(201);
  const id = claim.json().project.id as string;
  const step = async (path: string, auth: Auth, body: object) =>
    expect((await api('POST', `/projects/${id}/${path}`, auth, body)).statusCode).toBe(200);
  if (to === 'returned') await step('return', admin, { reason: '人手不足' });
  if (to === 'claimed' || to === 'returned') return id;
  await publishTask(ctx, sec, communityOrgId, { projectId: id, capacity: 2 });
  if (to === 'in_progress') return id;
  await step('deliver', admin, { summary: '已完成' });
  if (to === 'delivered') return id;
  await step('accept', sec, { rating });
  if (to === 'accepted') return id;
  await step('close', sec, {});
  return id;
}

beforeAll(async () => {
  ctx = await createTestContext();
  w = await makeOrgWorld(ctx.database.db, { u1: 'd1', u2: 'd2' });
  const user = async (name: string, role: Role, orgId: string | null) => (await ctx.staff(name, role, orgId)).auth;
  as = {
    sec1: await user('us_sec1', 'secretary', w.c1.id),
    sec2: await user('us_sec2', 'secretary', w.c2.id),
    sec3: await user('us_sec3', 'secretary', w.c3.id),
    dist1: await user('us_dist1', 'district_admin', w.d1.id),
    city: await user('us_city', 'city_admin', null),
    adminU1: await user('us_admin_u1', 'unit_admin', w.u1.id),
    adminU2: await user('us_admin_u2', 'unit_admin', w.u2.id),
  };
  // u1 reports to c1 and c3 (another district), and to c2 from next week (not yet in force); u2 to c3.
  await report(as.adminU1, w.u1.id, as.sec1, w.c1.id);
  await report(as.adminU1, w.u1.id, as.sec3, w.c3.id);
  await report(as.adminU1, w.u1.id, as.sec2, w.c2.id, 7);
  await report(as.adminU2, w.u2.id, as.sec3, w.c3.id);
  // Projects in every state; ratings 5, 3 and 4 on the accepted and closed ones.
  await project(as.sec1, as.adminU1, w.u1.id, w.c1.id, 'claimed');
  await project(as.sec1, as.adminU1, w.u1.id, w.c1.id, 'in_progress');
  await project(as.sec1, as.adminU1, w.u1.id, w.c1.id, 'delivered');
  await project(as.sec1, as.adminU1, w.u1.id, w.c1.id, 'accepted', 5);
  await project(as.sec1, as.adminU1, w.u1.id, w.c1.id, 'closed', 3);
  await project(as.sec1, as.adminU1, w.u1.id, w.c1.id, 'returned');
  await project(as.sec3, as.adminU1, w.u1.id, w.c3.id, 'accepted', 4);
  await project(as.sec3, as.adminU2, w.u2.id, w.c3.id, 'closed', 2);
  // Open needs: two in c2 (nobody reported there yet), one in c3.
  await need(as.sec2, w.c2.id, '开放需求一');
  await need(as.sec2, w.c2.id, '开放需求二');
  await need(as.sec3, w.c3.id, '开放需求三');
});
afterAll(async () => ctx.close());

async function overview(auth: Auth, query: string): Promise<StatsOverview> {
  const res = await api('GET', `/stats/overview?${query}`, auth);
  expect(res.statusCode).toBe(200);
  return res.json();
}

/** A scope's community figures from the tables. `where` picks the communities (ids). */
async function communitySide(communities: string) {
  const [r] = await q<{ open: number; claimed: number; accepted: number }>(`
    select (select count(*)::int from needs where status = 'open' and community_org_id in (${communities})) as open,
           (select count(*)::int from needs n where community_org_id in (${communities})
               and exists (select 1 from projects p where p.need_id = n.id and p.status <> 'returned')) as claimed,
           (select count(*)::int from projects where accepted_at is not null and community_org_id in (${communities})) as accepted`);
  return { needsOpen: r.open, needsClaimed: r.claimed, projectsAccepted: r.accepted };
}

async function unitSide(unitOrgId: string) {
  const [r] = await q<{ agreements: number; claimed: number; delivered: number; accepted: number; rating: number | null }>(
    `select (select count(*)::int from agreements where unit_org_id = $1 and status = 'active'
                and starts_on <= (now() at time zone 'Asia/Shanghai')::date and ends_on >= (now() at time zone 'Asia/Shanghai')::date) as agreements,
            (select count(*)::int from projects where unit_org_id = $1 and returned_at is null) as claimed,
            (select count(*)::int from projects where unit_org_id = $1 and delivered_at is not null) as delivered,
            (select count(*)::int from projects where unit_org_id = $1 and accepted_at is not null) as accepted,
            (select round(avg(rating), 2)::float8 from projects where unit_org_id = $1 and accepted_at is not null) as rating`,
    [unitOrgId],
  );
  return {
    agreements: r.agreements,
    needsClaimed: r.claimed,
    projectsDelivered: r.delivered,
    projectsAccepted: r.accepted,
    projectRating: r.rating,
  };
}

test('a unit: agreements in force, needs claimed, projects delivered and accepted, their mean rating', async () => {
  const u1 = await overview(as.adminU1, `scope=unit&id=${w.u1.id}`);
  expect(u1).toMatchObject(await unitSide(w.u1.id));
  // The figures themselves: c2's agreement starts next week; the returned project is not counted.
  expect(u1).toMatchObject({ agreements: 2, needsClaimed: 6, projectsDelivered: 4, projectsAccepted: 3, projectRating: 4 });
  expect(u1).not.toHaveProperty('needsOpen');
  const u2 = await overview(as.adminU2, `scope=unit&id=${w.u2.id}`);
  expect(u2).toMatchObject({ ...(await unitSide(w.u2.id)), agreements: 1, projectRating: 2 });
});

test('a community, a district and the city: needs open and claimed, projects accepted', async () => {
  const c1 = await overview(as.sec1, `scope=community&id=${w.c1.id}`);
  expect(c1).toMatchObject(await communitySide(`'${w.c1.id}'`));
  // Five taken on (the returned one is open again), two accepted (the closed one counts).
  expect(c1).toMatchObject({ needsOpen: 1, needsClaimed: 5, projectsAccepted: 2 });
  expect(c1).not.toHaveProperty('agreements');
  const d1 = await overview(as.dist1, `scope=district&id=${w.d1.id}`);
  expect(d1).toMatchObject(await communitySide(`select id from party_orgs where district_id = '${w.d1.id}'`));
  expect(d1).toMatchObject({ needsOpen: 3, needsClaimed: 5, projectsAccepted: 2 });
  const city = await overview(as.city, 'scope=city');
  expect(city).toMatchObject(await communitySide('select id from party_orgs'));
  expect(city).toMatchObject({ needsOpen: 4, needsClaimed: 7, projectsAccepted: 4 });
  // The dashboard's overview carries the same figures.
  const dash = await api('GET', `/stats/dashboard?scope=community&id=${w.c1.id}`, as.sec1);
  expect(dash.json().overview).toMatchObject({ needsOpen: 1, needsClaimed: 5, projectsAccepted: 2 });
});

test('an agreement counts from its startsOn', async () => {
  ctx.clock.advance(7 * DAY);
  try {
    expect(await overview(as.adminU1, `scope=unit&id=${w.u1.id}`)).toMatchObject({ agreements: 3 });
  } finally {
    ctx.clock.advance(-7 * DAY);
  }
});

describe('先锋指数+ auto metrics needs_claimed_rate and project_rating', () => {
  test('are in the default catalogue, not admitted', async () => {
    const items = (await api('GET', '/index/indicators', as.city)).json().items as Indicator[];
    const offered = items.filter((i) => i.metric === 'needs_claimed_rate' || i.metric === 'project_rating');
    expect(offered.map((i) => [i.metric, i.admitted, i.method])).toEqual([
      ['needs_claimed_rate', false, 'auto'],
      ['project_rating', false, 'auto'],
    ]);
    expect(offered.every((i) => i.guidance.length > 0)).toBe(true);
    // Not admitted: the ranking has no such part.
    const ranking = (await api('GET', '/index/ranking', as.city)).json();
    expect(ranking.items[0].parts.map((p: { key: string }) => p.key)).not.toContain('needs_claimed_rate');
  });

  test('admitted, each community scores them from its month: values equal the tables', async () => {
    const items = (await api('GET', '/index/indicators', as.city)).json().items as Indicator[];
    const admitted = items.map((i) => (i.metric === 'needs_claimed_rate' || i.metric === 'project_rating' ? { ...i, admitted: true } : i));
    expect((await api('PUT', '/index/indicators', as.city, { items: admitted })).statusCode).toBe(200);
    const ranking = (await api('GET', '/index/ranking?limit=100', as.city)).json();
    const [y, m] = (ranking.period as string).split('-').map(Number);
    const from = new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000).toISOString();
    const to = new Date(Date.UTC(y, m, 1) - 8 * 3600_000).toISOString();
    for (const c of [w.c1, w.c2, w.c3]) {
      const [r] = await q<{ published: number; claimed: number; rating: number | null; accepted: number }>(
        `select (select count(*)::int from needs where community_org_id = $1 and created_at >= $2 and created_at < $3) as published,
                (select count(*)::int from needs n where community_org_id = $1 and created_at >= $2 and created_at < $3
                    and exists (select 1 from projects p where p.need_id = n.id and p.status <> 'returned')) as claimed,
                (select count(*)::int from projects where community_org_id = $1 and accepted_at >= $2 and accepted_at < $3) as accepted,
                (select round(avg(rating), 2)::float8 from projects where community_org_id = $1 and accepted_at >= $2 and accepted_at < $3) as rating`,
        [c.id, from, to],
      );
      const item = ranking.items.find((x: { org: { id: string } }) => x.org.id === c.id);
      const values = Object.fromEntries(item.parts.map((p: { key: string; value: number | null }) => [p.key, p.value]));
      expect({ id: c.id, rate: values.needs_claimed_rate, rating: values.project_rating }).toEqual({
        id: c.id,
        rate: r.published ? Math.round((r.claimed / r.published) * 10000) / 10000 : null,
        rating: r.rating,
      });
      const explained = (await api('GET', `/index/orgs/${c.id}`, as.city)).json();
      const part = explained.parts.find((p: { key: string }) => p.key === 'project_rating');
      expect(part.figures).toEqual([{ label: '当月验收项目', value: r.accepted }]);
      // The part's score: weight × maxScore × its share between zeroAt 1 and fullAt 5.
      expect(part.score).toBeCloseTo(r.rating === null ? 0 : Math.round(10 * ((r.rating - 1) / 4) * 100) / 100, 2);
    }
    const c1 = ranking.items.find((x: { org: { id: string } }) => x.org.id === w.c1.id);
    // c1: six needs published this month, five taken on; accepted projects rated 5 and 3.
    expect(Object.fromEntries(c1.parts.map((p: { key: string; value: number | null }) => [p.key, p.value]))).toMatchObject({
      needs_claimed_rate: 0.8333,
      project_rating: 4,
    });
    // A new claim moves the figure at the next read (the ranking is cached between reads).
    const open = await need(as.sec3, w.c3.id, '再来一个');
    const claim = await api('POST', `/needs/${open}/claim`, as.adminU2, {
      unitOrgId: w.u2.id,
      plan: '认领',
      startsOn: day(0),
      endsOn: day(3),
    });
    expect(claim.statusCode).toBe(201);
    const after = (await api('GET', `/index/orgs/${w.c3.id}`, as.city)).json();
    const [{ published, claimed }] = await q<{ published: number; claimed: number }>(
      `select count(*)::int as published, count(*) filter (where status in ('claimed', 'closed'))::int as claimed
         from needs where community_org_id = $1 and created_at >= $2 and created_at < $3`,
      [w.c3.id, from, to],
    );
    expect(after.parts.find((p: { key: string }) => p.key === 'needs_claimed_rate').value).toBe(
      Math.round((claimed / published) * 10000) / 10000,
    );
  });
});
