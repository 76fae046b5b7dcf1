import { makeWorld } from '../helpers/fixtures';
import { insertMembers, makeSecretary, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let sec: { authorization: string };
let members: FixtureMember[];

const MINUTE = 60_000;
const T0 = new Date('2030-06-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE).toISOString();

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  sec = (await makeSecretary(ctx, world.community.id, 'mine-sec')).auth;
  members = await insertMembers(ctx, world, 4, 'mine');
});
afterAll(async () => ctx?.close());

const req = (method: 'GET' | 'POST' | 'DELETE', url: string, auth: { authorization: string }) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth });
const list = async (auth: { authorization: string }, query: string) => {
  const res = await req('GET', `/tasks?communityOrgId=${world.community.id}&${query}`, auth);
  expect(res.statusCode).toBe(200);
  return res.json().items as Array<{ id: string; title: string; mine?: unknown }>;
};

describe('the post list shows the member its own state', () => {
  it('marks a claim, a waitlist place and a held offer; staff lists carry no such field', async () => {
    const [a, b, c, d] = members;
    const post = await publishTask(ctx, sec, world.community.id, {
      title: '社区巡逻（名单）',
      capacity: 1,
      startsAt: at(24 * 60),
      endsAt: at(26 * 60),
    });
    expect((await req('POST', `/tasks/${post.id}/claims`, a.auth)).statusCode).toBe(201);
    expect((await req('POST', `/tasks/${post.id}/waitlist`, b.auth)).statusCode).toBe(201);
    expect((await req('POST', `/tasks/${post.id}/waitlist`, c.auth)).statusCode).toBe(201);

    const mineOf = async (m: FixtureMember) => (await list(m.auth, 'open=true')).find((t) => t.id === post.id)?.mine;
    expect(await mineOf(a)).toEqual({ claimStatus: 'claimed', waitlist: null, entry: null });
    expect(await mineOf(b)).toEqual({ claimStatus: null, waitlist: { position: 1, status: 'waiting', offerExpiresAt: null }, entry: null });
    expect(await mineOf(c)).toEqual(expect.objectContaining({ waitlist: expect.objectContaining({ position: 2 }) }));
    expect(await mineOf(d)).toBeNull();

    // a cancels: b holds an offer with its deadline; a's cancelled claim is no state at all.
    expect((await req('DELETE', `/tasks/${post.id}/claims/me`, a.auth)).statusCode).toBe(200);
    expect(await mineOf(b)).toEqual({
      claimStatus: null,
      waitlist: { position: null, status: 'offered', offerExpiresAt: at(30) },
      entry: null,
    });
    expect(await mineOf(a)).toBeNull();
    expect((await list(sec, 'open=true')).find((t) => t.id === post.id)).not.toHaveProperty('mine');
  });
});

describe('首页 filters', () => {
  it('searches titles (wildcards are literal) and filters by China-time day', async () => {
    const m = members[3];
    // 2030-06-03 23:30 China time is 15:30Z that day; 2030-06-04 00:30 China time is 16:30Z on the 3rd.
    const late = await publishTask(ctx, sec, world.community.id, {
      title: '夜间100%巡查',
      startsAt: '2030-06-03T15:30:00.000Z',
      endsAt: '2030-06-03T17:00:00.000Z',
    });
    const early = await publishTask(ctx, sec, world.community.id, {
      title: '清晨巡查',
      startsAt: '2030-06-03T16:30:00.000Z',
      endsAt: '2030-06-03T18:00:00.000Z',
    });
    const ids = (items: Array<{ id: string }>) => items.map((t) => t.id);
    expect(ids(await list(m.auth, `q=${encodeURIComponent('巡查')}`))).toEqual(expect.arrayContaining([late.id, early.id]));
    expect(ids(await list(m.auth, `q=${encodeURIComponent('100%')}`))).toEqual([late.id]);
    expect(ids(await list(m.auth, `q=${encodeURIComponent('%')}`))).toEqual([late.id]);
    expect(ids(await list(m.auth, 'from=2030-06-03&to=2030-06-03'))).toEqual([late.id]);
    expect(ids(await list(m.auth, 'from=2030-06-04&to=2030-06-04'))).toEqual([early.id]);
    for (const bad of ['from=2030-13-40', 'to=1999-12-31', 'from=yesterday']) {
      const res = await req('GET', `/tasks?${bad}`, m.auth);
      expect([res.statusCode, res.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  });
});

describe('editing a post from the mini-program', () => {
  it('POST /tasks/:id/edit edits as PATCH does (wx.request has no PATCH)', async () => {
    const post = await publishTask(ctx, sec, world.community.id, { title: '旧标题岗位', startsAt: at(48 * 60), endsAt: at(50 * 60) });
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${post.id}/edit`,
      headers: sec,
      payload: { title: '新标题岗位', location: '东门' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().task).toEqual(expect.objectContaining({ id: post.id, title: '新标题岗位', location: '东门' }));
    const empty = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${post.id}/edit`, headers: sec, payload: {} });
    expect([empty.statusCode, empty.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    const byMember = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/tasks/${post.id}/edit`,
      headers: members[0].auth,
      payload: { title: '不可以' },
    });
    expect(byMember.statusCode).toBe(403);
  });
});

describe('a party org by id', () => {
  it('answers the public card of a staff role org, 404 for an unknown one', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/party-orgs/${world.community.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      id: world.community.id,
      name: world.community.name,
      kind: 'community',
      districtId: world.community.districtId,
    });
    const missing = await ctx.app.inject({ method: 'GET', url: '/api/v1/party-orgs/00000000-0000-4000-8000-000000000000' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'NOT_FOUND']);
  });
});
