import type { Action, Meeting, MeetingCreateBody, Need, NeedMeeting, Role } from '@pioneer/shared';
import { buildApp } from '../../server/src/app';
import { createDatabase } from '../../server/src/db/client';
import { ManualClock } from '../../server/src/lib/clock';
import { makeCommunity, makeDistrict, makeEstate, makeOrgWorld, makeUnitOrg } from '../helpers/fixtures';
import { insertMembers } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
type Auth = { authorization: string };

let ctx: TestContext;
let w: Awaited<ReturnType<typeof makeOrgWorld<'u1' | 'u2' | 'u3'>>>;
let as: Record<
  | 'secC1'
  | 'secC2'
  | 'distD1'
  | 'distD2'
  | 'liaU1'
  | 'adminU1'
  | 'liaU2'
  | 'adminU2'
  | 'liaU3'
  | 'city'
  | 'stranger'
  | 'resident'
  | 'outsider',
  Auth
>;
let ids: Record<'adminU1' | 'liaU1' | 'liaU2' | 'adminU2' | 'distD1' | 'secC1' | 'liaU3', string>;

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.database.db;
  w = await makeOrgWorld(db, { u1: 'd1', u2: 'd1', u3: 'd1' });
  const userIds: Record<string, string> = {};
  const user = async (name: string, role?: Role, orgId: string | null = null) => {
    const s = await ctx.staff(name, role, orgId);
    userIds[name] = s.userId;
    return s.auth;
  };
  as = {
    secC1: await user('m_sec_c1', 'secretary', w.c1.id),
    secC2: await user('m_sec_c2', 'secretary', w.c2.id),
    distD1: await user('m_dist_d1', 'district_admin', w.d1.id),
    distD2: await user('m_dist_d2', 'district_admin', w.d2.id),
    liaU1: await user('m_lia_u1', 'unit_liaison', w.u1.id),
    adminU1: await user('m_admin_u1', 'unit_admin', w.u1.id),
    liaU2: await user('m_lia_u2', 'unit_liaison', w.u2.id),
    adminU2: await user('m_admin_u2', 'unit_admin', w.u2.id),
    liaU3: await user('m_lia_u3', 'unit_liaison', w.u3.id),
    city: await user('m_city', 'city_admin', null),
    stranger: await user('m_stranger'),
    resident: { authorization: '' },
    outsider: { authorization: '' },
  };
  ids = {
    adminU1: userIds.m_admin_u1,
    liaU1: userIds.m_lia_u1,
    liaU2: userIds.m_lia_u2,
    adminU2: userIds.m_admin_u2,
    distD1: userIds.m_dist_d1,
    secC1: userIds.m_sec_c1,
    liaU3: userIds.m_lia_u3,
  };
  const estate = await makeEstate(db, w.c1.id);
  const [resident] = await insertMembers(ctx, { community: w.c1 as never, estate, unitOrg: w.u1 as never }, 1, 'mtg_res');
  as.resident = resident.auth;
  const estate3 = await makeEstate(db, w.c3.id);
  const [outsider] = await insertMembers(ctx, { community: w.c3 as never, estate: estate3, unitOrg: w.u1 as never }, 1, 'mtg_out');
  as.outsider = outsider.auth;
});
afterAll(async () => ctx.close());

const api = (method: 'GET' | 'POST', url: string, auth: Auth, payload?: unknown) => ctx.api(method, url, auth, payload);

const inHours = (h: number) => new Date(ctx.clock.now().getTime() + h * HOUR).toISOString();

function meetingBody(overrides: Partial<MeetingCreateBody> = {}): MeetingCreateBody {
  return {
    kind: 'coordination',
    title: '世茂商圈停车协调会',
    startsAt: inHours(24),
    location: '街道党群服务中心三楼',
    agenda: [{ title: '通报停车难情况' }, { title: '明确责任分工' }],
    invitedOrgIds: [w.u1.id, w.u2.id],
    ...overrides,
  };
}

async function convene(auth: Auth = as.secC1, overrides: Partial<MeetingCreateBody> = {}): Promise<Meeting> {
  const res = await api('POST', '/meetings', auth, meetingBody(overrides));
  expect(res.statusCode).toBe(201);
  return res.json().meeting;
}

/** Moves the clock to the meeting's start plus `h` hours. */
const at = (m: Meeting, h = 0) => ctx.clock.set(Date.parse(m.startsAt) + h * HOUR);

async function held(m: Meeting, auth: Auth = as.secC1): Promise<Meeting> {
  at(m, 1);
  const res = await api('POST', `/meetings/${m.id}/close`, auth, { minutes: '会议纪要', decisions: ['住建局牵头施划停车位'] });
  expect(res.statusCode).toBe(200);
  return res.json().meeting;
}

async function addAction(m: Meeting, overrides: Record<string, unknown> = {}, auth: Auth = as.secC1): Promise<Action> {
  const res = await api('POST', `/meetings/${m.id}/actions`, auth, {
    title: '施划夜间共享停车位',
    ownerOrgId: w.u1.id,
    assistOrgIds: [w.u2.id],
    dueAt: new Date(Date.parse(m.startsAt) + 10 * DAY).toISOString(),
    milestones: [{ title: '完成摸排', dueAt: new Date(Date.parse(m.startsAt) + 3 * DAY).toISOString() }],
    ...overrides,
  });
  expect(res.statusCode).toBe(201);
  return res.json().action;
}

async function count(query: string, params: unknown[]): Promise<number> {
  const { rows } = await ctx.database.pool.query<{ n: number }>(query, params);
  return rows[0].n;
}

const meetingRows = () => count('select count(*)::int as n from meetings', []);

/** Resolves every outbox row of `kind` into messages, as the queue's worker would (twice: a job may run again). */
async function deliverOutbox() {
  const { rows } = await ctx.database.pool.query<{ key: string; kind: 'meeting_update'; payload: Record<string, unknown> }>(
    `select key, kind, payload from notification_outbox where kind = 'meeting_update' order by created_at`,
  );
  for (let i = 0; i < 2; i++) for (const r of rows) await ctx.app.notifications.processEvent(r);
}

describe('meetings: convening', () => {
  test('a secretary convenes for its community; invited liaisons and unit admins are told once each', async () => {
    const m = await convene();
    expect(m).toMatchObject({
      status: 'scheduled',
      kind: 'coordination',
      convener: { id: w.c1.id, kind: 'community' },
      districtId: w.d1.id,
      progress: null,
      actionCount: 0,
      attendanceCount: 0,
    });
    expect(m.invited.map((o) => o.id).sort()).toEqual([w.u1.id, w.u2.id].sort());
    await deliverOutbox();
    const { rows } = await ctx.database.pool.query<{ user_id: string; n: number }>(
      `select user_id, count(*)::int as n from messages where meeting_id = $1 group by user_id`,
      [m.id],
    );
    expect(rows.map((r) => r.user_id).sort()).toEqual([ids.liaU1, ids.adminU1, ids.liaU2, ids.adminU2].sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const list = await api('GET', '/me/messages', as.liaU1);
    const msg = list.json().items.find((x: { meetingId?: string }) => x.meetingId === m.id);
    expect(msg).toMatchObject({ kind: 'meeting_update', title: '共商共办：会议邀请' });
  });

  test('a district admin convenes for its 板块, from a whistle (pre-filled link); the whistle shows the meeting', async () => {
    const wres = await api('POST', '/whistles', as.secC1, {
      title: '商圈周边停车难',
      description: '周末违停严重',
      category: 'traffic',
      location: '世茂商圈',
      dueAt: inHours(72),
      addressedTo: [{ orgId: w.u1.id, part: 'lead' }],
    });
    expect(wres.statusCode).toBe(201);
    const whistleId = wres.json().whistle.id;
    const m = await convene(as.distD1, { whistleIds: [whistleId], kind: 'coordination' });
    expect(m.convener).toMatchObject({ id: w.d1.id, kind: 'district' });
    expect(m.whistles).toEqual([{ id: whistleId, title: '商圈周边停车难' }]);
    const h = await held(m, as.distD1);
    const a = await addAction(h, {}, as.distD1);
    const detail = await api('GET', `/whistles/${whistleId}`, as.secC1);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().meetings).toHaveLength(1);
    expect(detail.json().meetings[0].meeting.id).toBe(m.id);
    expect(detail.json().meetings[0].actions.map((x: Action) => x.id)).toEqual([a.id]);
  });

  test('from a need (需求清单): linked by id, only a need of the convening community or 板块', async () => {
    const need = await api('POST', '/needs', as.secC1, {
      communityOrgId: w.c1.id,
      title: '独居老人助餐',
      category: 'care',
      description: '社区 30 位独居老人需要助餐服务',
    });
    expect(need.statusCode).toBe(201);
    const needId = need.json().need.id;
    const m = await convene(as.secC1, { needIds: [needId], kind: 'door_service' });
    expect(m.needIds).toEqual([needId]);
    const byDistrict = await convene(as.distD1, { needIds: [needId] });
    expect(byDistrict.needIds).toEqual([needId]);
    const other = await api('POST', '/meetings', as.secC2, meetingBody({ needIds: [needId] }));
    expect(other.statusCode).toBe(400);
    expect(other.json().details[0].path).toBe('needIds.0');

    // The needs board shows the meetings about a need, and which of them the reader may open.
    const board = async (auth: Auth) => {
      const res = await api('GET', `/needs?communityOrgId=${w.c1.id}`, auth);
      expect(res.statusCode).toBe(200);
      return (res.json().items as Need[]).find((n) => n.id === needId)!.meetings!;
    };
    const byId = (list: NeedMeeting[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    const expected = (readable: Record<string, boolean>) =>
      byId(
        [m, byDistrict].map((x) => ({
          id: x.id,
          kind: x.kind,
          title: x.title,
          status: 'scheduled',
          startsAt: x.startsAt,
          progress: null,
          actionCount: 0,
          readable: readable[x.id],
        })),
      );
    expect(byId(await board(as.secC1))).toEqual(expected({ [m.id]: true, [byDistrict.id]: false }));
    expect(byId(await board(as.distD1))).toEqual(expected({ [m.id]: true, [byDistrict.id]: true }));
    expect((await api('GET', `/meetings/${byDistrict.id}`, as.secC1)).statusCode).toBe(404);
  });

  test('refusals: roles, scopes, a meeting in the past, unknown orgs and whistles of others; nothing written', async () => {
    const before = await meetingRows();
    expect((await api('POST', '/meetings', as.liaU1, meetingBody())).statusCode).toBe(403);
    expect((await api('POST', '/meetings', as.stranger, meetingBody())).statusCode).toBe(403);
    const other = await api('POST', '/meetings', as.secC1, meetingBody({ convenerOrgId: w.c2.id }));
    expect(other.statusCode).toBe(403);
    const foreignDistrict = await api('POST', '/meetings', as.distD2, meetingBody({ convenerOrgId: w.c1.id }));
    expect(foreignDistrict.statusCode).toBe(403);

    const past = await api('POST', '/meetings', as.secC1, meetingBody({ startsAt: inHours(-1) }));
    expect(past.statusCode).toBe(400);
    expect(past.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'startsAt' }] });
    expect(typeof past.json().requestId).toBe('string');
    const far = await api('POST', '/meetings', as.secC1, meetingBody({ startsAt: '2101-01-02T00:00:00+08:00' }));
    expect(far.statusCode).toBe(400);
    const unknownOrg = await api(
      'POST',
      '/meetings',
      as.secC1,
      meetingBody({ invitedOrgIds: [w.u1.id, '00000000-0000-4000-8000-000000000000'] }),
    );
    expect(unknownOrg.statusCode).toBe(400);
    expect(unknownOrg.json().details[0].path).toBe('invitedOrgIds.1');
    const dup = await api('POST', '/meetings', as.secC1, meetingBody({ invitedOrgIds: [w.u1.id, w.u1.id] }));
    expect(dup.statusCode).toBe(400);
    const noAgenda = await api('POST', '/meetings', as.secC1, meetingBody({ agenda: [] }));
    expect(noAgenda.statusCode).toBe(400);

    const wres = await api('POST', '/whistles', as.secC2, {
      title: '另一社区的事项',
      description: '说明',
      category: 'traffic',
      location: '某处',
      dueAt: inHours(72),
      addressedTo: [{ orgId: w.u1.id, part: 'lead' }],
    });
    const foreignWhistle = await api('POST', '/meetings', as.secC1, meetingBody({ whistleIds: [wres.json().whistle.id] }));
    expect(foreignWhistle.statusCode).toBe(400);
    expect(foreignWhistle.json().details[0].path).toBe('whistleIds.0');
    const needs = await api('POST', '/meetings', as.secC1, meetingBody({ needIds: ['00000000-0000-4000-8000-000000000001'] }));
    expect(needs.statusCode).toBe(400);
    expect(needs.json().details[0].path).toMatch(/^needIds/);

    expect(await meetingRows()).toBe(before);
  });
});

describe('meetings: attendance by QR', () => {
  test('the convener gets the QR; staff of invited orgs check in once inside the window; others are refused', async () => {
    const m = await convene();
    const qr = await api('GET', `/meetings/${m.id}/checkin`, as.secC1);
    expect(qr.statusCode).toBe(200);
    const { token, url, qrSvg } = qr.json();
    expect(url).toBe(`http://pioneer.test/m/${token}`);
    expect(qrSvg).toContain('<svg');
    expect((await api('GET', `/meetings/${m.id}/checkin`, as.liaU1)).statusCode).toBe(403);
    expect((await api('GET', `/meetings/${m.id}/checkin`, as.secC2)).statusCode).toBe(404);

    const link = await ctx.app.inject({ method: 'GET', url: `/m/${token}` });
    expect(link.statusCode).toBe(302);
    expect(link.headers.location).toContain('staff/meeting/index?token=');
    expect((await ctx.app.inject({ method: 'GET', url: `/m/${m.id}.forged` })).statusCode).toBe(404);

    // More than an hour before the start.
    at(m, -1.01);
    const early = await api('POST', `/meetings/${m.id}/attendance`, as.liaU1, { token });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('CHECK_IN_NOT_OPEN');

    at(m, -0.99);
    const first = await api('POST', `/meetings/${m.id}/attendance`, as.liaU1, { token });
    expect(first.statusCode).toBe(201);
    expect(first.json().attendance).toMatchObject({ org: { id: w.u1.id }, role: 'unit_liaison' });
    const again = await api('POST', `/meetings/${m.id}/attendance`, as.liaU1, { token });
    expect(again.statusCode).toBe(200);
    expect(again.json().attendance.at).toBe(first.json().attendance.at);

    const uninvited = await api('POST', `/meetings/${m.id}/attendance`, as.liaU3, { token });
    expect(uninvited.statusCode).toBe(403);
    const forged = await api('POST', `/meetings/${m.id}/attendance`, as.liaU2, { token: `${m.id}.AAAAAAAAAAAAAAAAAAAAAA` });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().code).toBe('CODE_INVALID');
    const resident = await api('POST', `/meetings/${m.id}/attendance`, as.resident, { token });
    expect(resident.statusCode).toBe(403);

    at(m, 3.99);
    expect((await api('POST', `/meetings/${m.id}/attendance`, as.adminU2, { token })).statusCode).toBe(201);
    at(m, 4.01);
    const late = await api('POST', `/meetings/${m.id}/attendance`, as.liaU2, { token });
    expect(late.statusCode).toBe(410);
    expect(late.json().code).toBe('CODE_EXPIRED');

    expect(await count('select count(*)::int as n from meeting_attendance where meeting_id = $1', [m.id])).toBe(2);
    const detail = await api('GET', `/meetings/${m.id}`, as.secC1);
    expect(detail.json().attendance.map((a: { org: { id: string } }) => a.org.id)).toEqual([w.u1.id, w.u2.id]);
    expect(detail.json().meeting.attendanceCount).toBe(2);
    // No person is named in the list.
    expect(JSON.stringify(detail.json().attendance)).not.toContain('m_lia');
  });

  test('a cancelled meeting takes no attendance', async () => {
    const m = await convene();
    const { token } = (await api('GET', `/meetings/${m.id}/checkin`, as.secC1)).json();
    expect((await api('POST', `/meetings/${m.id}/cancel`, as.secC1)).statusCode).toBe(200);
    at(m, 0);
    const res = await api('POST', `/meetings/${m.id}/attendance`, as.liaU1, { token });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('INVALID_TRANSITION');
  });
});

describe('meetings: close and cancel', () => {
  test('close writes minutes, decisions and handled counts; every other step from there is 409', async () => {
    const m = await convene(as.secC1, { kind: 'door_service', title: '红色代办员上门服务日' });
    at(m, -0.5);
    const early = await api('POST', `/meetings/${m.id}/close`, as.secC1, { minutes: '纪要', decisions: [] });
    expect(early.statusCode).toBe(409);
    at(m, 2);
    expect((await api('POST', `/meetings/${m.id}/close`, as.liaU1, { minutes: '纪要', decisions: [] })).statusCode).toBe(403);
    const negative = await api('POST', `/meetings/${m.id}/close`, as.secC1, {
      minutes: '纪要',
      decisions: [],
      handled: [{ category: 'consult', count: -1 }],
    });
    expect(negative.statusCode).toBe(400);
    const res = await api('POST', `/meetings/${m.id}/close`, as.secC1, {
      minutes: '上门走访 36 户',
      decisions: ['独居老人每周探访'],
      handled: [
        { category: 'consult', count: 12 },
        { category: 'repair', count: 5 },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().meeting).toMatchObject({ status: 'held', minutes: '上门走访 36 户', decisions: ['独居老人每周探访'] });
    expect(res.json().meeting.handled).toHaveLength(2);
    for (const step of ['close', 'cancel'] as const) {
      const again = await api('POST', `/meetings/${m.id}/${step}`, as.secC1, step === 'close' ? { minutes: 'x', decisions: [] } : {});
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('INVALID_TRANSITION');
    }
  });

  test('handled counts only for a service day; cancel tells the invited; a cancelled meeting takes no actions', async () => {
    const m = await convene();
    at(m, 1);
    const bad = await api('POST', `/meetings/${m.id}/close`, as.secC1, {
      minutes: '纪要',
      decisions: [],
      handled: [{ category: 'consult', count: 2 }],
    });
    expect(bad.statusCode).toBe(400);
    expect(await count(`select count(*)::int as n from meetings where id = $1 and status = 'scheduled'`, [m.id])).toBe(1);

    const c = await convene(as.secC1, { startsAt: inHours(24) });
    const res = await api('POST', `/meetings/${c.id}/cancel`, as.secC1, { note: '改期' });
    expect(res.json().meeting.status).toBe('cancelled');
    await deliverOutbox();
    expect(await count(`select count(*)::int as n from messages where meeting_id = $1 and event_key like '%:cancel'`, [c.id])).toBe(4);
    const add = await api('POST', `/meetings/${c.id}/actions`, as.secC1, {
      title: '任务',
      ownerOrgId: w.u1.id,
      dueAt: new Date(Date.parse(c.startsAt) + DAY).toISOString(),
    });
    expect(add.statusCode).toBe(409);
    expect(add.json().code).toBe('INVALID_TRANSITION');
  });

  test('actions only once held: a scheduled meeting refuses them', async () => {
    const m = await convene();
    const add = await api('POST', `/meetings/${m.id}/actions`, as.secC1, {
      title: '任务',
      ownerOrgId: w.u1.id,
      dueAt: new Date(Date.parse(m.startsAt) + DAY).toISOString(),
    });
    expect(add.statusCode).toBe(409);
    expect(add.json().code).toBe('INVALID_TRANSITION');
  });
});

describe('action items', () => {
  test('bad input → 400 and nothing written: due before the meeting, milestone after the due date, not a unit, progress outside 0–100', async () => {
    const m = await held(await convene());
    const before = await count('select count(*)::int as n from meeting_actions', []);
    const base = { title: '任务', ownerOrgId: w.u1.id, dueAt: new Date(Date.parse(m.startsAt) + DAY).toISOString() };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ dueAt: new Date(Date.parse(m.startsAt) - HOUR).toISOString() }, 'dueAt'],
      [{ milestones: [{ title: '节点', dueAt: new Date(Date.parse(m.startsAt) - HOUR).toISOString() }] }, 'milestones.0.dueAt'],
      [{ milestones: [{ title: '节点', dueAt: new Date(Date.parse(m.startsAt) + 2 * DAY).toISOString() }] }, 'milestones.0.dueAt'],
      [{ ownerOrgId: w.c1.id }, 'ownerOrgId'],
      [{ assistOrgIds: [w.u1.id] }, 'assistOrgIds.0'],
      [{ dueAt: 'tomorrow' }, 'dueAt'],
    ];
    for (const [override, path] of cases) {
      const res = await api('POST', `/meetings/${m.id}/actions`, as.secC1, { ...base, ...override });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
      expect(res.json().details[0].path).toBe(path);
    }
    expect(await count('select count(*)::int as n from meeting_actions', [])).toBe(before);
    expect(await count('select count(*)::int as n from meeting_milestones', [])).toBe(
      await count('select count(*)::int as n from meeting_milestones', []),
    );

    const a = await addAction(m);
    for (const progress of [-1, 101, 50.5]) {
      const res = await api('POST', `/actions/${a.id}/progress`, as.liaU1, { progress, note: '进展' });
      expect(res.statusCode).toBe(400);
    }
    const foreign = await api('POST', `/actions/${a.id}/progress`, as.liaU1, {
      progress: 10,
      note: '进展',
      milestoneDone: '00000000-0000-4000-8000-000000000000',
    });
    expect(foreign.statusCode).toBe(400);
    // Nothing half-written: no progress, no timeline entry.
    const now = (await api('GET', `/actions/${a.id}`, as.liaU1)).json().action;
    expect(now).toMatchObject({ status: 'open', progress: 0 });
    expect(now.timeline.map((e: { kind: string }) => e.kind)).toEqual(['create']);
  });

  test('every transition: progress → done → reopen → done → confirm; and each refusal is 409 INVALID_TRANSITION', async () => {
    const m = await held(await convene());
    const a = await addAction(m);
    expect(a).toMatchObject({ status: 'open', progress: 0, overdue: false, owner: { id: w.u1.id }, assists: [{ id: w.u2.id }] });
    const ms = a.milestones[0];

    // Only the owner's liaison or admin reports; the assisting unit and the convener may not.
    expect((await api('POST', `/actions/${a.id}/progress`, as.liaU2, { progress: 10, note: 'x' })).statusCode).toBe(403);
    expect((await api('POST', `/actions/${a.id}/progress`, as.secC1, { progress: 10, note: 'x' })).statusCode).toBe(403);
    expect((await api('POST', `/actions/${a.id}/progress`, as.liaU3, { progress: 10, note: 'x' })).statusCode).toBe(404);
    // Confirm and reopen need a done action.
    for (const step of ['confirm', 'reopen']) {
      const res = await api('POST', `/actions/${a.id}/${step}`, as.secC1, { note: '提前' });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('INVALID_TRANSITION');
    }

    const p1 = await api('POST', `/actions/${a.id}/progress`, as.liaU1, { progress: 40, note: '已摸排 12 处', milestoneDone: ms.id });
    expect(p1.statusCode).toBe(200);
    expect(p1.json().action).toMatchObject({ status: 'in_progress', progress: 40 });
    expect(p1.json().action.milestones[0].doneAt).not.toBeNull();
    const twice = await api('POST', `/actions/${a.id}/progress`, as.liaU1, { progress: 50, note: 'x', milestoneDone: ms.id });
    expect(twice.statusCode).toBe(409);
    expect((await api('POST', `/actions/${a.id}/progress`, as.adminU1, { progress: 60, note: '施划中' })).json().action.progress).toBe(60);

    expect((await api('POST', `/actions/${a.id}/done`, as.liaU2, { note: 'x' })).statusCode).toBe(403);
    const done = await api('POST', `/actions/${a.id}/done`, as.liaU1, { note: '已完成施划' });
    expect(done.json().action).toMatchObject({ status: 'done', progress: 100 });
    for (const [step, auth] of [
      ['progress', as.liaU1],
      ['done', as.liaU1],
    ] as const) {
      const res = await api('POST', `/actions/${a.id}/${step}`, auth, { progress: 10, note: 'x' });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('INVALID_TRANSITION');
    }
    expect((await api('POST', `/actions/${a.id}/confirm`, as.liaU1, { note: 'x' })).statusCode).toBe(403);

    const reopened = await api('POST', `/actions/${a.id}/reopen`, as.secC1, { note: '夜间仍有违停' });
    expect(reopened.json().action).toMatchObject({ status: 'in_progress', progress: 60, doneAt: null });
    await api('POST', `/actions/${a.id}/done`, as.liaU1, { note: '整改完成' });
    const confirmed = await api('POST', `/actions/${a.id}/confirm`, as.distD1, { note: '验收通过' });
    expect(confirmed.json().action.status).toBe('confirmed');
    for (const step of ['confirm', 'reopen']) {
      const res = await api('POST', `/actions/${a.id}/${step}`, as.secC1, { note: 'x' });
      expect(res.statusCode).toBe(409);
    }
    const timeline = confirmed.json().action.timeline;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual(['create', 'progress', 'progress', 'done', 'reopen', 'done', 'confirm']);
    expect(timeline[1]).toMatchObject({
      progress: 40,
      note: '已摸排 12 处',
      milestone: '完成摸排',
      role: 'unit_liaison',
      orgName: expect.any(String),
    });
    // The assisting unit sees it; an unrelated unit does not.
    expect((await api('GET', `/actions/${a.id}`, as.liaU2)).statusCode).toBe(200);
    expect((await api('GET', `/actions/${a.id}`, as.liaU3)).statusCode).toBe(404);
  });

  test('overdue is computed on read (its own or a milestone’s due time); 我的任务 lists overdue first', async () => {
    const m = await held(await convene());
    const late = await addAction(m, {
      title: '迟到的任务',
      dueAt: new Date(Date.parse(m.startsAt) + 2 * DAY).toISOString(),
      milestones: [],
    });
    const msLate = await addAction(m, {
      title: '节点超期的任务',
      dueAt: new Date(Date.parse(m.startsAt) + 20 * DAY).toISOString(),
      milestones: [{ title: '节点', dueAt: new Date(Date.parse(m.startsAt) + 1 * DAY).toISOString() }],
    });
    const fine = await addAction(m, {
      title: '正常的任务',
      dueAt: new Date(Date.parse(m.startsAt) + 30 * DAY).toISOString(),
      milestones: [],
    });
    at(m, 36);
    const mine = await api('GET', `/actions?ownerOrgId=${w.u1.id}`, as.liaU1);
    expect(mine.statusCode).toBe(200);
    const items: Action[] = mine.json().items.filter((x: Action) => x.meetingId === m.id);
    expect(items.map((x) => [x.id, x.overdue])).toEqual([
      [msLate.id, true],
      [late.id, false],
      [fine.id, false],
    ]);
    at(m, 49);
    const overdue = (await api('GET', '/actions?overdue=true', as.liaU1)).json().items.filter((x: Action) => x.meetingId === m.id);
    expect(overdue.map((x: Action) => x.id)).toEqual([late.id, msLate.id]);
    // Done is never overdue.
    await api('POST', `/actions/${late.id}/done`, as.liaU1, { note: '完成' });
    const after = (await api('GET', `/actions/${late.id}`, as.liaU1)).json().action;
    expect(after.overdue).toBe(false);
    expect((await api('GET', `/actions?ownerOrgId=${w.u1.id}`, as.liaU2)).statusCode).toBe(403);
    expect((await api('GET', `/actions?ownerOrgId=${w.u1.id}`, as.distD1)).statusCode).toBe(200);
  });
});

describe('escalation', () => {
  test('an overdue action is escalated exactly once, whatever the number of runs and processes; one message per recipient', async () => {
    const m = await held(await convene());
    const a = await addAction(m, { dueAt: new Date(Date.parse(m.startsAt) + 2 * DAY).toISOString(), milestones: [] });
    const escalations = () =>
      count(`select count(*)::int as n from meeting_action_events where action_id = $1 and kind = 'escalate'`, [a.id]);
    at(m, 47);
    await ctx.app.notifications.runSweeps(ctx.clock.now());
    expect(await escalations()).toBe(0);
    at(m, 49);

    // A second "process": its own app and pool on the same database.
    const config = ctx.config;
    const database2 = createDatabase(ctx.dbUrl, 5);
    const clock2 = new ManualClock(ctx.clock.now());
    const app2 = await buildApp({ config, database: database2, clock: clock2, logger: false });
    await app2.ready();
    try {
      const runs = await Promise.all([
        ctx.app.notifications.runSweeps(ctx.clock.now()),
        app2.notifications.runSweeps(clock2.now()),
        ctx.app.notifications.runSweeps(ctx.clock.now()),
        app2.notifications.runSweeps(clock2.now()),
      ]);
      expect(runs.reduce((s, n) => s + n, 0)).toBeGreaterThanOrEqual(1);
      clock2.advance(DAY);
      await app2.notifications.runSweeps(clock2.now());
    } finally {
      await app2.close();
      await database2.close();
    }
    expect(await escalations()).toBe(1);
    expect(
      await count(`select count(*)::int as n from notification_outbox where key = $1`, [`meeting_update:${m.id}:escalate:${a.id}`]),
    ).toBe(1);
    await deliverOutbox();
    const { rows } = await ctx.database.pool.query<{ user_id: string; n: number }>(
      `select user_id, count(*)::int as n from messages where event_key = $1 group by user_id`,
      [`meeting_update:${m.id}:escalate:${a.id}`],
    );
    // The owner's unit admin and the 板块's admin; not the liaison, not the assisting unit.
    expect(rows.map((r) => r.user_id).sort()).toEqual([ids.adminU1, ids.distD1].sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const shown = (await api('GET', `/actions/${a.id}`, as.liaU1)).json().action;
    expect(shown.escalatedAt).not.toBeNull();
    expect(shown.timeline.filter((e: { kind: string }) => e.kind === 'escalate')).toHaveLength(1);
  });
});

describe('figures and public progress', () => {
  test("a meeting's progress is the mean of its actions'; statistics equal a direct computation", async () => {
    const d = await makeDistrict(ctx.database.db);
    const c = await makeCommunity(ctx.database.db, d.id);
    const u = await makeUnitOrg(ctx.database.db, d.id);
    const sec = await ctx.signIn('m_fig_sec');
    await ctx.grant(sec.userId, 'secretary', c.id);
    const lia = await ctx.signIn('m_fig_lia');
    await ctx.grant(lia.userId, 'unit_liaison', u.id);
    const dist = await ctx.signIn('m_fig_dist');
    await ctx.grant(dist.userId, 'district_admin', d.id);

    const m = await held(await convene(sec.auth, { invitedOrgIds: [u.id] }), sec.auth);
    const s = await convene(sec.auth, { invitedOrgIds: [u.id], kind: 'door_service', startsAt: inHours(2) });
    at(s, 1);
    await api('POST', `/meetings/${s.id}/close`, sec.auth, {
      minutes: '上门',
      decisions: [],
      handled: [
        { category: 'consult', count: 7 },
        { category: 'legal', count: 3 },
      ],
    });
    await convene(sec.auth, { invitedOrgIds: [u.id], startsAt: inHours(48) });
    const mk = (days: number) =>
      addAction(
        m,
        { ownerOrgId: u.id, assistOrgIds: [], milestones: [], dueAt: new Date(Date.parse(m.startsAt) + days * DAY).toISOString() },
        sec.auth,
      );
    const [a1, a2, a3, a4] = [await mk(2), await mk(3), await mk(10), await mk(1)];
    await api('POST', `/actions/${a1.id}/progress`, lia.auth, { progress: 30, note: '推进' });
    await api('POST', `/actions/${a2.id}/done`, lia.auth, { note: '完成' });
    await api('POST', `/actions/${a3.id}/progress`, lia.auth, { progress: 45, note: '推进' });
    ctx.clock.set(Date.parse(m.startsAt) + 2.5 * DAY);
    await api('POST', `/actions/${a4.id}/done`, lia.auth, { note: '迟了' });

    const detail = (await api('GET', `/meetings/${m.id}`, sec.auth)).json();
    expect(detail.meeting.progress).toBe(Math.round(((30 + 100 + 45 + 100) / 4) * 10) / 10);

    const t = ctx.clock.now();
    const { rows } = await ctx.database.pool.query(
      `select
         (select count(*)::int from meetings where community_org_id = $1 and status = 'held') as held,
         (select count(*)::int from meeting_actions a join meetings m on m.id = a.meeting_id where m.community_org_id = $1) as actions,
         (select count(*)::int from meeting_actions a join meetings m on m.id = a.meeting_id
           where m.community_org_id = $1 and a.done_at is not null and a.done_at <= a.due_at) as on_time,
         (select count(*)::int from meeting_actions a join meetings m on m.id = a.meeting_id
           where m.community_org_id = $1 and a.status in ('open', 'in_progress') and a.due_at <= $2) as overdue,
         (select coalesce(sum((h->>'count')::int), 0)::int from meetings m, jsonb_array_elements(m.handled) h
           where m.community_org_id = $1 and m.status = 'held') as handled`,
      [c.id, t],
    );
    const expected = {
      held: rows[0].held,
      actions: rows[0].actions,
      actionsOnTime: rows[0].on_time,
      actionsOverdue: rows[0].overdue,
      handled: rows[0].handled,
    };
    expect(expected).toEqual({ held: 2, actions: 4, actionsOnTime: 1, actionsOverdue: 1, handled: 10 });
    for (const [scope, id] of [
      ['community', c.id],
      ['district', d.id],
    ]) {
      const res = await api('GET', `/stats/overview?scope=${scope}&id=${id}`, dist.auth);
      expect(res.statusCode).toBe(200);
      expect(res.json().meetings).toEqual(expected);
    }
    const unit = await api('GET', `/stats/overview?scope=unit&id=${u.id}`, dist.auth);
    expect(unit.json().meetings).toEqual(expected);
    const dash = await api('GET', `/stats/dashboard?scope=district&id=${d.id}`, dist.auth);
    expect(dash.json().overview.meetings).toEqual(expected);
  });

  test("a community's residents read what was decided and how far each action is, without names", async () => {
    const wres = await api('POST', '/whistles', as.secC1, {
      title: '小区路灯不亮',
      description: '夜间出行不便',
      category: 'traffic',
      location: '清和坊',
      dueAt: inHours(72),
      addressedTo: [{ orgId: w.u1.id, part: 'lead' }],
    });
    const m = await held(await convene(as.distD1, { whistleIds: [wres.json().whistle.id] }), as.distD1);
    const a = await addAction(m, { title: '更换路灯' }, as.distD1);
    await api('POST', `/actions/${a.id}/progress`, as.liaU1, { progress: 70, note: '已更换 7 盏，联系人 张三 13800000000' });

    const res = await api('GET', `/party-orgs/${w.c1.id}/meeting-progress`, as.resident);
    expect(res.statusCode).toBe(200);
    const item = res.json().items.find((i: { meeting: { id: string } }) => i.meeting.id === m.id);
    expect(item.whistles).toEqual([{ id: wres.json().whistle.id, title: '小区路灯不亮', status: 'open' }]);
    expect(item.meeting.decisions).toEqual(['住建局牵头施划停车位']);
    expect(item.actions).toEqual([expect.objectContaining({ title: '更换路灯', progress: 70, status: 'in_progress', overdue: false })]);
    // Notes (which may name people) are not public.
    expect(res.body).not.toContain('张三');
    expect(res.body).not.toContain('m_');
    expect((await api('GET', `/party-orgs/${w.c1.id}/meeting-progress`, as.outsider)).statusCode).toBe(403);
    expect((await api('GET', `/party-orgs/${w.u1.id}/meeting-progress`, as.resident)).statusCode).toBe(404);
  });

  test('lists: scope defaults and refusals', async () => {
    const own = await api('GET', '/meetings', as.secC1);
    expect(own.statusCode).toBe(200);
    expect(own.json().items.every((m: Meeting) => m.convener.id === w.c1.id)).toBe(true);
    const unit = await api('GET', '/meetings', as.liaU1);
    expect(unit.json().items.length).toBeGreaterThan(0);
    expect((await api('GET', '/meetings', as.liaU3)).json().items).toEqual([]);
    expect((await api('GET', `/meetings?scope=district&id=${w.d1.id}`, as.distD2)).statusCode).toBe(403);
    expect((await api('GET', '/meetings?scope=city', as.secC1)).statusCode).toBe(403);
    expect((await api('GET', '/meetings?scope=city', as.city)).statusCode).toBe(200);
    expect((await api('GET', '/meetings', as.resident)).statusCode).toBe(403);
    const page = await api('GET', `/meetings?scope=district&id=${w.d1.id}&limit=2`, as.distD1);
    expect(page.json().items).toHaveLength(2);
    const next = await api('GET', `/meetings?scope=district&id=${w.d1.id}&limit=2&cursor=${page.json().nextCursor}`, as.distD1);
    expect(next.json().items[0].id).not.toBe(page.json().items[1].id);
  });
});
