import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WHISTLE_CATEGORY_KEYS } from '@pioneer/shared';
import { seedDemo } from '../../server/src/demo/seed-demo';
import { seedDemoHistory } from '../../server/src/demo/seed-history';
import { seedDemoRecords } from '../../server/src/demo/seed-records';
import { decryptPhone } from '../../server/src/lib/phone-crypto';
import { createTestContext, type TestContext } from '../helpers/test-app';

const TABLES = ['districts', 'party_orgs', 'estates', 'users', 'role_grants', 'members', 'tasks'] as const;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => ctx.close());

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const { rows } = await ctx.database.pool.query(`select count(*)::int as n from ${t}`);
    out[t] = rows[0].n;
  }
  return out;
}

const query = async <T>(text: string, params: unknown[] = []) => (await ctx.database.pool.query(text, params)).rows as T[];

describe('demo data', () => {
  let first: Record<string, number>;

  it('seeds an empty database once, even when started twice at the same time', async () => {
    const ran = await Promise.all([seedDemo(ctx.database.db, ctx.config, ctx.clock), seedDemo(ctx.database.db, ctx.config, ctx.clock)]);
    expect(ran.sort()).toEqual([false, true]);
    // What the server does next on the start that seeded (server.ts): the service records' demo, through the API.
    await seedDemoRecords(ctx.app, ctx.database.db, ctx.clock.now());
    first = await counts();
    expect(first.districts).toBe(16);
    expect(first.members).toBe(5);
    expect(first.tasks).toBeGreaterThanOrEqual(3);
  });

  it('adds nothing on a second run', async () => {
    expect(await seedDemo(ctx.database.db, ctx.config, ctx.clock)).toBe(false);
    expect(await counts()).toEqual(first);
  });

  it("has Changshu's 16 districts", async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/districts' });
    const names = res.json().items.map((d: { name: string }) => d.name);
    expect(names).toHaveLength(16);
    expect(new Set(names)).toEqual(
      new Set([
        '梅李镇',
        '海虞镇',
        '古里镇',
        '沙家浜镇',
        '支塘镇',
        '董浜镇',
        '辛庄镇',
        '尚湖镇',
        '虞山街道',
        '常福街道',
        '琴川街道',
        '莫城街道',
        '碧溪街道',
        '东南街道',
        '常熟经济技术开发区',
        '常熟高新技术产业开发区',
      ]),
    );
  });

  it('gives every district 2–4 communities, every community 2–3 estates and a short register code', async () => {
    const perDistrict = await query<{ n: number }>(
      `select count(o.id)::int as n from districts d left join party_orgs o on o.district_id = d.id and o.kind = 'community' group by d.id`,
    );
    for (const { n } of perDistrict) expect(n).toBeGreaterThanOrEqual(2);
    for (const { n } of perDistrict) expect(n).toBeLessThanOrEqual(4);
    const perCommunity = await query<{ n: number; register_code: string }>(
      `select count(e.id)::int as n, o.register_code from party_orgs o left join estates e on e.community_org_id = o.id where o.kind = 'community' group by o.id`,
    );
    for (const { n, register_code } of perCommunity) {
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(3);
      expect(register_code).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    }
    const units = await query<{ name: string }>(`select name from party_orgs where kind = 'unit'`);
    expect(units.map((u) => u.name)).toEqual(
      expect.arrayContaining(['市住建局', '市城管局', '市公安局', '市教育局', '市卫健委', '常熟农商银行']),
    );
  });

  it('puts 清和坊社区 in 虞山街道 with the register code qinghefang', async () => {
    const [org] = await query<{ district: string; register_code: string }>(
      `select d.name as district, o.register_code from party_orgs o join districts d on d.id = o.district_id where o.name = '清和坊社区'`,
    );
    expect(org).toEqual({ district: '虞山街道', register_code: 'qinghefang' });
  });

  it('lets dev:admin, dev:secretary, dev:district and dev:unit sign in with their scopes', async () => {
    const [qhf] = await query<{ id: string }>(`select id from party_orgs where name = '清和坊社区'`);
    const [ys] = await query<{ id: string }>(`select id from districts where name = '虞山街道'`);
    const login = async (name: string) =>
      (await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: `dev:${name}` } })).json().user;
    expect((await login('admin')).roles).toEqual([{ role: 'city_admin', orgId: null }]);
    expect((await login('secretary')).roles).toEqual([{ role: 'secretary', orgId: qhf.id }]);
    expect((await login('district')).roles).toEqual([{ role: 'district_admin', orgId: ys.id }]);
    const [zjj] = await query<{ id: string }>(`select id from party_orgs where name = '市住建局'`);
    expect((await login('unit')).roles).toEqual([{ role: 'unit_admin', orgId: zjj.id }]);
    const m1 = await login('member1');
    expect(m1.memberId).toEqual(expect.any(String));
    expect(m1.roles).toEqual([{ role: 'member', orgId: null }]);
    const { auth } = await ctx.signIn('member1');
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me', headers: auth });
    expect(me.statusCode).toBe(200);
    expect(me.json().member).toMatchObject({ name: '张伟', phone: '13800138001', community: { name: '清和坊社区' } });
  });

  it('puts the demo members where the README says: member1–3 in 清和坊社区, member4 in 书院社区, member5 in 琴湖社区', async () => {
    const rows = await query<{ openid: string; community: string }>(
      `select u.openid, o.name as community from members m join users u on u.id = m.user_id join party_orgs o on o.id = m.community_org_id
        where u.openid like 'dev_member%' order by u.openid`,
    );
    expect(rows).toEqual([
      { openid: 'dev_member1', community: '清和坊社区' },
      { openid: 'dev_member2', community: '清和坊社区' },
      { openid: 'dev_member3', community: '清和坊社区' },
      { openid: 'dev_member4', community: '书院社区' },
      { openid: 'dev_member5', community: '琴湖社区' },
    ]);
    // The README's demo table names the same places.
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(readme).toContain('`dev:member4`: 书院社区');
    expect(readme).toContain('`dev:member5`: 琴湖社区');
    expect(readme).toMatch(/`dev:member1` … `dev:member3` \| registered members of 清和坊社区/);
  });

  it('stores member phones encrypted, hashed and masked only', async () => {
    const rows = await query<{ phone_cipher: string; phone_masked: string }>(`select phone_cipher, phone_masked from members`);
    for (const r of rows) {
      expect(r.phone_cipher).not.toMatch(/1[3-9]\d{9}/);
      expect(decryptPhone(ctx.config.phoneEncKey, r.phone_cipher)).toMatch(/^1[3-9]\d{9}$/);
      expect(r.phone_masked).toMatch(/^\d{3}\*{4}\d{4}$/);
    }
  });

  it('has open 清和坊社区 tasks that start in the future and can be claimed now', async () => {
    const now = ctx.clock.now().getTime();
    const rows = await query<{
      starts_at: Date;
      ends_at: Date;
      claim_opens_at: Date;
      capacity: number;
      category: string;
      status: string;
      claimed: number;
    }>(
      `select t.* from tasks t join party_orgs o on o.id = t.community_org_id where o.name = '清和坊社区' and t.status <> 'ended' and t.project_id is null`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const t of rows) {
      expect(t.status).toBe('open');
      expect(t.claimed).toBe(0);
      expect(t.starts_at.getTime()).toBeGreaterThan(now);
      expect(t.ends_at.getTime()).toBeGreaterThan(t.starts_at.getTime());
      expect(t.claim_opens_at.getTime()).toBeLessThanOrEqual(now);
      expect(t.capacity).toBeGreaterThanOrEqual(5);
      expect(t.capacity).toBeLessThanOrEqual(20);
    }
    expect(new Set(rows.map((t) => t.category)).size).toBeGreaterThanOrEqual(3);
  });

  it('has whistles of 清和坊社区 in every state, the 世茂商圈 parking case among them, in the demo liaison’s inbox', async () => {
    const sign = async (code: string) =>
      (await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code } })).json() as {
        token: string;
        user: { roles: Array<{ role: string; orgId: string }> };
      };
    const secretary = await sign('dev:secretary');
    const list = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/whistles?limit=50',
      headers: { authorization: `Bearer ${secretary.token}` },
    });
    const items = list.json().items as Array<{
      id: string;
      title: string;
      status: string;
      category: string;
      overdue: boolean;
      assignments: Array<{ orgName: string; part: string; status: string }>;
    }>;
    expect(new Set(items.map((w) => w.status))).toEqual(new Set(['open', 'answered', 'verified', 'closed', 'rated']));
    // The whistles' own categories (contract v3), never the volunteer ones.
    for (const w of items) expect(WHISTLE_CATEGORY_KEYS).toContain(w.category);
    expect(items.some((w) => w.overdue)).toBe(true);
    expect(items.some((w) => w.assignments.some((a) => a.status === 'returned'))).toBe(true);
    const shimao = items.find((w) => w.title.includes('世茂商圈'))!;
    expect(shimao.assignments.map((a) => [a.orgName, a.part])).toEqual([
      ['市住建局', 'lead'],
      ['市城管局', 'assist'],
      ['市公安局', 'inform'],
    ]);
    const detail = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/whistles/${shimao.id}`,
      headers: { authorization: `Bearer ${secretary.token}` },
    });
    expect(detail.json().events.map((e: { action: string }) => e.action)).toEqual(['raise', 'sign']);

    const liaison = await sign('dev:liaison');
    expect(liaison.user.roles.map((g) => g.role)).toEqual(['unit_liaison']);
    const inbox = await ctx.app.inject({ method: 'GET', url: '/api/v1/whistles', headers: { authorization: `Bearer ${liaison.token}` } });
    expect(inbox.json().items.map((w: { id: string }) => w.id)).toContain(shimao.id);
  });

  it('has 共商共办 meetings and actions in every state, the parking whistle showing its meeting, one overdue action to escalate', async () => {
    const sign = async (code: string) =>
      (await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code } })).json() as { token: string };
    const get = async (code: string, url: string) =>
      (
        await ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${(await sign(code)).token}` } })
      ).json();
    const meetings = (await get('dev:secretary', '/meetings?limit=50')).items as Array<{
      status: string;
      kind: string;
      whistles: unknown[];
    }>;
    expect(new Set(meetings.map((m) => m.status))).toEqual(new Set(['scheduled', 'held', 'cancelled']));
    expect(new Set(meetings.map((m) => m.kind))).toEqual(new Set(['coordination', 'door_service']));
    const tasks = (await get('dev:liaison', '/actions')).items as Array<{ status: string; overdue: boolean; title: string }>;
    expect(tasks.length).toBeGreaterThan(0);
    const all = await query<{ status: string; overdue: boolean }>(
      `select status, status in ('open', 'in_progress') and due_at <= now() as overdue from meeting_actions`,
    );
    expect(new Set(all.map((a) => a.status))).toEqual(new Set(['open', 'in_progress', 'done', 'confirmed']));
    expect(all.filter((a) => a.overdue)).toHaveLength(1);
    const whistles = (await get('dev:secretary', '/whistles?limit=50')).items as Array<{ id: string; title: string }>;
    const shimao = whistles.find((w) => w.title.includes('世茂商圈'))!;
    const detail = await get('dev:secretary', `/whistles/${shimao.id}`);
    expect(detail.meetings).toHaveLength(1);
    expect(detail.meetings[0].actions.length).toBe(3);
    const needs = (await get('dev:secretary', '/needs?limit=50')).items as Array<{ title: string; meetings: unknown[] }>;
    expect(needs.find((n) => n.title === '社区义诊进楼栋')!.meetings).toEqual([
      expect.objectContaining({ title: '红色代办员组团上门服务日', kind: 'door_service', status: 'held', readable: true }),
    ]);
    expect(await ctx.app.notifications.runSweeps(ctx.clock.now())).toBe(1);
    expect(await ctx.app.notifications.runSweeps(ctx.clock.now())).toBe(0);
  });
  it('has 组织报到 in 清和坊社区: 共建协议 in every state, needs and projects in every state, resources, a directed post', async () => {
    const sign = async (code: string) => {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code } });
      return { authorization: `Bearer ${res.json().token as string}` };
    };
    const [qhf] = await query<{ id: string }>(`select id from party_orgs where name = '清和坊社区'`);
    const secretary = await sign('dev:secretary');
    const get = async (headers: Record<string, string>, url: string) => {
      const res = await ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
      expect([url, res.statusCode]).toEqual([url, 200]);
      return res.json();
    };

    const agreements = (await get(secretary, `/agreements?communityOrgId=${qhf.id}&limit=50`)).items as Array<{
      unit: { name: string };
      status: string;
      reason: string | null;
      contactPhone: string;
    }>;
    const byUnit = Object.fromEntries(agreements.map((a) => [a.unit.name, a.status]));
    expect(byUnit).toEqual({
      市公安局: 'expired',
      市教育局: 'ended',
      市住建局: 'active',
      市卫健委: 'active',
      常熟农商银行: 'active',
      市城管局: 'rejected',
      市民政局: 'proposed',
    });
    expect(agreements.find((a) => a.status === 'rejected')!.reason).toMatch(/.{4,}/);
    expect(agreements.find((a) => a.status === 'ended')!.reason).toMatch(/.{4,}/);
    for (const a of agreements) expect(a.contactPhone).toMatch(/^\d{3}\*{4}\d{4}$/);
    // The demo's unit admin (市住建局) is reported to 清和坊社区 and to 书院社区 (one to end in the walk).
    const unit = await sign('dev:unit');
    const own = (await get(unit, '/agreements?limit=50')).items as Array<{ community: { name: string }; status: string }>;
    expect(own.map((a) => [a.community.name, a.status]).sort()).toEqual([
      ['书院社区', 'active'],
      ['清和坊社区', 'active'],
    ]);

    const needs = (await get(secretary, `/needs?communityOrgId=${qhf.id}&limit=50`)).items as Array<{
      title: string;
      status: string;
      source: { kind: string } | null;
    }>;
    expect(new Set(needs.map((n) => n.status))).toEqual(new Set(['open', 'claimed', 'closed']));
    expect(needs.filter((n) => n.source?.kind === 'demand').map((n) => n.title)).toEqual(['清和苑南门路灯维修']);
    const projects = (await get(secretary, `/projects?communityOrgId=${qhf.id}&limit=50`)).items as Array<{
      id: string;
      status: string;
      unit: { name: string };
      rating: number | null;
    }>;
    expect(projects.map((p) => p.status).sort()).toEqual(['accepted', 'claimed', 'closed', 'delivered', 'in_progress', 'returned']);
    for (const p of projects) expect(p.rating !== null).toBe(p.status === 'accepted' || p.status === 'closed');
    // The returned need is open for another unit again.
    expect(needs.find((n) => n.title === '青少年暑期托管')!.status).toBe('open');
    const closed = projects.find((p) => p.status === 'closed')!;
    const detail = await get(secretary, `/projects/${closed.id}`);
    expect(detail.events.map((e: { action: string }) => e.action)).toEqual(['claim', 'start', 'deliver', 'accept', 'close']);
    expect(detail.tasks).toHaveLength(1);
    // The unit sees its own projects, the needs board of its communities, its resources.
    const mine = (await get(unit, '/projects?limit=50')).items as Array<{ unit: { name: string }; status: string }>;
    expect(mine.map((p) => [p.unit.name, p.status]).sort()).toEqual([
      ['市住建局', 'closed'],
      ['市住建局', 'delivered'],
      ['市住建局', 'in_progress'],
    ]);
    const board = (await get(unit, '/needs?limit=50')).items as Array<{ community: { name: string } }>;
    expect(new Set(board.map((n) => n.community.name))).toEqual(new Set(['清和坊社区']));
    const resources = (await get(secretary, `/resources?communityOrgId=${qhf.id}&limit=50`)).items as Array<{ unit: { name: string } }>;
    expect(new Set(resources.map((r) => r.unit.name))).toEqual(new Set(['市住建局', '市卫健委', '常熟农商银行']));

    // The in-progress project's directed post: open now, 市住建局's member may grab it, 市卫健委's is told why not.
    const member2 = await sign('dev:member2');
    const open = (await get(member2, `/tasks?communityOrgId=${qhf.id}&open=true&limit=50`)).items as Array<{
      id: string;
      audience: string;
      audienceUnit: { name: string } | null;
    }>;
    const directed = open.filter((t) => t.audience === 'unit');
    expect(directed.map((t) => t.audienceUnit?.name)).toEqual(['市住建局']);
    const refused = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${directed[0].id}/claims`, headers: member2 });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'NOT_IN_AUDIENCE']);
  });
});

describe('the demo’s service records (王强, dev:member3 of 清和坊社区)', () => {
  const get = async (auth: { authorization: string }, url: string) => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: auth });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('has records from 补记, an approved correction and an approved 补录, each amendment in its history', async () => {
    const { auth } = await ctx.signIn('member3');
    const records = await get(auth, '/members/me/records');
    const items = records.items as Array<{
      task: { title: string };
      record: { id: string; minutes: number; source: string; amended: boolean };
    }>;
    expect(new Set(items.map((i) => i.record.source))).toEqual(new Set(['secretary', 'correction', 'supplement']));
    expect(records.totals.minutes).toBe(items.reduce((s, i) => s + i.record.minutes, 0));
    expect(records.totals.minutes).toBeGreaterThan(0);
    const corrected = items.find((i) => i.record.source === 'correction')!;
    expect(corrected.record.amended).toBe(true);
    const history = await get(auth, `/records/${corrected.record.id}/history`);
    const steps = history.items as Array<{ source: string; before: { minutes: number } | null; after: { minutes: number } }>;
    expect(steps.map((a) => a.source)).toEqual(['secretary', 'correction']);
    expect(steps[1].before!.minutes).toBe(steps[0].after.minutes);
    expect(steps[1].after.minutes).toBe(corrected.record.minutes);
    expect(steps[1].after.minutes).not.toBe(steps[0].after.minutes);
  });

  it('has corrections approved, rejected and pending, the pending ones in the secretary’s 更正审核', async () => {
    const member = await ctx.signIn('member3');
    const mine = (await get(member.auth, '/members/me/corrections')).items as Array<{ status: string; kind: string; note: string | null }>;
    expect(new Set(mine.map((c) => c.status))).toEqual(new Set(['approved', 'rejected', 'pending']));
    expect(mine.find((c) => c.status === 'rejected')!.note).toEqual(expect.any(String));
    const secretary = await ctx.signIn('secretary');
    const [qhf] = await query<{ id: string }>(`select id from party_orgs where name = '清和坊社区'`);
    const inbox = (await get(secretary.auth, `/party-orgs/${qhf.id}/corrections?status=pending`)).items as Array<{
      kind: string;
      memberName: string;
    }>;
    expect(inbox.length).toBeGreaterThanOrEqual(2);
    expect(new Set(inbox.map((c) => c.kind))).toEqual(new Set(['correct', 'supplement']));
    expect(inbox.every((c) => c.memberName === '王强')).toBe(true);
  });

  it('has a certificate revoked by the correction and a valid one over the amended records', async () => {
    const { auth } = await ctx.signIn('member3');
    const certs = (await get(auth, '/members/me/certificates')).items as Array<{
      no: string;
      status: string;
      reason: string | null;
      totalMinutes: number;
      items: Array<{ minutes: number }>;
    }>;
    expect(certs.map((c) => c.status).sort()).toEqual(['revoked', 'valid']);
    const revoked = certs.find((c) => c.status === 'revoked')!;
    const valid = certs.find((c) => c.status === 'valid')!;
    expect(revoked.reason).toBe('records_amended');
    expect(valid.items.length).toBeGreaterThan(revoked.items.length);
    expect(valid.totalMinutes).toBe(valid.items.reduce((s, i) => s + i.minutes, 0));
    const records = await get(auth, '/members/me/records');
    expect(valid.totalMinutes).toBe(records.totals.minutes);
    const check = await ctx.app.inject({ method: 'GET', url: `/api/v1/certificates/${revoked.no}/verify` });
    expect(check.json().status).toBe('revoked');
    const pdf = await ctx.app.inject({ method: 'GET', url: `/api/v1/certificates/${valid.no}/pdf`, headers: auth });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const secretary = await ctx.signIn('secretary');
    const [qhf] = await query<{ id: string }>(`select id from party_orgs where name = '清和坊社区'`);
    const settings = (await get(secretary.auth, `/party-orgs/${qhf.id}/certificate-settings`)).settings;
    expect(settings.leader).not.toBe('');
    expect(settings.handler).not.toBe('');
  });

  it('has points earned (and reversed by the correction) and spent on 爱心超市 rewards still in stock', async () => {
    const { auth } = await ctx.signIn('member3');
    const points = await get(auth, '/members/me/points');
    const entries = points.entries as Array<{ kind: string; amount: number }>;
    expect(new Set(entries.map((e) => e.kind))).toEqual(new Set(['earn', 'reverse', 'redeem']));
    expect(points.balance).toBe(entries.reduce((s, e) => s + e.amount, 0));
    expect(points.balance).toBeGreaterThan(0);
    expect(points.spent).toBeGreaterThan(0);
    const redemptions = (await get(auth, '/members/me/redemptions')).items as Array<{ rewardName: string; points: number }>;
    expect(redemptions).toHaveLength(2);
    expect(points.spent).toBe(redemptions.reduce((s, r) => s + r.points, 0));
    const [qhf] = await query<{ id: string }>(`select id from party_orgs where name = '清和坊社区'`);
    const rewards = (await get(auth, `/party-orgs/${qhf.id}/rewards`)).items as Array<{ name: string; stock: number }>;
    expect(rewards.length).toBeGreaterThanOrEqual(3);
    for (const r of rewards) expect(r.stock).toBeGreaterThan(0);
    for (const r of redemptions) expect(rewards.map((x) => x.name)).toContain(r.rewardName);
  });

  it('leaves 张伟 and 李娜 (the records walks’ members) without records, certificates or points', async () => {
    for (const name of ['member1', 'member2']) {
      const { auth } = await ctx.signIn(name);
      expect((await get(auth, '/members/me/records')).items).toEqual([]);
      expect((await get(auth, '/members/me/certificates')).items).toEqual([]);
      expect((await get(auth, '/members/me/points')).balance).toBe(0);
    }
  });
});

describe('the demo city’s history (first start)', () => {
  it('holds, in each of the last six months, at least 1,000 participations and posts to serve, and the dashboards show them', async () => {
    // How long this takes is the bench's figure (docs/benchmarks.md), not a test's.
    const city = await seedDemoHistory(ctx.database, ctx.config, ctx.clock.now().getTime());
    expect(city.members).toBeGreaterThan(5000);

    const now = ctx.clock.now().getTime();
    const DAY = 86_400_000;
    for (let m = 0; m < 6; m++) {
      const [{ posts, participations }] = await query<{ posts: number; participations: number }>(
        `select count(distinct t.id)::int as posts,
                count(c.id) filter (where c.status in ('claimed', 'checked_in', 'completed', 'no_show'))::int as participations
           from tasks t left join claims c on c.task_id = t.id
          where t.starts_at >= $1 and t.starts_at < $2`,
        [new Date(now - (m + 1) * 30 * DAY), new Date(now - m * 30 * DAY)],
      );
      expect({ m, participations: participations >= 1000, posts: posts >= 100 }).toEqual({ m, participations: true, posts: true });
    }
    const [{ households, completed, whistles }] = await query<{ households: number; completed: number; whistles: number }>(
      `select (select count(*)::int from households) as households,
              (select count(*)::int from claims where status = 'completed' and checked_out_at is not null) as completed,
              (select count(*)::int from whistles) as whistles`,
    );
    expect(households).toBeGreaterThan(1000);
    expect(completed).toBeGreaterThan(10_000);
    expect(whistles).toBeGreaterThan(0);

    const { auth } = await ctx.signIn('admin');
    const overview = (await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/overview?scope=city', headers: auth })).json();
    expect(overview.participations).toBeGreaterThan(20_000);
    expect(overview.serviceMinutes).toBeGreaterThan(0);
    const dashboard = await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/dashboard?scope=city', headers: auth });
    expect(dashboard.statusCode).toBe(200);
    const trends = dashboard.json().trends as Array<{ participations: number }>;
    expect(trends.length).toBeGreaterThanOrEqual(26);
    expect(trends.filter((w) => w.participations > 0).length).toBeGreaterThanOrEqual(24);
    // The district admin of 虞山街道 (the demo's) sees its communities' history too.
    const district = await ctx.signIn('district');
    const [ys] = await query<{ id: string }>(`select id from districts where name = '虞山街道'`);
    const own = (
      await ctx.app.inject({ method: 'GET', url: `/api/v1/stats/overview?scope=district&id=${ys.id}`, headers: district.auth })
    ).json();
    expect(own.participations).toBeGreaterThan(100);
    // 清和坊社区 itself has half a year of its own: its secretary's dashboard, trend and ranking are real.
    const secretary = await ctx.signIn('secretary');
    const [qhf] = await query<{ id: string }>(`select id from party_orgs where name = '清和坊社区'`);
    const mine = (
      await ctx.app.inject({ method: 'GET', url: `/api/v1/stats/overview?scope=community&id=${qhf.id}`, headers: secretary.auth })
    ).json();
    expect(mine.members).toBeGreaterThanOrEqual(60);
    expect(mine.participations).toBeGreaterThan(300);
    expect(mine.serviceMinutes).toBeGreaterThan(20_000);
    expect(mine.tasksFilled).toBeGreaterThan(10);
    const board = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/stats/dashboard?scope=community&id=${qhf.id}`,
      headers: secretary.auth,
    });
    expect(board.statusCode).toBe(200);
    const weeks = board.json().trends as Array<{ participations: number }>;
    expect(weeks.filter((w) => w.participations > 0).length).toBeGreaterThanOrEqual(20);
    const [qhfOwn] = await query<{ households: number; whistles: number; months: number }>(
      `select (select count(*)::int from households where community_org_id = $1) as households,
              (select count(*)::int from whistles where raised_by_org_id = $1 and status in ('closed', 'rated')) as whistles,
              (select count(distinct date_trunc('month', w.created_at))::int from whistles w where w.raised_by_org_id = $1) as months`,
      [qhf.id],
    );
    expect(qhfOwn.households).toBeGreaterThanOrEqual(60);
    expect(qhfOwn.whistles).toBeGreaterThanOrEqual(12);
    expect(qhfOwn.months).toBeGreaterThanOrEqual(6);
    const categories = await query<{ category: string }>(`select distinct category from whistles where raised_by_org_id = $1`, [qhf.id]);
    for (const { category } of categories) expect(WHISTLE_CATEGORY_KEYS).toContain(category);

    // The city's generated 组织报到 leaves the demo's own units and communities as they were.
    const [reporting] = await query<{ qhf: number; zjj: number; generated: number }>(
      `select (select count(*)::int from agreements a join party_orgs c on c.id = a.community_org_id where c.name = '清和坊社区') as qhf,
              (select count(*)::int from agreements a join party_orgs u on u.id = a.unit_org_id where u.name = '市住建局') as zjj,
              (select count(*)::int from agreements) as generated`,
    );
    expect([reporting.qhf, reporting.zjj]).toEqual([7, 2]);
    expect(reporting.generated).toBeGreaterThan(8);

    // A second start adds nothing.
    expect(await seedDemo(ctx.database.db, ctx.config, ctx.clock)).toBe(false);
  });
});
