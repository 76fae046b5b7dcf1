import { makeCommunity, makeDistrict, makeUnitOrg } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { whistleStatsFactory } from '../../server/src/modules/whistles/whistle-stats-repository';

const HOUR = 3600_000;
type Auth = { authorization: string };

/**
 * A fixture with known answers, driven through the API under a manual clock (t0 = start):
 * W1 lead U5: signed +2h, answered +10h, closed, rated 4.
 * W2 lead U6 (signed +3h, answered +5h), assist U5 (signed +30h, answered +40h): closed, rated 2.
 * W3 lead U5, due +48h, never signed. W4 lead U5, raised +71h, due +200h. All raised by community C.
 * W5 raised by district D, lead U6, never signed. Figures read at +72h.
 */
describe('whistle statistics', () => {
  let ctx: TestContext;
  let t0: number;
  let ids: { d: string; c: string; u5: string; u6: string };
  let as: Record<'sec' | 'dist' | 'lia5' | 'lia6' | 'admin5', Auth>;

  const api = (method: 'GET' | 'POST', url: string, auth: Auth, payload?: object) => ctx.api(method, url, auth, payload);
  const at = (hours: number) => ctx.clock.set(t0 + hours * HOUR);
  const must = async (method: 'GET' | 'POST', url: string, auth: Auth, payload?: object) => {
    const res = await api(method, url, auth, payload);
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const raise = async (auth: Auth, addressedTo: Array<{ orgId: string; part: string }>, dueHours: number) =>
    (
      await must('POST', '/whistles', auth, {
        title: '统计用吹哨',
        description: '统计夹具',
        category: 'traffic',
        location: '某处',
        dueAt: new Date(t0 + dueHours * HOUR).toISOString(),
        addressedTo,
      })
    ).whistle.id as string;
  const step = (id: string, org: string, action: string, auth: Auth, payload?: object) =>
    must('POST', `/whistles/${id}/assignments/${org}/${action}`, auth, payload);
  const closeAndRate = async (id: string, satisfaction: number) => {
    await must('POST', `/whistles/${id}/verify`, as.sec);
    await must('POST', `/whistles/${id}/close`, as.sec);
    await must('POST', `/whistles/${id}/rate`, as.sec, { satisfaction });
  };

  beforeAll(async () => {
    ctx = await createTestContext();
    const db = ctx.database.db;
    const d = await makeDistrict(db);
    const c = await makeCommunity(db, d.id);
    const u5 = await makeUnitOrg(db, d.id);
    const u6 = await makeUnitOrg(db, d.id);
    ids = { d: d.id, c: c.id, u5: u5.id, u6: u6.id };
    const user = async (name: string, role: 'secretary' | 'district_admin' | 'unit_liaison' | 'unit_admin', orgId: string) =>
      (await ctx.staff(name, role, orgId)).auth;
    as = {
      sec: await user('ws_sec', 'secretary', c.id),
      dist: await user('ws_dist', 'district_admin', d.id),
      lia5: await user('ws_lia5', 'unit_liaison', u5.id),
      lia6: await user('ws_lia6', 'unit_liaison', u6.id),
      admin5: await user('ws_admin5', 'unit_admin', u5.id),
    };

    t0 = Math.floor(ctx.clock.now().getTime() / 1000) * 1000;
    at(0);
    const w1 = await raise(as.sec, [{ orgId: u5.id, part: 'lead' }], 100);
    const w2 = await raise(
      as.sec,
      [
        { orgId: u6.id, part: 'lead' },
        { orgId: u5.id, part: 'assist' },
      ],
      100,
    );
    await raise(as.sec, [{ orgId: u5.id, part: 'lead' }], 48);
    await raise(as.dist, [{ orgId: u6.id, part: 'lead' }], 100);
    at(2);
    await step(w1, u5.id, 'sign', as.lia5);
    at(3);
    await step(w2, u6.id, 'sign', as.lia6);
    at(5);
    await step(w2, u6.id, 'answer', as.lia6, { text: '已处理' });
    at(10);
    await step(w1, u5.id, 'answer', as.lia5, { text: '已处理' });
    await closeAndRate(w1, 4);
    at(30);
    await step(w2, u5.id, 'sign', as.lia5);
    at(40);
    await step(w2, u5.id, 'answer', as.lia5, { text: '已协办' });
    await closeAndRate(w2, 2);
    at(71);
    await raise(as.sec, [{ orgId: u5.id, part: 'lead' }], 200);
    at(72);
  });
  afterAll(async () => ctx.close());

  it('a unit: received, response rate within 24 h, close rate, median hours to answer, satisfaction, overdue', async () => {
    const res = await must('GET', `/stats/overview?scope=unit&id=${ids.u5}`, as.lia5);
    expect(res.whistles).toEqual({
      whistles: 4,
      assignments: 4,
      responseRate: 0.3333, // W1 signed in 2 h; W2 in 30 h; W3 past 24 h unsigned; W4 still within its 24 h
      closeRate: 0.5,
      medianHoursToAnswer: 25, // 10 h and 40 h
      satisfaction: 3,
      overdue: 1, // W3
    });
    expect((await must('GET', `/stats/overview?scope=unit&id=${ids.u6}`, as.lia6)).whistles).toEqual({
      whistles: 2,
      assignments: 2,
      responseRate: 0.5,
      closeRate: 0.5,
      medianHoursToAnswer: 5,
      satisfaction: 2,
      overdue: 0,
    });
    expect((await api('GET', `/stats/overview?scope=unit&id=${ids.u5}`, as.admin5)).statusCode).toBe(200);
    expect((await api('GET', `/stats/overview?scope=unit&id=${ids.u6}`, as.lia5)).statusCode).toBe(403);
  });

  it('a community (whistles it raised) and a district (its own and its communities’)', async () => {
    expect((await must('GET', `/stats/overview?scope=community&id=${ids.c}`, as.sec)).whistles).toEqual({
      whistles: 4,
      assignments: 5,
      responseRate: 0.5,
      closeRate: 0.5,
      medianHoursToAnswer: 10, // 5, 10, 40
      satisfaction: 3,
      overdue: 1,
    });
    expect((await must('GET', `/stats/overview?scope=district&id=${ids.d}`, as.dist)).whistles).toEqual({
      whistles: 5,
      assignments: 6,
      responseRate: 0.4,
      closeRate: 0.4,
      medianHoursToAnswer: 10,
      satisfaction: 3,
      overdue: 1,
    });
  });

  it('the 先锋指数 inputs: the same figures per community for a period, by one call', async () => {
    const stats = whistleStatsFactory(ctx.database.db);
    const now = ctx.clock.now();
    const all = await stats.figuresByCommunity({ from: new Date(t0), to: new Date(t0 + 80 * HOUR) }, now);
    expect(all.get(ids.c)).toEqual((await must('GET', `/stats/overview?scope=community&id=${ids.c}`, as.sec)).whistles);
    const late = await stats.figuresByCommunity({ from: new Date(t0 + 70 * HOUR), to: new Date(t0 + 80 * HOUR) }, now, [ids.c]);
    expect(late.get(ids.c)).toEqual({
      whistles: 1,
      assignments: 1,
      responseRate: null,
      closeRate: 0,
      medianHoursToAnswer: null,
      satisfaction: null,
      overdue: 0,
    });
    expect((await stats.figuresByCommunity({ from: new Date(t0 - 10 * HOUR), to: new Date(t0) }, now)).size).toBe(0);
    expect(
      await stats.figures({ scope: 'unit', id: ids.u5 }, now, { from: new Date(t0 + 70 * HOUR), to: new Date(t0 + 80 * HOUR) }),
    ).toMatchObject({
      whistles: 1,
      overdue: 0,
    });
  });
});
