import type { OrgIndex, Ranking } from '@pioneer/shared';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg } from '../helpers/fixtures';
import { insertMembers, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

type Auth = { authorization: string };
let ctx: TestContext;
let w: Record<'d1' | 'd2' | 'c1' | 'u1' | 'u2' | 'u3', { id: string }>;
let as: Record<'sec' | 'dist1' | 'dist2' | 'city' | 'adminU1' | 'adminU2' | 'liaU1', Auth>;
let world: { estate: { id: string }; postId: string };

const api = (method: 'GET' | 'POST', url: string, auth: Auth, payload?: unknown) => ctx.api(method, url, auth, payload);
const day = (offset: number) => new Date(ctx.clock.now().getTime() + 8 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10);
const period = () => new Date(ctx.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 7);

beforeAll(async () => {
  // The roll-ups (members and participations) move only when a test runs the job; the board is
  // scored on every call (its kept board has its own test: units-board-cache.test.ts).
  ctx = await createTestContext({ env: { ROLLUP_INTERVAL_MS: '0', UNIT_BOARD_CACHE_MS: '0' } });
  const db = ctx.database.db;
  const d1 = await makeDistrict(db);
  const d2 = await makeDistrict(db);
  const c1 = await makeCommunity(db, d1.id);
  const estate = await makeEstate(db, c1.id);
  w = { d1, d2, c1, u1: await makeUnitOrg(db, d1.id), u2: await makeUnitOrg(db, d1.id), u3: await makeUnitOrg(db, d2.id) };
  const user = async (name: string, role: Parameters<TestContext['grant']>[1], orgId: string | null) =>
    (await ctx.staff(name, role, orgId)).auth;
  as = {
    sec: await user('ix_sec', 'secretary', c1.id),
    dist1: await user('ix_d1', 'district_admin', d1.id),
    dist2: await user('ix_d2', 'district_admin', d2.id),
    city: await user('ix_city', 'city_admin', null),
    adminU1: await user('ix_admin_u1', 'unit_admin', w.u1.id),
    adminU2: await user('ix_admin_u2', 'unit_admin', w.u2.id),
    liaU1: await user('ix_lia_u1', 'unit_liaison', w.u1.id),
  };
  // u1 and u2 report to c1; u1 claims three needs (one returned), two accepted (ratings 5 and 3); u2 claims one.
  for (const [auth, unitOrgId] of [
    [as.adminU1, w.u1.id],
    [as.adminU2, w.u2.id],
  ] as const) {
    const a = await api('POST', '/agreements', auth, {
      unitOrgId,
      communityOrgId: c1.id,
      startsOn: day(0),
      endsOn: day(300),
      commitments: '开展共建服务',
      contactName: '张联络',
      contactPhone: '13700001234',
    });
    await api('POST', `/agreements/${a.json().agreement.id}/accept`, as.sec, {});
  }
  const claimNeed = async (auth: Auth, unitOrgId: string, title: string) => {
    const need = await api('POST', '/needs', as.sec, { communityOrgId: c1.id, title, category: 'care', description: '社区需求' });
    const p = await api('POST', `/needs/${need.json().need.id}/claim`, auth, {
      unitOrgId,
      plan: '认领实施',
      startsOn: day(0),
      endsOn: day(10),
    });
    return p.json().project.id as string;
  };
  const finish = async (projectId: string, rating: number) => {
    await publishTask(ctx, as.sec, c1.id, { projectId, capacity: 2 });
    await api('POST', `/projects/${projectId}/deliver`, as.liaU1, { summary: '已完成' });
    const r = await api('POST', `/projects/${projectId}/accept`, as.sec, { rating });
    expect(r.statusCode).toBe(200);
  };
  await finish(await claimNeed(as.adminU1, w.u1.id, '需求一'), 5);
  await finish(await claimNeed(as.adminU1, w.u1.id, '需求二'), 3);
  const returned = await claimNeed(as.adminU1, w.u1.id, '需求三');
  await api('POST', `/projects/${returned}/return`, as.adminU1, { reason: '人手不足' });
  await claimNeed(as.adminU2, w.u2.id, '需求四');
  // A whistle led by u1 and assisted by u2; u1 signs.
  const whistle = await api('POST', '/whistles', as.sec, {
    title: '路灯损坏',
    description: '小区路灯损坏需维修',
    category: 'facilities',
    location: '一号路',
    dueAt: new Date(ctx.clock.now().getTime() + 3 * 86400_000).toISOString(),
    addressedTo: [
      { orgId: w.u1.id, part: 'lead' },
      { orgId: w.u2.id, part: 'assist' },
    ],
  });
  expect(whistle.statusCode).toBe(201);
  expect((await api('POST', `/whistles/${whistle.json().whistle.id}/assignments/${w.u1.id}/sign`, as.liaU1, {})).statusCode).toBe(200);
  // Members of u1 take part in posts.
  const members = await insertMembers(ctx, { community: c1, estate, unitOrg: w.u1 }, 4, 'ixm');
  // A post of this month (the board counts participations by the post's month): in two hours.
  const starts = ctx.clock.now().getTime() + 2 * 3600_000;
  const post = await publishTask(ctx, as.sec, c1.id, {
    capacity: 10,
    startsAt: new Date(starts).toISOString(),
    endsAt: new Date(starts + 2 * 3600_000).toISOString(),
  });
  for (const m of members.slice(0, 3)) expect((await api('POST', `/tasks/${post.id}/claims`, m.auth)).statusCode).toBe(201);
  world = { estate, postId: post.id };
  await ctx.app.rollups.refresh();
});
afterAll(async () => ctx.close());

/** The same figures, straight from the tables with SQL of the test's own. */
async function expected(unitOrgId: string) {
  const q = async (text: string) => (await ctx.database.pool.query(text, [unitOrgId])).rows[0];
  const now = ctx.clock.now().toISOString();
  const meetings = await q(`select count(*)::int as invited,
           count(*) filter (where exists (select 1 from meeting_attendance t where t.meeting_id = m.id and t.org_id = i.org_id))::int as attended
      from meeting_invites i join meetings m on m.id = i.meeting_id where m.status = 'held' and i.org_id = $1`);
  const actions = (
    await ctx.database.pool.query(
      `select count(*)::int as due, count(*) filter (where done_at is not null and done_at <= due_at and status in ('done', 'confirmed'))::int as on_time,
              count(*) filter (where status not in ('done', 'confirmed') and (due_at <= $2
                or exists (select 1 from meeting_milestones s where s.action_id = a.id and s.done_at is null and s.due_at <= $2)))::int as overdue
         from meeting_actions a where owner_org_id = $1`,
      [unitOrgId, now],
    )
  ).rows[0];
  const wa =
    await q(`select count(*)::int as n, count(a.signed_at)::int as signed, count(*) filter (where w.status in ('closed','rated'))::int as closed
                        from whistle_assignments a join whistles w on w.id = a.whistle_id where a.org_id = $1 and a.part <> 'inform'`);
  const claimed = await q(`select count(*)::int as n from projects where unit_org_id = $1 and status <> 'returned'`);
  const accepted = await q(
    `select count(*)::int as n, avg(rating)::float8 as r from projects where unit_org_id = $1 and accepted_at is not null`,
  );
  const part = await q(
    `select count(*)::int as n from claims c join members m on m.id = c.member_id where m.unit_org_id = $1 and c.status = 'claimed'`,
  ); // every post of the test starts in the board's month
  const mem = await q(`select count(*)::int as n from members where unit_org_id = $1`);
  const r4 = (v: number) => Math.round(v * 10000) / 10000;
  return {
    whistle_response_rate: wa.n ? r4(wa.signed / wa.n) : null,
    whistle_close_rate: wa.n ? r4(wa.closed / wa.n) : null,
    whistle_satisfaction: null,
    needs_claimed: claimed.n,
    projects_accepted: accepted.n,
    project_rating: accepted.r === null ? null : Math.round(accepted.r * 100) / 100,
    participations_per_member: mem.n ? r4(part.n / mem.n) : null,
    meetings_attended: meetings.invited ? r4(meetings.attended / meetings.invited) : null,
    actions_on_time: actions.due ? r4(actions.on_time / actions.due) : null,
    actions_overdue: actions.due ? actions.overdue : null,
  };
}

test('the board: parts equal figures from the tables and add up to the score; ranked', async () => {
  const res = await api('GET', `/index/units?period=${period()}`, as.city);
  expect(res.statusCode).toBe(200);
  const board: Ranking = res.json();
  expect(board.items.map((i) => i.org.id).sort()).toEqual([w.u1.id, w.u2.id, w.u3.id].sort());
  for (const item of board.items) {
    const values = Object.fromEntries(item.parts.map((p) => [p.key, p.value]));
    expect(values).toEqual(await expected(item.org.id));
    expect(item.score).toBeCloseTo(
      item.parts.reduce((s, p) => s + p.score, 0),
      6,
    );
  }
  const u1 = board.items.find((i) => i.org.id === w.u1.id)!;
  expect(Object.fromEntries(u1.parts.map((p) => [p.key, p.value]))).toMatchObject({
    whistle_response_rate: 1,
    needs_claimed: 2,
    projects_accepted: 2,
    project_rating: 4,
    participations_per_member: 0.75,
  });
  expect(u1.rank).toBe(1);
  expect(board.items.find((i) => i.org.id === w.u3.id)!.score).toBe(0);
});

test('共商共办 in the board: meetings attended, actions on time and overdue equal the tables, explained', async () => {
  const t0 = ctx.clock.now().getTime();
  const HOUR = 3600_000;
  // Inside this month whatever today is: from its 3rd, 09:00 in Changshu.
  const local = new Date(t0 + 8 * HOUR);
  const base = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), 3, 1);
  const iso = (h: number) => new Date(base + h * HOUR).toISOString();
  ctx.clock.set(base);
  try {
    const created = await api('POST', '/meetings', as.sec, {
      kind: 'coordination',
      title: '停车协调会',
      startsAt: iso(2),
      location: '党群服务中心',
      agenda: [{ title: '明确分工' }],
      invitedOrgIds: [w.u1.id, w.u2.id],
    });
    expect(created.statusCode).toBe(201);
    const m = created.json().meeting.id as string;
    const { token } = (await api('GET', `/meetings/${m}/checkin`, as.sec)).json();
    ctx.clock.set(base + 2 * HOUR);
    expect((await api('POST', `/meetings/${m}/attendance`, as.liaU1, { token })).statusCode).toBe(201);
    ctx.clock.set(base + 3 * HOUR);
    expect((await api('POST', `/meetings/${m}/close`, as.sec, { minutes: '纪要', decisions: ['分工'] })).statusCode).toBe(200);
    const action = async (ownerOrgId: string, dueInHours: number) => {
      const res = await api('POST', `/meetings/${m}/actions`, as.sec, { title: '任务', ownerOrgId, dueAt: iso(dueInHours) });
      expect(res.statusCode).toBe(201);
      return res.json().action.id as string;
    };
    const onTime = await action(w.u1.id, 48);
    await action(w.u1.id, 72);
    await action(w.u2.id, 20 * 24);
    ctx.clock.set(base + 24 * HOUR);
    expect((await api('POST', `/actions/${onTime}/done`, as.liaU1, { note: '已完成' })).statusCode).toBe(200);
    // Day 8: u1's second action is overdue, u2's is not yet due.
    ctx.clock.set(base + 5 * 24 * HOUR);
    const board: Ranking = (await api('GET', `/index/units?period=${period()}`, as.city)).json();
    for (const item of board.items) {
      expect(Object.fromEntries(item.parts.map((p) => [p.key, p.value]))).toEqual(await expected(item.org.id));
      expect(item.score).toBeCloseTo(
        item.parts.reduce((sum, p) => sum + p.score, 0),
        6,
      );
    }
    const values = (id: string) => Object.fromEntries(board.items.find((i) => i.org.id === id)!.parts.map((p) => [p.key, p.value]));
    expect(values(w.u1.id)).toMatchObject({ meetings_attended: 1, actions_on_time: 0.5, actions_overdue: 1 });
    expect(values(w.u2.id)).toMatchObject({ meetings_attended: 0, actions_on_time: 0, actions_overdue: 0 });
    expect(values(w.u3.id)).toMatchObject({ meetings_attended: null, actions_on_time: null, actions_overdue: null });
    const e: OrgIndex = (await api('GET', `/index/units/${w.u1.id}?period=${period()}`, as.liaU1)).json();
    const part = (key: string) => e.parts.find((p) => p.key === key)!;
    expect(part('meetings_attended').figures).toEqual([
      { label: '受邀会议（已召开）', value: 1 },
      { label: '到会', value: 1 },
    ]);
    expect(part('actions_overdue')).toMatchObject({
      value: 1,
      // 4 points at 0 overdue, none at 3: one overdue keeps two thirds.
      score: 2.67,
      figures: [
        { label: '当月到期任务', value: 2 },
        { label: '按期完成', value: 1 },
        { label: '逾期未完成', value: 1 },
      ],
    });
    expect(part('actions_on_time').score).toBe(4);
    expect(e.parts.reduce((sum, p) => sum + p.weight * p.maxScore, 0)).toBe(100);
  } finally {
    ctx.clock.set(t0);
  }
});

test('a page of the board: the same entries as the whole board, total counting every unit', async () => {
  const whole: Ranking = (await api('GET', `/index/units?period=${period()}`, as.city)).json();
  expect(whole.total).toBe(3);
  expect(whole.items).toHaveLength(3);
  const page = await api('GET', `/index/units?period=${period()}&limit=2&offset=1`, as.city);
  expect(page.statusCode).toBe(200);
  const p: Ranking = page.json();
  expect(p.total).toBe(3);
  expect(p.items).toEqual(whole.items.slice(1, 3));
  const top: Ranking = (await api('GET', `/index/units?period=${period()}&limit=1`, as.city)).json();
  expect(top.items).toEqual(whole.items.slice(0, 1));
  expect(((await api('GET', `/index/units?period=${period()}&offset=5`, as.city)).json() as Ranking).items).toEqual([]);
  expect((await api('GET', '/index/units?limit=0', as.city)).statusCode).toBe(400);
  expect((await api('GET', '/index/units?limit=5001', as.city)).statusCode).toBe(400);
});

test('scope: district admins their district, a unit its own explanation, nobody else', async () => {
  const d2 = (await api('GET', `/index/units?period=${period()}`, as.dist2)).json() as Ranking;
  expect(d2.items.map((i) => i.org.id)).toEqual([w.u3.id]);
  expect((await api('GET', `/index/units?districtId=${w.d1.id}`, as.dist2)).statusCode).toBe(403);
  expect((await api('GET', '/index/units', as.sec)).statusCode).toBe(403);
  expect((await api('GET', '/index/units', as.adminU1)).statusCode).toBe(403);
  const mine = await api('GET', `/index/units/${w.u1.id}?period=${period()}`, as.liaU1);
  expect(mine.statusCode).toBe(200);
  const e: OrgIndex = mine.json();
  expect(e.score).toBeCloseTo(
    e.parts.reduce((s, p) => s + p.score, 0),
    6,
  );
  expect(e.parts.find((p) => p.key === 'project_rating')!.figures).toEqual([{ label: '验收项目', value: 2 }]);
  expect((await api('GET', `/index/units/${w.u1.id}`, as.adminU2)).statusCode).toBe(403);
  expect((await api('GET', `/index/units/${w.u3.id}`, as.dist1)).statusCode).toBe(403);
  expect((await api('GET', `/index/units/${w.c1.id}`, as.city)).statusCode).toBe(404);
  expect((await api('GET', '/index/units?period=2101-01', as.city)).statusCode).toBe(400);
});

test('the XLSX export', async () => {
  const res = await api('GET', `/exports/unit-index.xlsx?period=${period()}`, as.dist1);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  expect(res.rawPayload.subarray(0, 2).toString()).toBe('PK');
  expect((await api('GET', '/exports/unit-index.xlsx', as.adminU1)).statusCode).toBe(403);
});

test('members and participations are as fresh as the roll-up job: moved when it runs, equal to the tables then', async () => {
  const board = async () => ((await api('GET', `/index/units?period=${period()}`, as.city)).json() as Ranking).items;
  const participation = (items: Ranking['items'], id: string) =>
    items.find((i) => i.org.id === id)!.parts.find((p) => p.key === 'participations_per_member')!.value;
  expect(participation(await board(), w.u2.id)).toBeNull(); // u2 has no members yet
  const members = await insertMembers(ctx, { community: w.c1, estate: world.estate, unitOrg: w.u2 }, 2, 'ixf');
  expect((await api('POST', `/tasks/${world.postId}/claims`, members[0].auth)).statusCode).toBe(201);
  // Before the job runs the board still reads the roll-ups it last wrote.
  expect(participation(await board(), w.u2.id)).toBeNull();
  const run = await ctx.app.rollups.refresh();
  expect(run.units).toBeGreaterThanOrEqual(1);
  const after = await board();
  expect(participation(after, w.u2.id)).toBe(0.5);
  for (const item of after) expect(Object.fromEntries(item.parts.map((p) => [p.key, p.value]))).toEqual(await expected(item.org.id));
  // The explanation reads the same figures.
  const e: OrgIndex = (await api('GET', `/index/units/${w.u2.id}?period=${period()}`, as.adminU2)).json();
  expect(e.parts.find((p) => p.key === 'participations_per_member')!.figures).toEqual([
    { label: '参与人次', value: 1 },
    { label: '本单位党员', value: 2 },
  ]);
});
