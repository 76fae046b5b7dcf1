import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decryptPhone, hashPhone } from '../../server/src/lib/phone-crypto';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

type Auth = { authorization: string };

describe('resident demands (居民点单) without WeChat credentials', () => {
  let ctx: TestContext;
  let c1: { id: string; name: string };
  let c2: { id: string };
  let unitId: string;
  let as: Record<'resident' | 'other' | 'sec1' | 'sec2' | 'dist', Auth>;
  const api = (method: 'GET' | 'POST', url: string, auth: Auth | undefined, payload?: object) => ctx.api(method, url, auth, payload);

  beforeAll(async () => {
    ctx = await createTestContext();
    const db = ctx.database.db;
    const d = await makeDistrict(db);
    c1 = await makeCommunity(db, d.id);
    c2 = await makeCommunity(db, d.id);
    unitId = (await makeUnitOrg(db, d.id)).id;
    const user = async (name: string, role?: 'secretary' | 'district_admin', orgId?: string) => (await ctx.staff(name, role, orgId)).auth;
    as = {
      resident: await user('dm_resident'),
      other: await user('dm_other'),
      sec1: await user('dm_sec1', 'secretary', c1.id),
      sec2: await user('dm_sec2', 'secretary', c2.id),
      dist: await user('dm_dist', 'district_admin', d.id),
    };
  });
  afterAll(async () => ctx.close());

  const send = async (text: string, auth = as.resident) => {
    const res = await api('POST', '/demands', auth, { communityOrgId: c1.id, text, category: 'care' });
    expect(res.statusCode).toBe(201);
    return res.json().demand;
  };

  it('any signed-in user sends one; it arrives new, without personal data; bad input is 400, no token 401', async () => {
    const d = await send('楼道灯坏了一个月，老人晚上出行不便');
    expect(d).toMatchObject({ community: { id: c1.id, name: c1.name }, status: 'new', category: 'care', task: null, whistle: null });
    expect(Object.keys(d)).not.toEqual(expect.arrayContaining(['userId']));
    expect((await api('POST', '/demands', undefined, { communityOrgId: c1.id, text: '没有登录' })).statusCode).toBe(401);
    for (const body of [
      { communityOrgId: c1.id, text: 'x' },
      { communityOrgId: c1.id, text: '坏\u0000字' },
      { communityOrgId: 'nope', text: '一些文字' },
    ]) {
      const res = await api('POST', '/demands', as.resident, body);
      expect([res.statusCode, res.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await api('POST', '/demands', as.resident, { communityOrgId: unitId, text: '发给单位' })).statusCode).toBe(404);
  });

  it('the community’s secretary and its district admin list them; another community’s secretary and residents cannot', async () => {
    const listed = await api('GET', `/demands?communityOrgId=${c1.id}`, as.sec1);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.length).toBeGreaterThan(0);
    expect((await api('GET', `/demands?communityOrgId=${c1.id}`, as.dist)).statusCode).toBe(200);
    expect((await api('GET', `/demands?communityOrgId=${c1.id}`, as.sec2)).statusCode).toBe(403);
    expect((await api('GET', `/demands?communityOrgId=${c1.id}`, as.resident)).statusCode).toBe(403);
  });

  it('triage into a post, a whistle or a rejection; the resident sees what became of it; a second triage is 409', async () => {
    const forPost = await send('希望周末有人陪独居老人聊天');
    const forWhistle = await send('小区门口晚上违停严重');
    const forReject = await send('希望社区发放免费水果');
    const task = await publishTask(ctx, as.sec1, c1.id, { title: '陪伴独居老人' });
    const whistle = await api('POST', '/whistles', as.sec1, {
      title: '小区门口违停',
      description: '居民点单转吹哨',
      category: 'traffic',
      location: '小区南门',
      dueAt: new Date(ctx.clock.now().getTime() + 86_400_000).toISOString(),
      addressedTo: [{ orgId: unitId, part: 'lead' }],
    });
    const whistleId = whistle.json().whistle.id;

    const triage = (id: string, body: object, auth = as.sec1) => api('POST', `/demands/${id}/triage`, auth, body);
    expect((await triage(forPost.id, { action: 'post' })).statusCode).toBe(400);
    expect((await triage(forReject.id, { action: 'reject' })).statusCode).toBe(400);
    expect((await triage(forPost.id, { action: 'post', taskId: task.id }, as.sec2)).statusCode).toBe(404);
    expect((await triage(forPost.id, { action: 'post', taskId: task.id }, as.resident)).statusCode).toBe(403);

    const posted = await triage(forPost.id, { action: 'post', taskId: task.id, note: '已发布岗位' });
    expect(posted.json().demand).toMatchObject({ status: 'posted', task: { id: task.id, name: '陪伴独居老人' }, note: '已发布岗位' });
    const whistled = await triage(forWhistle.id, { action: 'whistle', whistleId });
    expect(whistled.json().demand).toMatchObject({ status: 'whistled', whistle: { id: whistleId, name: '小区门口违停' } });
    const rejected = await triage(forReject.id, { action: 'reject', note: '不属于社区服务范围' });
    expect(rejected.json().demand).toMatchObject({ status: 'rejected', note: '不属于社区服务范围' });

    for (const [id, body] of [
      [forPost.id, { action: 'reject', note: '改主意' }],
      [forReject.id, { action: 'post', taskId: task.id }],
      [forWhistle.id, { action: 'whistle', whistleId }],
    ] as const) {
      const res = await triage(id, body);
      expect([res.statusCode, res.json().code]).toEqual([409, 'INVALID_TRANSITION']);
    }

    const mine = (await api('GET', '/demands/mine', as.resident)).json().items as Array<{ id: string; status: string }>;
    expect(Object.fromEntries(mine.map((d) => [d.id, d.status]))).toMatchObject({
      [forPost.id]: 'posted',
      [forWhistle.id]: 'whistled',
      [forReject.id]: 'rejected',
    });
    expect((await api('GET', '/demands/mine', as.other)).json().items).toEqual([]);
  });

  it('转为吹哨 in one request: the whistle is raised by the demand’s community with the triage, or nothing happens', async () => {
    const d = await send('小区北门电动车乱停，消防通道被堵');
    const whistle = {
      title: '北门电动车占用消防通道',
      description: '居民点单：小区北门电动车乱停，消防通道被堵',
      category: 'safety',
      location: '小区北门',
      dueAt: new Date(ctx.clock.now().getTime() + 3 * 86_400_000).toISOString(),
      addressedTo: [{ orgId: unitId, part: 'lead' }],
    };
    const triage = (body: object, auth = as.sec1) => api('POST', `/demands/${d.id}/triage`, auth, body);
    const whistles = async () =>
      (await ctx.database.pool.query(`select count(*)::int as n from whistles where title = $1`, [whistle.title])).rows[0].n;

    // Refusals change nothing: another community's name, a past deadline, no lead unit, both whistleId and whistle, a whistle with post.
    const refusals: Array<[object, string]> = [
      [{ action: 'whistle', whistle: { ...whistle, raisedByOrgId: c2.id } }, 'whistle.raisedByOrgId'],
      [{ action: 'whistle', whistle: { ...whistle, dueAt: new Date(ctx.clock.now().getTime() - 60_000).toISOString() } }, 'whistle.dueAt'],
      [{ action: 'whistle', whistle: { ...whistle, addressedTo: [{ orgId: unitId, part: 'assist' }] } }, 'whistle.addressedTo'],
      [{ action: 'whistle', whistle, whistleId: d.id }, 'whistle'],
      [{ action: 'post', taskId: d.id, whistle }, 'whistle'],
    ];
    for (const [body, path] of refusals) {
      const res = await triage(body);
      expect([res.statusCode, res.json().details?.[0]?.path]).toEqual([400, path]);
    }
    expect((await triage({ action: 'whistle', whistle }, as.sec2)).statusCode).toBe(404);
    expect((await triage({ action: 'whistle', whistle }, as.dist)).statusCode).toBe(403);
    expect(await whistles()).toBe(0);
    expect((await api('GET', '/demands/mine', as.resident)).json().items.find((x: { id: string }) => x.id === d.id).status).toBe('new');

    const res = await triage({ action: 'whistle', whistle, note: '已吹哨' });
    expect(res.statusCode).toBe(200);
    const demand = res.json().demand;
    expect(demand).toMatchObject({ status: 'whistled', whistle: { name: whistle.title }, note: '已吹哨' });
    expect(await whistles()).toBe(1);
    const raised = (await api('GET', `/whistles/${demand.whistle.id}`, as.sec1)).json();
    expect(raised.whistle).toMatchObject({ title: whistle.title, category: 'safety', location: '小区北门' });
    expect(raised.assignments).toEqual([expect.objectContaining({ part: 'lead', status: 'pending' })]);
    expect(raised.events.map((e: { action: string }) => e.action)).toEqual(['raise']);
    // The unit hears of it as of any whistle: the raise's outbox row was written in the same step.
    const outbox = await ctx.database.pool.query(
      `select count(*)::int as n from notification_outbox where kind = 'whistle_update' and payload->>'whistleId' = $1`,
      [demand.whistle.id],
    );
    expect(outbox.rows[0].n).toBe(1);
    // A second triage: 409, and no second whistle.
    expect((await triage({ action: 'whistle', whistle })).json().code).toBe('INVALID_TRANSITION');
    expect(await whistles()).toBe(1);
  });

  describe('contact, estate and address (v3)', () => {
    let estate: { id: string; name: string };
    // A resident of its own: 居民点单 are limited per user per minute.
    let neighbour: Auth;
    beforeAll(async () => {
      estate = await makeEstate(ctx.database.db, c1.id);
      neighbour = (await ctx.signIn('dm_neighbour')).auth;
    });
    const withContact = {
      text: '独居老人家中水管漏水，需要帮忙联系维修',
      category: 'care',
      contactName: '王阿姨',
      contactPhone: '13912345678',
      address: '5幢2单元301',
      contactConsent: true,
    };

    it('keeps the contact only with consent, the phone encrypted, hashed and masked as members’ phones are', async () => {
      const res = await api('POST', '/demands', neighbour, { communityOrgId: c1.id, estateId: estate.id, ...withContact });
      expect(res.statusCode).toBe(201);
      const d = res.json().demand;
      expect(d).toMatchObject({
        contact: { name: '王阿姨', phone: '139****5678' },
        estate: { id: estate.id, name: estate.name },
        address: '5幢2单元301',
      });
      expect(res.body).not.toContain('13912345678');
      const [row] = (
        await ctx.database.pool.query(
          `select contact_phone_cipher, contact_phone_hash, contact_phone_masked, contact_consented_at from demands where id = $1`,
          [d.id],
        )
      ).rows;
      expect(row.contact_phone_cipher).not.toContain('13912345678');
      expect(decryptPhone(ctx.config.phoneEncKey, row.contact_phone_cipher)).toBe('13912345678');
      expect(row.contact_phone_hash).toBe(hashPhone(ctx.config.phoneHashKey, '13912345678'));
      expect(row.contact_phone_masked).toBe('139****5678');
      expect(row.contact_consented_at).toEqual(ctx.clock.now());

      // Without consent, a bad phone, or an estate of another community: 400, nothing stored.
      const before = (await ctx.database.pool.query(`select count(*)::int as n from demands`)).rows[0].n;
      const otherEstate = await makeEstate(ctx.database.db, c2.id);
      for (const [body, path] of [
        [{ ...withContact, contactConsent: undefined }, 'contactConsent'],
        [{ ...withContact, contactConsent: false }, 'contactConsent'],
        [{ text: '只留电话', contactPhone: '13912345678' }, 'contactConsent'],
        [{ ...withContact, contactPhone: '12345' }, 'contactPhone'],
        [{ ...withContact, estateId: otherEstate.id }, 'estateId'],
      ] as const) {
        const bad = await api('POST', '/demands', neighbour, { communityOrgId: c1.id, ...body });
        expect([bad.statusCode, bad.json().code, bad.json().details.map((x: { path: string }) => x.path)]).toEqual([
          400,
          'VALIDATION_FAILED',
          [path],
        ]);
      }
      expect((await ctx.database.pool.query(`select count(*)::int as n from demands`)).rows[0].n).toBe(before);
      // An address alone is no contact: no consent needed.
      const bare = await api('POST', '/demands', neighbour, { communityOrgId: c1.id, text: '南门路灯不亮', address: '南门' });
      expect(bare.json().demand).toMatchObject({ contact: null, address: '南门', estate: null });
    });

    it('shows the community’s staff the contact masked, and the full number only through the audited read', async () => {
      const d = (await api('POST', '/demands', neighbour, { communityOrgId: c1.id, ...withContact })).json().demand;
      const list = await api('GET', `/demands?communityOrgId=${c1.id}`, as.sec1);
      const listed = list.json().items.find((x: { id: string }) => x.id === d.id);
      expect(listed).toMatchObject({ contact: { name: '王阿姨', phone: '139****5678' }, address: '5幢2单元301' });
      expect(list.body).not.toContain('13912345678');
      const mine = await api('GET', '/demands/mine', neighbour);
      expect(mine.json().items.find((x: { id: string }) => x.id === d.id).contact).toEqual({ name: '王阿姨', phone: '139****5678' });

      const read = (community: string, auth: Auth, body: object = { reason: '上门维修前电话确认' }) =>
        api('POST', `/party-orgs/${community}/demands/${d.id}/personal-data`, auth, body);
      const full = await read(c1.id, as.sec1);
      expect(full.statusCode).toBe(200);
      expect(full.headers['cache-control']).toBe('no-store');
      expect(full.json()).toEqual({ name: '王阿姨', phone: '13912345678', estate: null, address: '5幢2单元301' });
      const audits = (
        await ctx.database.pool.query(`select actor_user_id, action, data from audit_log where entity = 'demand' and entity_id = $1`, [
          d.id,
        ])
      ).rows;
      const [{ id: sec1User }] = (await ctx.database.pool.query(`select id from users where openid = 'dev_dm_sec1'`)).rows;
      expect(audits).toEqual([
        {
          actor_user_id: sec1User,
          action: 'demand.personal_data_read',
          data: { reason: '上门维修前电话确认', fields: ['name', 'phone', 'address'] },
        },
      ]);
      expect(JSON.stringify(audits)).not.toContain('13912345678');

      // Its district admin oversees it; another community's secretary does not; residents are not staff.
      expect((await read(c1.id, as.dist)).statusCode).toBe(200);
      expect((await read(c1.id, as.sec2)).statusCode).toBe(403);
      expect((await read(c2.id, as.sec2)).statusCode).toBe(404);
      expect((await read(c1.id, neighbour)).statusCode).toBe(403);
      expect((await read(c1.id, as.sec1, {})).statusCode).toBe(400);
      expect(
        (await ctx.database.pool.query(`select count(*)::int as n from audit_log where entity = 'demand' and entity_id = $1`, [d.id]))
          .rows[0].n,
      ).toBe(2);
    });

    it('names a member who sends one to staff, masked (张*锋); a resident without a member record is null', async () => {
      const sender = await registerMember(ctx, 'dm_sender', { community: c1, estate, unitOrg: { id: unitId } });
      const d = (await api('POST', '/demands', sender.auth, { communityOrgId: c1.id, estateId: estate.id, ...withContact })).json().demand;
      const list = await api('GET', `/demands?communityOrgId=${c1.id}`, as.sec1);
      const listed = list.json().items.find((x: { id: string }) => x.id === d.id);
      expect(listed).toMatchObject({
        requester: '张*锋',
        contact: { name: '王阿姨', phone: '139****5678' },
        estate: { id: estate.id, name: estate.name },
        address: '5幢2单元301',
      });
      expect(list.body).not.toContain('张先锋');
      const anonymous = (await api('POST', '/demands', neighbour, { communityOrgId: c1.id, text: '北门路灯不亮' })).json().demand;
      expect(anonymous.requester).toBeNull();
    });

    it('turns a demand into a new post in one step, linked to it; a refused post leaves the demand new', async () => {
      const d = (await api('POST', '/demands', neighbour, { communityOrgId: c1.id, ...withContact })).json().demand;
      const startsAt = ctx.clock.now().getTime() + 2 * 86_400_000;
      const task = {
        communityOrgId: c1.id,
        title: '上门帮忙修水管',
        category: 'care',
        description: '居民点单：独居老人家中水管漏水',
        location: '5幢2单元301',
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 2 * 3_600_000).toISOString(),
        capacity: 2,
      };
      const triage = (body: object, auth = as.sec1) => api('POST', `/demands/${d.id}/triage`, auth, body);
      const posts = async () =>
        (await ctx.database.pool.query(`select count(*)::int as n from tasks where title = $1`, [task.title])).rows[0].n;

      // Refusals change nothing: another community's post, a post starting in the past, both taskId and task, a task with reject.
      const refusals: Array<[object, number, string]> = [
        [{ action: 'post', task: { ...task, communityOrgId: c2.id } }, 400, 'task.communityOrgId'],
        [{ action: 'post', task: { ...task, startsAt: new Date(ctx.clock.now().getTime() - 60_000).toISOString() } }, 400, 'task.startsAt'],
        [{ action: 'post', task: { ...task, capacity: 0 } }, 400, 'task.capacity'],
        [{ action: 'post', task, taskId: d.id }, 400, 'task'],
        [{ action: 'reject', note: '不受理', task }, 400, 'task'],
      ];
      for (const [body, status, path] of refusals) {
        const res = await triage(body);
        expect([res.statusCode, res.json().details?.[0]?.path]).toEqual([status, path]);
      }
      expect((await triage({ action: 'post', task }, as.sec2)).statusCode).toBe(404);
      expect(await posts()).toBe(0);
      expect((await api('GET', '/demands/mine', neighbour)).json().items.find((x: { id: string }) => x.id === d.id).status).toBe('new');

      const res = await triage({ action: 'post', task, note: '已发布岗位' });
      expect(res.statusCode).toBe(200);
      const demand = res.json().demand;
      expect(demand).toMatchObject({ status: 'posted', task: { name: '上门帮忙修水管' }, note: '已发布岗位' });
      const published = await api('GET', `/tasks/${demand.task.id}`, as.sec1);
      expect(published.json().task).toMatchObject({ title: '上门帮忙修水管', communityOrgId: c1.id, capacity: 2, status: 'open' });
      expect(await posts()).toBe(1);
      // Followers hear of the new post as of any other: its outbox row was written in the same step.
      const outbox = await ctx.database.pool.query(
        `select count(*)::int as n from notification_outbox where kind = 'new_task' and payload->>'taskId' = $1`,
        [demand.task.id],
      );
      expect(outbox.rows[0].n).toBe(1);
      // A second triage: 409, and no second post.
      expect((await triage({ action: 'post', task })).json().code).toBe('INVALID_TRANSITION');
      expect(await posts()).toBe(1);
    });

    it('erases the contact and address when the resident deregisters (注销), keeping the demand', async () => {
      const leaver = await registerMember(ctx, 'dm_leaver', { community: c1, estate, unitOrg: { id: unitId } });
      const d = (await api('POST', '/demands', leaver.auth, { communityOrgId: c1.id, ...withContact })).json().demand;
      expect((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/members/me', headers: leaver.auth })).statusCode).toBe(200);
      const [row] = (
        await ctx.database.pool.query(
          `select user_id, text, contact_name, contact_phone_cipher, contact_phone_hash, contact_phone_masked, address from demands where id = $1`,
          [d.id],
        )
      ).rows;
      expect(row).toEqual({
        user_id: null,
        text: withContact.text,
        contact_name: null,
        contact_phone_cipher: null,
        contact_phone_hash: null,
        contact_phone_masked: null,
        address: null,
      });
    });
  });

  it('a post of another community or a whistle of another community cannot be the answer', async () => {
    const d = await send('需要有人帮忙修剪绿化');
    const foreign = await publishTask(ctx, as.sec2, c2.id);
    const res = await api('POST', `/demands/${d.id}/triage`, as.sec1, { action: 'post', taskId: foreign.id });
    expect([res.statusCode, res.json().details[0].path]).toEqual([400, 'taskId']);
  });
});

interface Call {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | null;
}

/** WeChat stand-in: code2session, stable access tokens, and msg_sec_check answering by content. */
async function startFakeWechat() {
  const calls: Call[] = [];
  let tokenSeq = 0;
  const state = { expireNext: false, down: false };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
      calls.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), body });
      const send = (v: unknown) => res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(v));
      if (state.down) return send({ errcode: -1, errmsg: 'system error' });
      if (url.pathname === '/sns/jscode2session') return send({ openid: `o_${url.searchParams.get('js_code')}`, session_key: 'k' });
      if (url.pathname === '/cgi-bin/stable_token') return send({ access_token: `token-${++tokenSeq}`, expires_in: 7200 });
      if (url.pathname === '/wxa/msg_sec_check') {
        if (url.searchParams.get('access_token') !== `token-${tokenSeq}` || state.expireNext) {
          state.expireNext = false;
          return send({ errcode: 42001, errmsg: 'access_token expired' });
        }
        const content = String(body?.content ?? '');
        const suggest = content.includes('违规') ? 'risky' : content.includes('待审') ? 'review' : 'pass';
        return send({ errcode: 0, errmsg: 'ok', result: { suggest, label: suggest === 'pass' ? 100 : 20001 } });
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { calls, state, base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('resident demands with WeChat credentials: msgSecCheck', () => {
  let fake: Awaited<ReturnType<typeof startFakeWechat>>;
  let ctx: TestContext;
  let community: { id: string };
  let auth: Auth;

  beforeAll(async () => {
    fake = await startFakeWechat();
    ctx = await createTestContext({ env: { WECHAT_APP_ID: 'wx_app', WECHAT_APP_SECRET: 'wx_secret', WECHAT_API_BASE: fake.base } });
    const d = await makeDistrict(ctx.database.db);
    community = await makeCommunity(ctx.database.db, d.id);
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: 'resident-code' } });
    auth = { authorization: `Bearer ${login.json().token}` };
  });
  afterAll(async () => {
    await ctx.close();
    await fake.close();
  });

  const send = (text: string) =>
    ctx.app.inject({ method: 'POST', url: '/api/v1/demands', headers: auth, payload: { communityOrgId: community.id, text } });
  const checks = () => fake.calls.filter((c) => c.path === '/wxa/msg_sec_check');

  it('passes clean text after checking it as the sender (v2, its openid), with one cached access token', async () => {
    expect((await send('希望增加小区夜间照明')).statusCode).toBe(201);
    expect((await send('希望增设快递柜')).statusCode).toBe(201);
    expect(checks().map((c) => c.body)).toEqual([
      { content: '希望增加小区夜间照明', version: 2, scene: 3, openid: 'o_resident-code' },
      { content: '希望增设快递柜', version: 2, scene: 3, openid: 'o_resident-code' },
    ]);
    const tokens = fake.calls.filter((c) => c.path === '/cgi-bin/stable_token');
    expect(tokens).toHaveLength(1);
    expect(tokens[0].body).toEqual({ grant_type: 'client_credential', appid: 'wx_app', secret: 'wx_secret', force_refresh: false });
  });

  it('refuses risky text with 400 and stores nothing', async () => {
    const res = await send('这是一段违规内容');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'text', reason: 'content_risky' }] });
    const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/demands/mine', headers: auth });
    expect(mine.json().items.map((d: { text: string }) => d.text)).not.toContain('这是一段违规内容');
  });

  it('renews an expired access token once and retries', async () => {
    fake.state.expireNext = true;
    const before = fake.calls.filter((c) => c.path === '/cgi-bin/stable_token').length;
    expect((await send('楼下垃圾桶满了')).statusCode).toBe(201);
    const renewals = fake.calls.filter((c) => c.path === '/cgi-bin/stable_token').slice(before);
    expect(renewals.map((c) => c.body?.force_refresh)).toEqual([true]);
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After when WeChat is busy, and stores nothing', async () => {
    fake.state.down = true;
    try {
      const res = await send('微信繁忙时提交的点单');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      fake.state.down = false;
    }
    const mine = await ctx.app.inject({ method: 'GET', url: '/api/v1/demands/mine', headers: auth });
    expect(mine.json().items.map((d: { text: string }) => d.text)).not.toContain('微信繁忙时提交的点单');
  });
});
