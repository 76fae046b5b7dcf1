import type { Agreement, AgreementCreateBody, NeedClaimBody, Project, Role } from '@pioneer/shared';
import { makeCommunity, makeOrgWorld, makeUnitOrg } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

type Auth = { authorization: string };
const DAY = 24 * 3600_000;

let ctx: TestContext;
let w: Awaited<ReturnType<typeof makeOrgWorld<'u1' | 'u2' | 'u3'>>>;
let as: Record<
  'secC1' | 'secC2' | 'secC3' | 'distD1' | 'distD2' | 'adminU1' | 'liaU1' | 'adminU2' | 'liaU2' | 'adminU3' | 'city' | 'resident',
  Auth
>;

beforeAll(async () => {
  ctx = await createTestContext();
  w = await makeOrgWorld(ctx.database.db, { u1: 'd1', u2: 'd1', u3: 'd2' });
  const user = async (name: string, role?: Role, orgId: string | null = null) => (await ctx.staff(name, role, orgId)).auth;
  as = {
    secC1: await user('u_sec_c1', 'secretary', w.c1.id),
    secC2: await user('u_sec_c2', 'secretary', w.c2.id),
    secC3: await user('u_sec_c3', 'secretary', w.c3.id),
    distD1: await user('u_dist_d1', 'district_admin', w.d1.id),
    distD2: await user('u_dist_d2', 'district_admin', w.d2.id),
    adminU1: await user('u_admin_u1', 'unit_admin', w.u1.id),
    liaU1: await user('u_lia_u1', 'unit_liaison', w.u1.id),
    adminU2: await user('u_admin_u2', 'unit_admin', w.u2.id),
    liaU2: await user('u_lia_u2', 'unit_liaison', w.u2.id),
    adminU3: await user('u_admin_u3', 'unit_admin', w.u3.id),
    city: await user('u_city', 'city_admin', null),
    resident: await user('u_resident'),
  };
});
afterAll(async () => ctx.close());

const api = (method: 'GET' | 'POST', url: string, auth: Auth, payload?: unknown) => ctx.api(method, url, auth, payload);

const day = (offsetDays: number) => new Date(ctx.clock.now().getTime() + 8 * 3600_000 + offsetDays * DAY).toISOString().slice(0, 10);

function agreementBody(o: Partial<AgreementCreateBody> = {}): AgreementCreateBody {
  return {
    unitOrgId: w.u1.id,
    communityOrgId: w.c1.id,
    startsOn: day(0),
    endsOn: day(365),
    commitments: '每月组织党员到社区开展志愿服务不少于2次',
    contactName: '李联络',
    contactPhone: '13912345678',
    ...o,
  };
}

async function propose(auth: Auth, o: Partial<AgreementCreateBody> = {}): Promise<Agreement> {
  const res = await api('POST', '/agreements', auth, agreementBody(o));
  expect(res.statusCode).toBe(201);
  return res.json().agreement;
}

/** A unit reported to a community: proposed by its admin, accepted by the secretary. */
async function report(unitAdmin: Auth, unitOrgId: string, secretary: Auth, communityOrgId: string): Promise<Agreement> {
  const a = await propose(unitAdmin, { unitOrgId, communityOrgId });
  const res = await api('POST', `/agreements/${a.id}/accept`, secretary, {});
  expect(res.statusCode).toBe(200);
  return res.json().agreement;
}

async function publishNeed(auth: Auth, communityOrgId: string, o: Record<string, unknown> = {}) {
  const res = await api('POST', '/needs', auth, {
    communityOrgId,
    title: '老年食堂助餐志愿者',
    category: 'care',
    description: '每周二、四中午需要助餐服务人手',
    peopleNeeded: 6,
    ...o,
  });
  expect(res.statusCode).toBe(201);
  return res.json().need as { id: string; status: string };
}

const claimBody = (unitOrgId: string, o: Partial<NeedClaimBody> = {}): NeedClaimBody => ({
  unitOrgId,
  plan: '每周派出3名党员，配合社区完成助餐',
  startsOn: day(1),
  endsOn: day(60),
  ...o,
});

const q = async <T>(text: string, values: unknown[] = []): Promise<T[]> => (await ctx.database.pool.query(text, values)).rows as T[];

async function count(table: string): Promise<number> {
  return (await q<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;
}

describe('agreements (共建协议)', () => {
  test('proposed by the unit admin, phone masked and encrypted, accepted by the secretary, ended by either side', async () => {
    const a = await propose(as.adminU1, { communityOrgId: w.c2.id });
    expect(a).toMatchObject({ status: 'proposed', unit: { id: w.u1.id }, community: { id: w.c2.id }, contactPhone: '139****5678' });
    const [stored] = await q<{ contact_phone_cipher: string }>('select contact_phone_cipher from agreements where id = $1', [a.id]);
    expect(stored.contact_phone_cipher).not.toContain('13912345678');

    const accepted = await api('POST', `/agreements/${a.id}/accept`, as.secC2, {});
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().agreement.status).toBe('active');
    // Refused steps: accept or reject again.
    for (const step of ['accept', 'reject'] as const) {
      const again = await api('POST', `/agreements/${a.id}/${step}`, as.secC2, { reason: '重复' });
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('INVALID_TRANSITION');
    }
    const ended = await api('POST', `/agreements/${a.id}/end`, as.adminU1, { reason: '共建期满提前结束' });
    expect(ended.statusCode).toBe(200);
    expect(ended.json().agreement.status).toBe('ended');
    const twice = await api('POST', `/agreements/${a.id}/end`, as.secC2, {});
    expect(twice.json().code).toBe('INVALID_TRANSITION');
  });

  test('rejected by the district admin with a reason; a rejected one cannot be ended; the community side may end', async () => {
    const a = await propose(as.adminU2, { unitOrgId: w.u2.id, communityOrgId: w.c2.id });
    const noReason = await api('POST', `/agreements/${a.id}/reject`, as.distD1, {});
    expect(noReason.statusCode).toBe(400);
    const rejected = await api('POST', `/agreements/${a.id}/reject`, as.distD1, { reason: '承诺事项不具体' });
    expect(rejected.json().agreement).toMatchObject({ status: 'rejected', reason: '承诺事项不具体' });
    expect((await api('POST', `/agreements/${a.id}/end`, as.adminU2, {})).json().code).toBe('INVALID_TRANSITION');

    const b = await report(as.adminU2, w.u2.id, as.secC2, w.c2.id);
    const ended = await api('POST', `/agreements/${b.id}/end`, as.secC2, {});
    expect(ended.json().agreement.status).toBe('ended');
  });

  test('a second proposal while one waits is a conflict', async () => {
    await propose(as.adminU3, { unitOrgId: w.u3.id, communityOrgId: w.c2.id });
    const dup = await api('POST', '/agreements', as.adminU3, agreementBody({ unitOrgId: w.u3.id, communityOrgId: w.c2.id }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('CONFLICT');
  });

  test('past endsOn an active agreement reads expired, takes no step, and no longer reports the unit', async () => {
    const a = await propose(as.adminU3, { unitOrgId: w.u3.id, communityOrgId: w.c3.id, startsOn: day(0), endsOn: day(2) });
    await api('POST', `/agreements/${a.id}/accept`, as.secC3, {});
    const need = await publishNeed(as.secC3, w.c3.id);
    ctx.clock.advance(3 * DAY);
    try {
      const list = await api('GET', `/agreements?unitOrgId=${w.u3.id}&status=expired`, as.adminU3);
      expect(list.json().items.map((x: Agreement) => x.id)).toContain(a.id);
      expect((await api('GET', `/agreements?unitOrgId=${w.u3.id}&status=active`, as.adminU3)).json().items).toHaveLength(0);
      expect((await api('POST', `/agreements/${a.id}/end`, as.secC3, {})).json().code).toBe('INVALID_TRANSITION');
      const claim = await api('POST', `/needs/${need.id}/claim`, as.adminU3, claimBody(w.u3.id, { startsOn: day(0), endsOn: day(5) }));
      expect(claim.statusCode).toBe(403);
      expect(claim.json().code).toBe('NOT_REPORTED');
    } finally {
      ctx.clock.advance(-3 * DAY);
    }
  });

  test('before its startsOn an accepted agreement does not report the unit: NOT_REPORTED until the first day', async () => {
    const db = ctx.database.db;
    const c = await makeCommunity(db, w.d1.id);
    const u = await makeUnitOrg(db, w.d1.id);
    const sec = await ctx.signIn('u_sec_later');
    await ctx.grant(sec.userId, 'secretary', c.id);
    const admin = await ctx.signIn('u_admin_later');
    await ctx.grant(admin.userId, 'unit_admin', u.id);
    const a = await propose(admin.auth, { unitOrgId: u.id, communityOrgId: c.id, startsOn: day(3), endsOn: day(90) });
    expect((await api('POST', `/agreements/${a.id}/accept`, sec.auth, {})).json().agreement.status).toBe('active');
    const need = await publishNeed(sec.auth, c.id, { title: '协议未开始' });
    const early = await api('POST', `/needs/${need.id}/claim`, admin.auth, claimBody(u.id, { startsOn: day(3), endsOn: day(10) }));
    expect([early.statusCode, early.json().code]).toEqual([403, 'NOT_REPORTED']);
    expect((await api('GET', `/needs?communityOrgId=${c.id}`, admin.auth)).json().code).toBe('NOT_REPORTED');
    expect(await count(`projects where need_id = '${need.id}'`)).toBe(0);
    // The day before: still not reported; on startsOn: reported.
    ctx.clock.advance(2 * DAY);
    try {
      const dayBefore = await api('POST', `/needs/${need.id}/claim`, admin.auth, claimBody(u.id, { startsOn: day(1), endsOn: day(10) }));
      expect(dayBefore.json().code).toBe('NOT_REPORTED');
      ctx.clock.advance(DAY);
      const onTime = await api('POST', `/needs/${need.id}/claim`, admin.auth, claimBody(u.id, { startsOn: day(0), endsOn: day(10) }));
      expect(onTime.statusCode).toBe(201);
      expect(onTime.json().project.status).toBe('claimed');
    } finally {
      ctx.clock.advance(-3 * DAY);
    }
  });

  test('bad input: dates reversed, a non-unit as unit, a unit as community, a bad phone → 400, nothing written', async () => {
    const before = await count('agreements');
    const bad = [
      agreementBody({ startsOn: day(10), endsOn: day(1) }),
      agreementBody({ startsOn: '2026-02-30' }),
      agreementBody({ endsOn: '2101-01-01' }),
      agreementBody({ communityOrgId: w.u2.id }),
      agreementBody({ contactPhone: '12345' }),
    ];
    for (const b of bad) {
      const res = await api('POST', '/agreements', as.adminU1, b);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    // A community named as the unit: not a unit org (400) before any scope question.
    const asUnit = await api('POST', '/agreements', as.adminU1, agreementBody({ unitOrgId: w.c1.id }));
    expect(asUnit.statusCode).toBe(400);
    expect(asUnit.json().details[0].path).toBe('unitOrgId');
    expect(await count('agreements')).toBe(before);
  });

  test('scope: another unit, a liaison, a secretary or district admin elsewhere, a resident', async () => {
    const other = await api('POST', '/agreements', as.adminU2, agreementBody({ unitOrgId: w.u1.id }));
    expect(other.statusCode).toBe(403);
    expect((await api('POST', '/agreements', as.liaU1, agreementBody())).statusCode).toBe(403);
    expect((await api('POST', '/agreements', as.secC1, agreementBody())).statusCode).toBe(403);
    expect((await api('POST', '/agreements', as.resident, agreementBody())).statusCode).toBe(403);

    const a = await propose(as.adminU1, { communityOrgId: w.c1.id });
    expect((await api('POST', `/agreements/${a.id}/accept`, as.secC2, {})).statusCode).toBe(404);
    expect((await api('POST', `/agreements/${a.id}/accept`, as.distD2, {})).statusCode).toBe(404);
    // The unit's own side sees it but cannot accept it.
    expect((await api('POST', `/agreements/${a.id}/accept`, as.adminU1, {})).statusCode).toBe(403);
    expect((await api('POST', `/agreements/${a.id}/end`, as.adminU2, {})).statusCode).toBe(404);
    expect((await api('GET', `/agreements?unitOrgId=${w.u1.id}`, as.adminU2)).statusCode).toBe(403);
    expect((await api('GET', `/agreements?communityOrgId=${w.c1.id}`, as.resident)).statusCode).toBe(403);
    const inbox = await api('GET', `/agreements?communityOrgId=${w.c1.id}&status=proposed`, as.secC1);
    expect(inbox.json().items.map((x: Agreement) => x.id)).toContain(a.id);
    const c2Inbox = await api('GET', '/agreements', as.secC2);
    expect(c2Inbox.json().items.every((x: Agreement) => x.community.id === w.c2.id)).toBe(true);
    expect((await api('POST', `/agreements/${a.id}/accept`, as.distD1, {})).json().agreement.status).toBe('active');
  });
});

describe('needs, resources and projects (三张清单)', () => {
  let c1Reported = false;
  beforeAll(async () => {
    // u1 reported to c1 (by the previous describe or here); u2 reported to c1 as well.
    const list = await api('GET', `/agreements?unitOrgId=${w.u1.id}&communityOrgId=${w.c1.id}&status=active`, as.adminU1);
    c1Reported = list.json().items.length > 0;
    if (!c1Reported) await report(as.adminU1, w.u1.id, as.secC1, w.c1.id);
    await report(as.adminU2, w.u2.id, as.secC1, w.c1.id);
  });

  test('a project runs claimed → in_progress → delivered → accepted → closed; every other step is refused', async () => {
    const need = await publishNeed(as.secC1, w.c1.id);
    expect(need.status).toBe('open');
    const res = await api('POST', `/needs/${need.id}/claim`, as.liaU1, claimBody(w.u1.id));
    expect(res.statusCode).toBe(201);
    const p: Project = res.json().project;
    expect(p).toMatchObject({ status: 'claimed', unit: { id: w.u1.id }, community: { id: w.c1.id } });

    const refuse = async (path: string, auth: Auth, payload: unknown) => {
      const r = await api('POST', `/projects/${p.id}/${path}`, auth, payload);
      expect([r.statusCode, r.json().code]).toEqual([409, 'INVALID_TRANSITION']);
    };
    await refuse('deliver', as.liaU1, { summary: '已完成' });
    await refuse('accept', as.secC1, { rating: 5 });
    await refuse('close', as.secC1, {});

    // The first post of the project makes it in_progress (directed posts have their own tests).
    const start = ctx.clock.now().getTime() + DAY;
    const post = await api('POST', '/tasks', as.secC1, {
      communityOrgId: w.c1.id,
      projectId: p.id,
      title: '助餐服务岗',
      category: 'care',
      location: '老年食堂',
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 2 * 3600_000).toISOString(),
      capacity: 3,
    });
    expect(post.statusCode).toBe(201);
    expect((await api('GET', `/projects/${p.id}`, as.liaU1)).json().project.status).toBe('in_progress');
    await refuse('accept', as.secC1, { rating: 5 });
    const delivered = await api('POST', `/projects/${p.id}/deliver`, as.liaU1, { summary: '完成8次助餐服务' });
    expect(delivered.json().project).toMatchObject({ status: 'delivered', summary: '完成8次助餐服务' });
    await refuse('deliver', as.liaU1, { summary: '再次交付' });
    await refuse('return', as.adminU1, { reason: '交付后退回' });
    await refuse('close', as.secC1, {});
    const badRating = await api('POST', `/projects/${p.id}/accept`, as.secC1, { rating: 6 });
    expect(badRating.statusCode).toBe(400);
    const accepted = await api('POST', `/projects/${p.id}/accept`, as.secC1, { rating: 4, note: '服务认真' });
    expect(accepted.json().project).toMatchObject({ status: 'accepted', rating: 4, ratingNote: '服务认真' });
    await refuse('accept', as.secC1, { rating: 5 });
    const closed = await api('POST', `/projects/${p.id}/close`, as.distD1, {});
    expect(closed.json().project.status).toBe('closed');
    await refuse('close', as.secC1, {});
    await refuse('return', as.liaU1, { reason: '已销号' });

    const detail = await api('GET', `/projects/${p.id}`, as.secC1);
    expect(detail.statusCode).toBe(200);
    expect(detail.json().need.status).toBe('closed');
    expect(detail.json().events.map((e: { action: string }) => e.action)).toEqual(['claim', 'start', 'deliver', 'accept', 'close']);
    expect(detail.json().tasks).toHaveLength(1);
  });

  test('a returned project opens the need again for another unit', async () => {
    const need = await publishNeed(as.secC1, w.c1.id, { title: '楼道堆物清理' });
    const p = (await api('POST', `/needs/${need.id}/claim`, as.adminU1, claimBody(w.u1.id))).json().project as Project;
    const taken = await api('POST', `/needs/${need.id}/claim`, as.adminU2, claimBody(w.u2.id));
    expect([taken.statusCode, taken.json().code]).toEqual([409, 'CONFLICT']);
    expect((await api('POST', `/projects/${p.id}/return`, as.liaU1, {})).statusCode).toBe(400);
    const returned = await api('POST', `/projects/${p.id}/return`, as.liaU1, { reason: '人手不足' });
    expect(returned.json().project).toMatchObject({ status: 'returned', returnReason: '人手不足' });
    const open = await api('GET', `/needs?communityOrgId=${w.c1.id}&status=open`, as.secC1);
    expect(open.json().items.map((n: { id: string }) => n.id)).toContain(need.id);
    const again = await api('POST', `/needs/${need.id}/claim`, as.adminU2, claimBody(w.u2.id));
    expect(again.statusCode).toBe(201);
    expect((await api('POST', `/projects/${p.id}/return`, as.liaU1, { reason: '再退' })).json().code).toBe('INVALID_TRANSITION');
  });

  test('two units claiming one need at once → one project', async () => {
    for (let round = 0; round < 5; round++) {
      const need = await publishNeed(as.secC1, w.c1.id, { title: `并发认领${round}` });
      const answers = await Promise.all([
        api('POST', `/needs/${need.id}/claim`, as.adminU1, claimBody(w.u1.id)),
        api('POST', `/needs/${need.id}/claim`, as.adminU2, claimBody(w.u2.id)),
        api('POST', `/needs/${need.id}/claim`, as.liaU1, claimBody(w.u1.id)),
        api('POST', `/needs/${need.id}/claim`, as.liaU2, claimBody(w.u2.id)),
      ]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409, 409, 409]);
      expect((await q<{ n: number }>('select count(*)::int as n from projects where need_id = $1', [need.id]))[0].n).toBe(1);
    }
  });

  test('NOT_REPORTED for a unit without an active agreement; scope of needs and projects', async () => {
    const need = await publishNeed(as.secC1, w.c1.id, { title: '未报到单位认领' });
    const u3 = await api('POST', `/needs/${need.id}/claim`, as.adminU3, claimBody(w.u3.id));
    expect([u3.statusCode, u3.json().code]).toEqual([403, 'NOT_REPORTED']);
    // Acting for another unit.
    const forOther = await api('POST', `/needs/${need.id}/claim`, as.adminU3, claimBody(w.u1.id));
    expect(forOther.statusCode).toBe(403);
    expect(forOther.json().code).toBe('FORBIDDEN');
    // A secretary cannot claim; a secretary of another community cannot publish here.
    expect((await api('POST', `/needs/${need.id}/claim`, as.secC1, claimBody(w.u1.id))).statusCode).toBe(403);
    expect(
      (await api('POST', '/needs', as.secC2, { communityOrgId: w.c1.id, title: '越权', category: 'care', description: '越权发布' }))
        .statusCode,
    ).toBe(403);
    // A district admin of another district: 403, nothing written.
    const before = await count('needs');
    const other = await api('POST', '/needs', as.distD2, {
      communityOrgId: w.c1.id,
      title: '跨板块',
      category: 'care',
      description: '跨板块发布',
    });
    expect(other.statusCode).toBe(403);
    expect(await count('needs')).toBe(before);
    // Needs of a community the unit is not reported to.
    expect((await api('GET', `/needs?communityOrgId=${w.c3.id}`, as.adminU1)).json().code).toBe('NOT_REPORTED');
    const board = await api('GET', `/needs?unitOrgId=${w.u1.id}&status=open`, as.liaU1);
    expect(board.statusCode).toBe(200);
    expect(board.json().items.every((n: { community: { id: string } }) => n.community.id === w.c1.id)).toBe(true);
    expect((await api('GET', `/needs?unitOrgId=${w.u1.id}`, as.adminU2)).statusCode).toBe(403);

    const p = (await api('POST', `/needs/${need.id}/claim`, as.adminU1, claimBody(w.u1.id))).json().project as Project;
    // Steps by the wrong side.
    expect((await api('POST', `/projects/${p.id}/return`, as.adminU2, { reason: 'x' })).statusCode).toBe(404);
    expect((await api('POST', `/projects/${p.id}/accept`, as.secC2, { rating: 5 })).statusCode).toBe(404);
    expect((await api('POST', `/projects/${p.id}/accept`, as.liaU1, { rating: 5 })).statusCode).toBe(403);
    expect((await api('POST', `/projects/${p.id}/deliver`, as.secC1, { summary: '社区代交' })).statusCode).toBe(403);
    expect((await api('GET', `/projects/${p.id}`, as.secC3)).statusCode).toBe(404);
    const mine = await api('GET', '/projects', as.adminU2);
    expect(mine.json().items.every((x: Project) => x.unit.id === w.u2.id)).toBe(true);
    expect((await api('GET', `/projects?unitOrgId=${w.u1.id}`, as.adminU2)).statusCode).toBe(403);
  });

  test('a need from a demand or a whistle keeps the link; one of another community is refused, nothing written', async () => {
    const demand = await api('POST', '/demands', as.resident, { communityOrgId: w.c1.id, text: '小区需要助老陪诊' });
    expect(demand.statusCode).toBe(201);
    const d = demand.json().demand.id as string;
    const need = await publishNeed(as.secC1, w.c1.id, { source: { kind: 'demand', id: d } });
    const listed = await api('GET', `/needs?communityOrgId=${w.c1.id}`, as.secC1);
    expect(listed.json().items.find((n: { id: string }) => n.id === need.id).source).toEqual({ kind: 'demand', id: d });

    const elsewhere = (await api('POST', '/demands', as.resident, { communityOrgId: w.c2.id, text: '别的社区的点单' })).json().demand.id;
    const before = await count('needs');
    const bad = await api('POST', '/needs', as.secC1, {
      communityOrgId: w.c1.id,
      title: '错误来源',
      category: 'care',
      description: '来源不属于本社区',
      source: { kind: 'demand', id: elsewhere },
    });
    expect(bad.statusCode).toBe(400);
    expect(await count('needs')).toBe(before);
    const unit = await api('POST', '/needs', as.secC1, {
      communityOrgId: w.u1.id,
      title: '单位',
      category: 'care',
      description: '不是社区',
    });
    expect(unit.statusCode).toBe(404);
    const reversed = await api('POST', `/needs/${need.id}/claim`, as.adminU1, claimBody(w.u1.id, { startsOn: day(5), endsOn: day(1) }));
    expect(reversed.statusCode).toBe(400);
    expect(
      (await api('GET', `/needs?communityOrgId=${w.c1.id}`, as.secC1)).json().items.find((n: { id: string }) => n.id === need.id).status,
    ).toBe('open');
  });

  test('resources: listed by the unit, seen by the communities it reports to, not by others', async () => {
    const res = await api('POST', '/resources', as.liaU1, {
      unitOrgId: w.u1.id,
      title: '法律咨询服务',
      category: 'convenience',
      description: '单位律师每月一次上门',
      capacity: 20,
    });
    expect(res.statusCode).toBe(201);
    const r = res.json().resource;
    expect(
      (await api('POST', '/resources', as.liaU2, { ...r, unitOrgId: w.u1.id, id: undefined, unit: undefined, createdAt: undefined }))
        .statusCode,
    ).toBe(403);
    const byCommunity = await api('GET', `/resources?communityOrgId=${w.c1.id}`, as.secC1);
    expect(byCommunity.json().items.map((x: { id: string }) => x.id)).toContain(r.id);
    expect((await api('GET', `/resources?unitOrgId=${w.u1.id}`, as.secC3)).statusCode).toBe(403);
    expect((await api('GET', `/resources?communityOrgId=${w.c1.id}`, as.secC2)).statusCode).toBe(403);
    const need = await publishNeed(as.secC1, w.c1.id, { title: '法律援助' });
    const claimed = await api('POST', `/needs/${need.id}/claim`, as.adminU1, claimBody(w.u1.id, { resourceId: r.id }));
    expect(claimed.json().project.resource).toEqual({ id: r.id, name: '法律咨询服务' });
    const need2 = await publishNeed(as.secC1, w.c1.id, { title: '他人资源' });
    expect((await api('POST', `/needs/${need2.id}/claim`, as.adminU2, claimBody(w.u2.id, { resourceId: r.id }))).statusCode).toBe(400);
  });

  test('notifications: proposal, decision, need published to reported units, claim, delivery, acceptance land in the outbox', async () => {
    const all = (await q<{ key: string }>("select key from notification_outbox where kind = 'unit_update'")).map((r) => r.key);
    expect(all.some((k) => /^unit_update:agreement:.*:propose$/.test(k))).toBe(true);
    expect(all.some((k) => /^unit_update:agreement:.*:accept$/.test(k))).toBe(true);
    expect(all.some((k) => /^unit_update:need:.*:publish$/.test(k))).toBe(true);
    expect(all.some((k) => /^unit_update:project:.*:claim$/.test(k))).toBe(true);
    expect(all.some((k) => /^unit_update:project:.*:deliver$/.test(k))).toBe(true);
    expect(all.some((k) => /^unit_update:project:.*:accept$/.test(k))).toBe(true);
    expect(all.some((k) => /^unit_update:project:.*:return$/.test(k))).toBe(true);
  });
});
