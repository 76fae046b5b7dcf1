import { Writable } from 'node:stream';
import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { multipart, xlsx, XLSX } from '../helpers/upload';

let ctx: TestContext;
let lines = '';

beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _enc, done) {
      lines += chunk.toString();
      done();
    },
  });
  ctx = await createTestContext({ env: { LOG_LEVEL: 'trace' }, deps: { logger: true, logStream } });
});
afterAll(async () => ctx.close());

it('logs no owner name, phone or member name through imports, lists, audited reads, exports and 注销', async () => {
  const world = await makeWorld(ctx.database.db);
  const s = await ctx.signIn('log_sec');
  await ctx.grant(s.userId, 'secretary', world.community.id);
  const member = await registerMember(ctx, 'log_member', world, {
    name: '日志党员',
    phone: '13966660001',
    building: '7',
    unitNo: '1',
    room: '701',
  });

  const file = await xlsx({
    业主: [
      ['小区', '楼栋', '单元', '室号', '业主姓名', '手机号'],
      [world.estate.name, '7', '1', '701', '日志业主', '13966660001'],
      [world.estate.name, '7', '1', '702', '坏行业主', '13966'],
    ],
  });
  const { payload, headers } = multipart(file, 'r.xlsx', XLSX);
  const imp = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/party-orgs/${world.community.id}/households/import`,
    headers: { ...s.auth, ...headers },
    payload,
  });
  expect(imp.json()).toMatchObject({ imported: 1, rejected: [{ row: 3 }] });
  const list = await ctx.app.inject({
    method: 'GET',
    url: `/api/v1/party-orgs/${world.community.id}/members?match=matched`,
    headers: s.auth,
  });
  expect(list.json().items).toHaveLength(1);
  const read = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/party-orgs/${world.community.id}/members/${member.memberId}/personal-data`,
    headers: s.auth,
    payload: { reason: '电话回访' },
  });
  expect(read.json().phone).toBe('13966660001');
  const exp = await ctx.app.inject({
    method: 'GET',
    url: `/api/v1/exports/members.xlsx?scope=community&id=${world.community.id}`,
    headers: s.auth,
  });
  expect(exp.statusCode).toBe(200);
  expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me/export', headers: member.auth })).statusCode).toBe(200);
  expect((await ctx.app.inject({ method: 'DELETE', url: '/api/v1/members/me', headers: member.auth })).statusCode).toBe(200);

  expect(lines).toContain('"url":"/api/v1/party-orgs/');
  // Clock readings, durations and ids are numbers of their own that can hold any seven digits by
  // chance (a "time" of 1796676660001 is 20:51:00.001): they go before the search. A finding shows
  // the log line around it (what leaked, and through which message).
  const text = lines
    .replace(/"(time|responseTime)":[\d.e+-]+/g, '"$1":0')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
  const around = (secret: string) => {
    const at = text.indexOf(secret);
    return at < 0 ? null : text.slice(text.lastIndexOf('\n', at) + 1, text.indexOf('\n', at));
  };
  for (const secret of ['13966660001', '6660001', '日志党员', '日志业主', '坏行业主', '电话回访', member.token]) {
    expect([secret, around(secret)]).toEqual([secret, null]);
  }
});
