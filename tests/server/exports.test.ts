import { CATEGORY_LABELS, type Category } from '@pioneer/shared';
import { HOME_READ_AUDIT } from '../../server/src/lib/audit';
import {
  MEMBER_HEADERS,
  MEMBER_HEADERS_WITHOUT_HOME,
  RECORD_HEADERS,
  UNIT_REPORT_HEADERS,
} from '../../server/src/modules/exports/exports-service';
import { makeCommunity, makeEstate, makeUnitOrg, makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { insertMembers, makeSecretary, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { readXlsx } from '../helpers/upload';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let second: { community: { id: string }; estate: { id: string }; unitOrg: { id: string } };
let otherUnit: { id: string; name: string };
let secretary: { authorization: string };
let secretaryUserId: string;
let secretary2: { authorization: string };
let admin: { authorization: string };
let unitAdmin: { authorization: string };
const MINUTE = 60_000;
// 2024-03-10 09:00 in China.
const T0 = new Date('2024-03-10T01:00:00.000Z');

const api = (url: string, auth?: { authorization: string }) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: auth });

async function sheet(url: string, auth: { authorization: string }) {
  const res = await api(url, auth);
  expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
  const sheets = await readXlsx(res.rawPayload);
  expect(sheets.size).toBe(1);
  return [...sheets.entries()][0];
}

const fmt = (d: Date | null) =>
  d === null
    ? null
    : new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'short' }).format(d).replace(',', '');

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  const community2 = await makeCommunity(ctx.database.db, world.district.id);
  second = { community: community2, estate: await makeEstate(ctx.database.db, community2.id), unitOrg: world.unitOrg };
  otherUnit = await makeUnitOrg(ctx.database.db, world.district.id);
  const sec = await makeSecretary(ctx, world.community.id, 'ex_sec');
  secretary = sec.auth;
  secretaryUserId = sec.userId;
  secretary2 = (await makeSecretary(ctx, community2.id, 'ex_sec2')).auth;
  const a = await ctx.signIn('ex_admin');
  await ctx.grant(a.userId, 'city_admin', null);
  admin = a.auth;
  const u = await ctx.signIn('ex_unit');
  await ctx.grant(u.userId, 'unit_admin', world.unitOrg.id);
  unitAdmin = u.auth;

  const m1 = await registerMember(ctx, 'ex_m1', world, { name: '陈一', intentions: ['care', 'medical'] });
  const m2 = await registerMember(ctx, 'ex_m2', world, { name: '陈二' });
  const m3 = await registerMember(ctx, 'ex_m3', second, { name: '陈三' });
  await registerMember(ctx, 'ex_m4', { ...world, unitOrg: otherUnit }, { name: '外单位' });

  // Two posts in March served by m1, m2 (first community) and m3 (both communities); one in April.
  const serve = async (auth: { authorization: string }, community: string, startOffset: number, who: (typeof m1)[], minutes: number) => {
    ctx.clock.set(T0.getTime() + startOffset - 24 * 60 * MINUTE);
    const task = await publishTask(ctx, auth, community, {
      startsAt: new Date(T0.getTime() + startOffset).toISOString(),
      endsAt: new Date(T0.getTime() + startOffset + 180 * MINUTE).toISOString(),
      category: 'care',
    });
    for (const m of who)
      expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/claims`, headers: m.auth })).statusCode).toBe(201);
    ctx.clock.set(T0.getTime() + startOffset);
    const code = async (m: typeof m1) => (await api('/members/me/pioneer-code', m.auth)).json().token;
    for (const m of who) {
      const r = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${task.id}/check-ins`,
        headers: auth,
        payload: { token: await code(m) },
      });
      expect(r.statusCode).toBe(200);
    }
    ctx.clock.set(T0.getTime() + startOffset + minutes * MINUTE);
    for (const m of who.slice(0, -1)) {
      const r = await ctx.app.inject({
        method: 'POST',
        url: `/api/v1/tasks/${task.id}/check-outs`,
        headers: auth,
        payload: { token: await code(m) },
      });
      expect(r.statusCode).toBe(200);
    }
    return task;
  };
  await serve(secretary, world.community.id, 0, [m1, m2, m3], 90); // m3 stays checked in
  await serve(secretary2, community2.id, 2 * 24 * 60 * MINUTE, [m3, m1], 150); // m1 stays checked in
  await serve(secretary, world.community.id, 30 * 24 * 60 * MINUTE, [m2, m1], 60); // April
  // Check-outs earn off the scan; the catch-up waits for (or writes) every earn, once.
  await ctx.app.points.catchUp(60);
});
afterAll(async () => ctx.close());

describe('exports (XLSX, scoped like statistics)', () => {
  it('members.xlsx: every member in scope, cell by cell as the database has it', async () => {
    const [name, rows] = await sheet(`/exports/members.xlsx?scope=community&id=${world.community.id}`, secretary);
    expect(name).toBe('党员名册');
    expect(rows[0]).toEqual(MEMBER_HEADERS);
    const { rows: db } = await ctx.database.pool.query(
      `select m.*, u.name as unit_name, c.name as community_name, e.name as estate_name,
              (select count(*)::int from claims cl where cl.member_id = m.id and cl.status not in ('cancelled', 'released')) as n,
              (select coalesce(sum(minutes), 0)::int from claims cl where cl.member_id = m.id and cl.status not in ('cancelled', 'released')) as minutes,
              (select coalesce(sum(minutes), 0)::int from claims cl where cl.member_id = m.id and cl.status = 'completed') as done,
              coalesce((select balance from points_accounts a where a.member_id = m.id), 0)::int as balance
         from members m join party_orgs u on u.id = m.unit_org_id join party_orgs c on c.id = m.community_org_id
         join estates e on e.id = m.estate_id where m.community_org_id = $1 order by m.id`,
      [world.community.id],
    );
    const { starThresholdsHours } = (await api('/points/rules', secretary)).json() as { starThresholdsHours: number[] };
    expect(rows.slice(1)).toEqual(
      db.map((m) => [
        m.name,
        m.phone_masked,
        m.unit_name,
        m.work_unit,
        m.community_name,
        m.estate_name,
        m.building,
        m.unit_no,
        m.room,
        m.intentions.map((k: Category) => CATEGORY_LABELS[k]).join('、'),
        fmt(m.registered_at),
        '未匹配',
        m.n,
        m.minutes,
        Math.round(m.done / 6) / 10,
        starThresholdsHours.filter((h) => m.done >= h * 60).length,
        m.balance,
      ]),
    );
    expect(rows).toHaveLength(4); // header + 陈一, 陈二, 外单位
    expect(rows.flat().join()).not.toMatch(/1\d{10}/); // masked phones only
  });

  it('scopes exports as statistics are scoped', async () => {
    expect((await api(`/exports/members.xlsx?scope=community&id=${world.community.id}`, secretary2)).statusCode).toBe(403);
    expect((await api('/exports/members.xlsx?scope=city', secretary)).statusCode).toBe(403);
    expect((await api('/exports/members.xlsx', await (await ctx.signIn('ex_plain')).auth)).statusCode).toBe(403);
    expect((await api('/exports/members.xlsx')).statusCode).toBe(401);
    expect((await api('/exports/members.xlsx?scope=district', admin)).statusCode).toBe(400);
    const [, unitRows] = await sheet(`/exports/members.xlsx?scope=unit&id=${world.unitOrg.id}`, unitAdmin);
    expect(
      unitRows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['陈一', '陈二', '陈三'].sort());
  });

  it('records.xlsx: the live claims of posts in the period where the work happened', async () => {
    const [name, rows] = await sheet(
      `/exports/records.xlsx?scope=community&id=${world.community.id}&from=2024-03-01&to=2024-03-31`,
      secretary,
    );
    expect(name).toBe('服务记录');
    expect(rows[0]).toEqual(RECORD_HEADERS);
    const { rows: db } = await ctx.database.pool.query(
      `select t.title, t.category, po.name as community, t.starts_at, t.ends_at, m.name, u.name as unit_name, c.status,
              c.checked_in_at, c.checked_out_at, c.minutes, c.source, c.record_version
         from claims c join tasks t on t.id = c.task_id join party_orgs po on po.id = t.community_org_id
         join members m on m.id = c.member_id join party_orgs u on u.id = m.unit_org_id
        where t.community_org_id = $1 and t.starts_at >= '2024-02-29T16:00:00Z' and t.starts_at < '2024-03-31T16:00:00Z'
        order by t.starts_at, c.id`,
      [world.community.id],
    );
    expect(db).toHaveLength(3);
    const status: Record<string, string> = { completed: '已完成', checked_in: '已签到' };
    expect(rows.slice(1)).toEqual(
      db.map((r) => [
        r.title,
        CATEGORY_LABELS[r.category as Category],
        r.community,
        fmt(r.starts_at),
        fmt(r.ends_at),
        r.name,
        r.unit_name,
        status[r.status],
        fmt(r.checked_in_at),
        fmt(r.checked_out_at),
        r.minutes ?? 0,
        '扫码',
        r.record_version > 1 ? '是' : '否',
      ]),
    );
    expect(
      (await api(`/exports/records.xlsx?scope=community&id=${world.community.id}&from=2024-04-01&to=2024-03-01`, secretary)).statusCode,
    ).toBe(400);
    expect(
      (await api(`/exports/records.xlsx?scope=community&id=${world.community.id}&from=yesterday&to=2024-03-01`, secretary)).statusCode,
    ).toBe(400);
  });

  it('unit-report.xlsx (反馈单位): each of the unit’s members, where they served that month and how long', async () => {
    const [name, rows] = await sheet(`/exports/unit-report.xlsx?unitOrgId=${world.unitOrg.id}&month=2024-03`, unitAdmin);
    expect(name).toBe('反馈单位');
    expect(rows[0]).toEqual(UNIT_REPORT_HEADERS);
    const { rows: orgs } = await ctx.database.pool.query('select id, name from party_orgs where id = any($1::uuid[])', [
      [world.community.id, second.community.id],
    ]);
    const cname = new Map(orgs.map((o) => [o.id, o.name]));
    const { rows: db } = await ctx.database.pool.query(
      `select m.name, m.work_unit, c.name as community,
              coalesce(array_agg(distinct t.community_org_id) filter (where t.id is not null), '{}') as served,
              count(t.id)::int as n, coalesce(sum(cl.minutes) filter (where t.id is not null), 0)::int as minutes
         from members m join party_orgs c on c.id = m.community_org_id
         left join claims cl on cl.member_id = m.id and cl.status not in ('cancelled', 'released')
         left join tasks t on t.id = cl.task_id and t.starts_at >= '2024-02-29T16:00:00Z' and t.starts_at < '2024-03-31T16:00:00Z'
        where m.unit_org_id = $1 group by m.id, m.name, m.work_unit, c.name order by m.name, m.id`,
      [world.unitOrg.id],
    );
    const body = rows.slice(1, 1 + db.length);
    expect(body).toEqual(
      db.map((r) => [
        r.name,
        r.work_unit,
        r.community,
        r.served
          .map((id: string) => cname.get(id))
          .sort()
          .join('、'),
        r.n,
        Math.round((r.minutes / 60) * 10) / 10,
      ]),
    );
    // 陈一 served in both communities in March, 陈三 too; 陈二 in one.
    expect(body.find((r) => r[0] === '陈一')![4]).toBe(2);
    const total = rows[rows.length - 1];
    expect(total[4]).toBe(db.reduce((s, r) => s + r.n, 0));
    expect((await api(`/exports/unit-report.xlsx?unitOrgId=${otherUnit.id}&month=2024-03`, unitAdmin)).statusCode).toBe(403);
    expect((await api(`/exports/unit-report.xlsx?unitOrgId=${world.unitOrg.id}&month=2024-13`, unitAdmin)).statusCode).toBe(400);
    expect((await api(`/exports/unit-report.xlsx?unitOrgId=${world.unitOrg.id}&month=2024-03`, secretary)).statusCode).toBe(403);
  });

  it('streams a large export page by page: every member, once', async () => {
    await insertMembers(ctx, world, 4500);
    const [, rows] = await sheet(`/exports/members.xlsx?scope=district&id=${world.district.id}`, admin);
    const { rows: db } = await ctx.database.pool.query(
      `select count(*)::int as n from members m join party_orgs c on c.id = m.community_org_id where c.district_id = $1`,
      [world.district.id],
    );
    expect(rows.length - 1).toBe(db[0].n);
    expect(db[0].n).toBeGreaterThan(4500);
  });

  it('a released claim is no participation: not in members.xlsx, records.xlsx or the unit report', async () => {
    const before = await Promise.all([
      sheet(`/exports/members.xlsx?scope=community&id=${world.community.id}`, secretary),
      sheet(`/exports/records.xlsx?scope=community&id=${world.community.id}&from=2024-03-01&to=2024-04-30`, secretary),
      sheet(`/exports/unit-report.xlsx?unitOrgId=${world.unitOrg.id}&month=2024-03`, unitAdmin),
    ]);
    const m5 = await registerMember(ctx, 'ex_m5', world, { name: '陈五' });
    ctx.clock.set(T0.getTime() - 24 * 60 * MINUTE);
    const post = await publishTask(ctx, secretary, world.community.id, {
      startsAt: new Date(T0.getTime() + 60 * MINUTE).toISOString(),
      endsAt: new Date(T0.getTime() + 120 * MINUTE).toISOString(),
    });
    for (const who of [m5, await registerMember(ctx, 'ex_m6', world, { name: '陈六' })]) {
      const claimed = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${post.id}/claims`, headers: who.auth });
      expect(claimed.statusCode).toBe(201);
      const released = await ctx.app.inject({
        method: 'DELETE',
        url: `/api/v1/tasks/${post.id}/claims/${claimed.json().claim.id}`,
        headers: secretary,
        payload: { reason: '临时有事' },
      });
      expect([released.statusCode, released.json().claim.status]).toEqual([200, 'released']);
    }
    const after = await Promise.all([
      sheet(`/exports/members.xlsx?scope=community&id=${world.community.id}`, secretary),
      sheet(`/exports/records.xlsx?scope=community&id=${world.community.id}&from=2024-03-01&to=2024-04-30`, secretary),
      sheet(`/exports/unit-report.xlsx?unitOrgId=${world.unitOrg.id}&month=2024-03`, unitAdmin),
    ]);
    const participations = MEMBER_HEADERS.indexOf('参与次数');
    const members = new Map(after[0][1].slice(1).map((r) => [r[0], r[participations]]));
    expect([members.get('陈五'), members.get('陈六')]).toEqual([0, 0]);
    // The others' rows are as before; the records and the report gain no row and no count.
    expect(after[0][1].filter((r) => r[0] !== '陈五' && r[0] !== '陈六')).toEqual(before[0][1]);
    expect(after[1][1]).toEqual(before[1][1]);
    const services = (rows: unknown[][]) => rows.filter((r) => r[0] === '陈五' || r[0] === '陈六').map((r) => r[4]);
    expect(services(after[2][1])).toEqual([0, 0]);
    expect(after[2][1].at(-1)).toEqual(before[2][1].at(-1));
  });

  it('exports follow amended records: source, amended, hours, star level and points balance', async () => {
    // A world of its own, in May: the other tests' figures stay as they are.
    const w = await makeWorld(ctx.database.db);
    const sec = (await makeSecretary(ctx, w.community.id, 'ex_sec_amend')).auth;
    const a = await registerMember(ctx, 'ex_amend_a', w, { name: '李更正' });
    const b = await registerMember(ctx, 'ex_amend_b', w, { name: '李补记' });
    const T1 = new Date('2024-05-10T01:00:00.000Z');
    const send = (url: string, auth: { authorization: string }, payload: object) =>
      ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: auth, payload });
    ctx.clock.set(T1.getTime() - 24 * 60 * MINUTE);
    const task = await publishTask(ctx, sec, w.community.id, {
      startsAt: T1.toISOString(),
      endsAt: new Date(T1.getTime() + 120 * MINUTE).toISOString(),
    });
    expect((await send(`/tasks/${task.id}/claims`, a.auth, {})).statusCode).toBe(201);
    const code = async () => (await api('/members/me/pioneer-code', a.auth)).json().token;
    ctx.clock.set(T1);
    expect((await send(`/tasks/${task.id}/check-ins`, sec, { token: await code() })).statusCode).toBe(200);
    ctx.clock.set(T1.getTime() + 30 * MINUTE);
    expect((await send(`/tasks/${task.id}/check-outs`, sec, { token: await code() })).statusCode).toBe(200);
    // 补记 for b (the post's times: 120 minutes); a's early scan corrected to the whole post.
    ctx.clock.set(T1.getTime() + 180 * MINUTE);
    expect((await send(`/tasks/${task.id}/records`, sec, { memberIds: [b.memberId] })).statusCode).toBe(200);
    const asked = await send('/members/me/corrections', a.auth, {
      kind: 'correct',
      taskId: task.id,
      checkedInAt: T1.toISOString(),
      checkedOutAt: new Date(T1.getTime() + 120 * MINUTE).toISOString(),
      reason: '签退时扫码失败，实际服务到岗位结束',
    });
    expect(asked.statusCode).toBe(201);
    expect((await send(`/corrections/${asked.json().correction.id}/approve`, sec, {})).statusCode).toBe(200);
    await ctx.app.points.catchUp(30);
    // Low star thresholds for this check (the city admin's), put back afterwards.
    const rules = (await api('/points/rules', admin)).json();
    const put = (body: object) => ctx.app.inject({ method: 'PUT', url: '/api/v1/points/rules', headers: admin, payload: body });
    expect((await put({ ...rules, starThresholdsHours: [1, 2, 3, 4, 5] })).statusCode).toBe(200);
    try {
      const [, records] = await sheet(`/exports/records.xlsx?scope=community&id=${w.community.id}&from=2024-05-01&to=2024-05-31`, sec);
      const byName = new Map(records.slice(1).map((r) => [r[5], r]));
      // 服务时长（分钟）, 来源, 已更正.
      expect(byName.get('李更正')!.slice(-3)).toEqual([120, '更正', '是']);
      expect(byName.get('李补记')!.slice(-3)).toEqual([120, '书记补记', '否']);
      const [, members] = await sheet(`/exports/members.xlsx?scope=community&id=${w.community.id}`, sec);
      const row = new Map(members.slice(1).map((r) => [r[0], r]));
      // 2 hours (the amended record), 二星 at 1/2/3/4/5 hours; 20 points: the first 5 reversed, 20 earned.
      expect(row.get('李更正')!.slice(-3)).toEqual([2, 2, 20]);
      expect(row.get('李补记')!.slice(-3)).toEqual([2, 2, 20]);
      const { rows: ledger } = await ctx.database.pool.query(`select kind, amount from points_entries where member_id = $1 order by seq`, [
        a.memberId,
      ]);
      expect(ledger).toEqual([
        { kind: 'earn', amount: 5 },
        { kind: 'reverse', amount: 5 },
        { kind: 'earn', amount: 20 },
      ]);
    } finally {
      expect((await put(rules)).statusCode).toBe(200);
    }
  });
});

describe('home addresses (小区, 楼栋, 单元, 室号): only for the community’s own staff, audited', () => {
  const HOME = ['小区', '楼栋', '单元', '室号'];
  async function homeAudits() {
    const { rows } = await ctx.database.pool.query(`select actor_user_id, entity_id, data from audit_log where action = $1 order by id`, [
      HOME_READ_AUDIT,
    ]);
    return rows;
  }
  const homesOf = async () =>
    (await ctx.database.pool.query(`select building, unit_no, room from members where community_org_id = $1`, [world.community.id])).rows;

  it('a unit admin’s members.xlsx, and district- or city-wide exports, carry no home and write no audit row', async () => {
    const before = (await homeAudits()).length;
    for (const [url, auth] of [
      [`/exports/members.xlsx?scope=unit&id=${world.unitOrg.id}`, unitAdmin],
      [`/exports/members.xlsx?scope=unit&id=${world.unitOrg.id}`, admin],
      [`/exports/members.xlsx?scope=district&id=${world.district.id}`, admin],
      ['/exports/members.xlsx?scope=city', admin],
    ] as const) {
      const [, rows] = await sheet(url, auth);
      expect(rows[0]).toEqual(MEMBER_HEADERS_WITHOUT_HOME);
      expect(rows[0].filter((h) => HOME.includes(String(h)))).toEqual([]);
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.every((r) => r.length <= MEMBER_HEADERS_WITHOUT_HOME.length)).toBe(true);
    }
    // No text cell is a member's building, unit or room.
    const [, unitRows] = await sheet(`/exports/members.xlsx?scope=unit&id=${world.unitOrg.id}`, unitAdmin);
    const cells = new Set(unitRows.flat().filter((c) => typeof c === 'string'));
    for (const h of await homesOf())
      expect([cells.has(h.building), cells.has(h.unit_no), cells.has(h.room)]).toEqual([false, false, false]);
    expect((await homeAudits()).length).toBe(before);
    // Unit staff cannot list a community's members at all.
    const list = await api(`/party-orgs/${world.community.id}/members`, unitAdmin);
    expect(list.statusCode).toBe(403);
  });

  it('the secretary’s members.xlsx and members list carry building, unit and room, each with an audit row (who, scope, rows)', async () => {
    const before = (await homeAudits()).length;
    const [, rows] = await sheet(`/exports/members.xlsx?scope=community&id=${world.community.id}`, secretary);
    expect(rows[0]).toEqual(MEMBER_HEADERS);
    const { rows: db } = await ctx.database.pool.query(
      `select m.name, e.name as estate, m.building, m.unit_no, m.room from members m join estates e on e.id = m.estate_id
        where m.community_org_id = $1`,
      [world.community.id],
    );
    const homes = new Map(rows.slice(1).map((r) => [r[0], r.slice(5, 9)]));
    expect(homes.size).toBe(db.length);
    for (const m of db) expect(homes.get(m.name)).toEqual([m.estate, m.building, m.unit_no, m.room]);
    let audits = await homeAudits();
    expect(audits.slice(before)).toEqual([
      {
        actor_user_id: secretaryUserId,
        entity_id: world.community.id,
        data: { via: 'members.xlsx', scope: 'community', rows: db.length },
      },
    ]);

    const list = await api(`/party-orgs/${world.community.id}/members?limit=2`, secretary);
    expect(list.statusCode).toBe(200);
    const items = list.json().items as Array<{ name: string; building: string; unitNo: string; room: string }>;
    expect(items).toHaveLength(2);
    for (const i of items) {
      const m = db.find((d) => d.name === i.name)!;
      expect([i.building, i.unitNo, i.room]).toEqual([m.building, m.unit_no, m.room]);
    }
    audits = await homeAudits();
    expect(audits.slice(before + 1)).toEqual([
      { actor_user_id: secretaryUserId, entity_id: world.community.id, data: { via: 'members-list', scope: 'community', rows: 2 } },
    ]);
  });

  it('another community’s secretary gets none of our members’ homes', async () => {
    const before = (await homeAudits()).length;
    expect((await api(`/party-orgs/${world.community.id}/members`, secretary2)).statusCode).toBe(403);
    expect((await api(`/exports/members.xlsx?scope=community&id=${world.community.id}`, secretary2)).statusCode).toBe(403);
    expect((await api(`/exports/members.xlsx?scope=unit&id=${world.unitOrg.id}`, secretary2)).statusCode).toBe(403);
    // Its own export holds its own members only (陈三), with their homes.
    const [, rows] = await sheet(`/exports/members.xlsx?scope=community&id=${second.community.id}`, secretary2);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['陈三']);
    const audits = await homeAudits();
    expect(audits.slice(before)).toEqual([
      expect.objectContaining({ entity_id: second.community.id, data: expect.objectContaining({ rows: 1 }) }),
    ]);
  });
});
