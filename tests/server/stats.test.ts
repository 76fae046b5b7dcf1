import { pioneerCodeServiceFactory } from '../../server/src/modules/codes/pioneer-code';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg } from '../helpers/fixtures';
import { insertMembers, makeSecretary, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/** Nor does it convene meetings (共商共办). */
const NO_MEETINGS = { held: 0, actions: 0, actionsOnTime: 0, actionsOverdue: 0, handled: 0 };
/** 组织报到 figures of a place without needs or projects (tests/server/units-stats.test.ts has some). */
const NO_NEEDS = { needsOpen: 0, needsClaimed: 0, projectsAccepted: 0 };
const NO_PROJECTS = { agreements: 0, needsClaimed: 0, projectsDelivered: 0, projectsAccepted: 0, projectRating: null };
/** This fixture raises no whistles: their figures are zero, and rates without a denominator null. */
const NO_WHISTLES = {
  whistles: 0,
  assignments: 0,
  responseRate: null,
  closeRate: null,
  medianHoursToAnswer: null,
  satisfaction: null,
  overdue: 0,
};

let ctx: TestContext;
const MINUTE = 60_000;
const T0 = new Date('2030-05-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);
const iso = (minutes: number) => at(minutes).toISOString();

let d1: { id: string };
let d2: { id: string };
let c1: { id: string };
let u1: { id: string };
let u2: { id: string };
let u1Admin: { authorization: string };
let c2: { id: string };
let c3: { id: string };
let cityAdmin: { authorization: string };
let d1Admin: { authorization: string };
let sec1: { authorization: string };
let sec2: { authorization: string };
let sec3: { authorization: string };
let m1: FixtureMember;
let m2: FixtureMember;
let m3: FixtureMember;

const overview = (auth: { authorization: string }, query: string) =>
  ctx.app.inject({ method: 'GET', url: `/api/v1/stats/overview?${query}`, headers: auth });

/**
 * A small city with known answers: district 1 holds communities 1 and 2 and unit orgs 1
 * and 2; district 2 holds community 3 and unit org 3. Three members, all of unit org 1,
 * two living in community 1 and one in community 3. Five posts:
 *   A (c1, 2 slots) fills 30 min after opening; m1 serves 30 min on it
 *   B (c1, 1 slot, opens at +60) fills 10 min after opening
 *   C (c3, 1 slot) fills, then its claim is cancelled: not filled, no participation
 *   D (c1, 3 slots) one claim; m2 serves 45 min
 *   E (c2) published and cancelled, never claimed
 */
beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  const db = ctx.database.db;
  d1 = await makeDistrict(db);
  d2 = await makeDistrict(db);
  c1 = await makeCommunity(db, d1.id);
  c2 = await makeCommunity(db, d1.id);
  c3 = await makeCommunity(db, d2.id);
  u1 = await makeUnitOrg(db, d1.id);
  u2 = await makeUnitOrg(db, d1.id);
  await makeUnitOrg(db, d2.id);
  [m1, m2] = await insertMembers(ctx, { community: c1, estate: await makeEstate(db, c1.id), unitOrg: u1 }, 2, 'stats-c1');
  [m3] = await insertMembers(ctx, { community: c3, estate: await makeEstate(db, c3.id), unitOrg: u1 }, 1, 'stats-c3');

  const admin = await ctx.signIn('stats-city');
  await ctx.grant(admin.userId, 'city_admin', null);
  cityAdmin = admin.auth;
  const dAdmin = await ctx.signIn('stats-d1');
  await ctx.grant(dAdmin.userId, 'district_admin', d1.id);
  d1Admin = dAdmin.auth;
  const uAdmin = await ctx.signIn('stats-u1');
  await ctx.grant(uAdmin.userId, 'unit_admin', u1.id);
  u1Admin = uAdmin.auth;
  sec1 = (await makeSecretary(ctx, c1.id, 'stats-sec1')).auth;
  sec2 = (await makeSecretary(ctx, c2.id, 'stats-sec2')).auth;
  sec3 = (await makeSecretary(ctx, c3.id, 'stats-sec3')).auth;

  const day = 24 * 60;
  const a = await publishTask(ctx, sec1, c1.id, { capacity: 2, startsAt: iso(day), endsAt: iso(day + 120) });
  const b = await publishTask(ctx, sec1, c1.id, { capacity: 1, claimOpensAt: iso(60), startsAt: iso(day), endsAt: iso(day + 120) });
  const c = await publishTask(ctx, sec3, c3.id, { capacity: 1, startsAt: iso(day), endsAt: iso(day + 120) });
  const d = await publishTask(ctx, sec1, c1.id, { capacity: 3, startsAt: iso(day + 200), endsAt: iso(day + 400) });
  const e = await publishTask(ctx, sec2, c2.id, { capacity: 1, startsAt: iso(day), endsAt: iso(day + 120) });

  const claim = async (taskId: string, m: FixtureMember, minute: number) => {
    ctx.clock.set(at(minute));
    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${taskId}/claims`, headers: m.auth });
    if (res.statusCode !== 201) throw new Error(`claim failed: ${res.body}`);
  };
  await claim(c.id, m3, 5);
  await claim(a.id, m1, 10);
  await claim(d.id, m2, 12);
  await claim(a.id, m2, 30);
  await claim(b.id, m1, 70);
  ctx.clock.set(at(80));
  expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/tasks/${c.id}/claims/me`, headers: m3.auth })).statusCode).toBe(200);
  expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${e.id}/cancel`, headers: sec2 })).statusCode).toBe(200);

  const codes = pioneerCodeServiceFactory({ secret: ctx.config.pioneerCodeSecret, clock: ctx.clock });
  const scan = async (kind: string, taskId: string, m: FixtureMember, minute: number) => {
    ctx.clock.set(at(minute));
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${taskId}/${kind}`,
      headers: sec1,
      payload: { token: codes.issue(m.memberId).token },
    });
    if (res.statusCode !== 200) throw new Error(`${kind} failed: ${res.body}`);
  };
  await scan('check-ins', a.id, m1, day);
  await scan('check-outs', a.id, m1, day + 30);
  await scan('check-ins', d.id, m2, day + 200);
  await scan('check-outs', d.id, m2, day + 245.5);
  // Statistics read the roll-ups: run the job the server runs every second.
  await ctx.app.rollups.refresh();
});
afterAll(async () => ctx.close());

describe('statistics overview', () => {
  it('answers the city with every figure', async () => {
    const res = await overview(cityAdmin, 'scope=city');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      districts: 2,
      communityOrgs: 3,
      unitOrgs: 3,
      communityOrgsOnboarded: 2,
      unitOrgsOnboarded: 1,
      members: 3,
      tasksPublished: 5,
      tasksFilled: 2,
      participations: 4,
      serviceMinutes: 75,
      medianMinutesToFull: 20,
      whistles: NO_WHISTLES,
      meetings: NO_MEETINGS,
      ...NO_NEEDS,
      // No homeowner registry here (tests/server/households.test.ts covers it).
      households: 0,
      householdsWithMember: 0,
    });
  });

  it('answers a district and a community from their own rows', async () => {
    const district = await overview(d1Admin, `scope=district&id=${d1.id}`);
    expect(district.json()).toEqual({
      districts: 1,
      communityOrgs: 2,
      unitOrgs: 2,
      communityOrgsOnboarded: 1,
      unitOrgsOnboarded: 1,
      members: 2,
      tasksPublished: 4,
      tasksFilled: 2,
      participations: 4,
      serviceMinutes: 75,
      medianMinutesToFull: 20,
      whistles: NO_WHISTLES,
      meetings: NO_MEETINGS,
      ...NO_NEEDS,
      // No homeowner registry here (tests/server/households.test.ts covers it).
      households: 0,
      householdsWithMember: 0,
    });
    const quiet = await overview(cityAdmin, `scope=district&id=${d2.id}`);
    expect(quiet.json()).toEqual({
      districts: 1,
      communityOrgs: 1,
      unitOrgs: 1,
      communityOrgsOnboarded: 1,
      unitOrgsOnboarded: 0,
      members: 1,
      tasksPublished: 1,
      tasksFilled: 0,
      participations: 0,
      serviceMinutes: 0,
      medianMinutesToFull: null,
      whistles: NO_WHISTLES,
      meetings: NO_MEETINGS,
      ...NO_NEEDS,
      // No homeowner registry here (tests/server/households.test.ts covers it).
      households: 0,
      householdsWithMember: 0,
    });
    const community = await overview(sec1, `scope=community&id=${c1.id}`);
    expect(community.json()).toEqual({
      districts: 1,
      communityOrgs: 1,
      unitOrgs: 1,
      communityOrgsOnboarded: 1,
      unitOrgsOnboarded: 1,
      members: 2,
      tasksPublished: 3,
      tasksFilled: 2,
      participations: 4,
      serviceMinutes: 75,
      medianMinutesToFull: 20,
      whistles: NO_WHISTLES,
      meetings: NO_MEETINGS,
      ...NO_NEEDS,
      // No homeowner registry here (tests/server/households.test.ts covers it).
      households: 0,
      householdsWithMember: 0,
    });
  });

  it('lets each role read only its own scope', async () => {
    expect((await overview(d1Admin, `scope=community&id=${c2.id}`)).statusCode).toBe(200);
    expect((await overview(cityAdmin, `scope=community&id=${c3.id}`)).statusCode).toBe(200);
    const refused: Array<[{ authorization: string }, string]> = [
      [d1Admin, 'scope=city'],
      [d1Admin, `scope=district&id=${d2.id}`],
      [d1Admin, `scope=community&id=${c3.id}`],
      [sec2, `scope=community&id=${c1.id}`],
      [sec1, `scope=district&id=${d1.id}`],
      [sec1, 'scope=city'],
      [m1.auth, `scope=community&id=${c1.id}`],
      [m1.auth, 'scope=city'],
    ];
    for (const [auth, query] of refused) {
      const res = await overview(auth, query);
      expect({ query, status: res.statusCode, code: res.json().code }).toEqual({ query, status: 403, code: 'FORBIDDEN' });
    }
    expect((await overview(cityAdmin, 'scope=community&id=00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await overview(cityAdmin, 'scope=district')).statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/overview?scope=city' })).statusCode).toBe(401);
  });

  it('shows a unit org the community service of its own members, wherever they live', async () => {
    const res = await overview(u1Admin, `scope=unit&id=${u1.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      districts: 2,
      communityOrgs: 2,
      unitOrgs: 1,
      communityOrgsOnboarded: 2,
      unitOrgsOnboarded: 1,
      members: 3,
      tasksPublished: 3,
      tasksFilled: 2,
      participations: 4,
      serviceMinutes: 75,
      medianMinutesToFull: 20,
      whistles: NO_WHISTLES,
      meetings: NO_MEETINGS,
      ...NO_PROJECTS,
      // No homeowner registry here (tests/server/households.test.ts covers it).
      households: 0,
      householdsWithMember: 0,
    });
    expect((await overview(d1Admin, `scope=unit&id=${u1.id}`)).statusCode).toBe(200);
    const empty = await overview(cityAdmin, `scope=unit&id=${u2.id}`);
    expect(empty.json()).toEqual(
      expect.objectContaining({ members: 0, participations: 0, unitOrgsOnboarded: 0, medianMinutesToFull: null }),
    );
    for (const [auth, query] of [
      [u1Admin, `scope=unit&id=${u2.id}`],
      [u1Admin, `scope=community&id=${c1.id}`],
      [sec1, `scope=unit&id=${u1.id}`],
      [m1.auth, `scope=unit&id=${u1.id}`],
    ] as Array<[{ authorization: string }, string]>) {
      expect((await overview(auth, query)).statusCode).toBe(403);
    }
    expect((await overview(cityAdmin, `scope=unit&id=${c1.id}`)).statusCode).toBe(404);
  });
});
