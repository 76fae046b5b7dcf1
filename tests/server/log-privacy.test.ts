import pg from 'pg';
import { makeWorld } from '../helpers/fixtures';
import { memberBody } from '../helpers/member-fixtures';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server';
import { httpClient } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * A server logging at `info` registers a member, then meets database errors while writing that
 * member (a trigger that raises, a connection killed mid-statement): its whole log must hold none
 * of the member's personal fields, not even inside a driver's or the ORM's error text.
 */

jest.setTimeout(90_000);

let ctx: TestContext;
let server: SpawnedServer;

beforeAll(async () => {
  ctx = await createTestContext();
  server = await spawnServer(ctx.dbUrl, { LOG_LEVEL: 'info' });
});

afterAll(async () => {
  await server?.stop();
  await ctx?.close();
});

test('registration and forced database errors leave no personal field in the log', async () => {
  const world = await makeWorld(ctx.database.db);
  const http = httpClient(server.url);
  try {
    const login = await http.request('POST', '/api/v1/auth/wechat', { body: { code: 'dev:privacy-member' } });
    const auth = { authorization: `Bearer ${login.body.token}` };
    const body = memberBody(world, {
      name: '甄隐私',
      phone: '13987654321',
      workUnit: '隐私测试单位甲',
      building: '隐私楼77',
      unitNo: '隐单元8',
      room: '隐私室9',
    });
    expect((await http.request('PUT', '/api/v1/members/me', { headers: auth, body })).status).toBe(200);
    const stored = await ctx.database.pool.query('select phone_cipher, phone_hash, phone_masked from members where user_id = $1', [
      login.body.user.id,
    ]);
    const { phone_cipher: cipher, phone_hash: hash, phone_masked: masked } = stored.rows[0];

    // 1. Every write to members now fails inside PostgreSQL: drizzle's error names every bound parameter.
    await ctx.database.pool.query(`
      create function refuse_member_write() returns trigger language plpgsql as $$
      begin raise exception 'member writes refused for this test'; end $$;
      create trigger refuse_member_write before insert or update on members for each row execute function refuse_member_write();`);
    const failed = await http.request('PUT', '/api/v1/members/me', { headers: auth, body: { ...body, room: '隐私室10' } });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toContain('隐私');
    await ctx.database.pool.query('drop trigger refuse_member_write on members; drop function refuse_member_write();');

    // 2. A connection killed while the update waits on the member's user row.
    const locker = new pg.Client({ connectionString: ctx.dbUrl });
    locker.on('error', () => {});
    await locker.connect();
    await locker.query('begin');
    await locker.query('select 1 from users where id = $1 for update', [login.body.user.id]);
    const pending = http.request('PUT', '/api/v1/members/me', { headers: auth, body: { ...body, building: '隐私楼78' } });
    for (let i = 0; i < 200; i++) {
      const { rows } = await locker.query(
        `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
      );
      if (rows.length > 0) {
        for (const r of rows) await locker.query('select pg_terminate_backend($1)', [r.pid]);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await pending).status).toBe(503);
    await locker.query('rollback');
    await locker.end();

    await new Promise((r) => setTimeout(r, 300));
    const log = server.output();
    expect(log).toContain('"level":50');
    expect(log).toContain('database unavailable');
    for (const secret of [
      body.name,
      body.phone,
      body.workUnit,
      body.building,
      body.unitNo,
      body.room,
      '隐私室10',
      '隐私楼78',
      cipher,
      hash,
      masked,
    ]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain(login.body.token);
  } finally {
    http.close();
  }
});
