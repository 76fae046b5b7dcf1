import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import { eventually } from '../helpers/fake-wechat';
import { makeWorld } from '../helpers/fixtures';
import { memberBody } from '../helpers/member-fixtures';
import { spawnServer, type SpawnedServer } from '../helpers/spawn-server';
import { httpClient, insertMembers } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * A server logging at `info` registers a member, then meets database errors while writing that
 * member (a trigger that raises, a connection killed mid-statement): its whole log must hold none
 * of the member's personal fields, not even inside a driver's or the ORM's error text.
 */

jest.setTimeout(240_000);

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
    await eventually(
      async () => {
        const { rows } = await locker.query(
          `select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
        );
        for (const r of rows) await locker.query('select pg_terminate_backend($1)', [r.pid]);
        return rows.length > 0;
      },
      90_000,
      20,
    );
    expect((await pending).status).toBe(503);
    await locker.query('rollback');
    await locker.end();

    // The server's log line of the fault reaches its output (another process: awaited, not slept on).
    await eventually(() => server.output().includes('database unavailable'), 60_000, 20);
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

/** Every route and its methods, from the router's own listing (hidden routes included). */
function routeList(printed: string): Array<{ path: string; methods: string[] }> {
  const stack: string[] = [];
  const out: Array<{ path: string; methods: string[] }> = [];
  for (const line of printed.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    const path = `${stack[depth - 1] ?? ''}${m[2]}`;
    stack[depth] = path;
    if (m[3]) out.push({ path, methods: m[3].split(', ') });
  }
  return out;
}

test('every path that carries a secret is logged as its route, never with the secret', async () => {
  let log = '';
  const logStream = new Writable({
    write(chunk, _enc, done) {
      log += chunk.toString();
      done();
    },
  });
  const c = await createTestContext({ env: { LOG_LEVEL: 'info' }, deps: { logger: true, logStream } });
  try {
    const routes = routeList(c.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(50);
    // A path parameter that is not a record id is a credential or a code (先锋码, calendar key, registration code).
    const secretBearing = routes.filter((r) => /:(?!(?:[A-Za-z]*I|i)d(?:\/|$))[A-Za-z]+/.test(r.path));
    expect(secretBearing.map((r) => r.path)).toEqual(expect.arrayContaining(['/c/:code', '/r/:code', '/api/v1/calendar/:file']));
    const sentinels: string[] = [];
    for (const route of secretBearing) {
      const url = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
        if (name === 'id' || name.endsWith('Id')) return randomUUID();
        const secret = `SeCrEt${sentinels.length}x${randomUUID().slice(0, 8)}`;
        sentinels.push(secret);
        return name === 'file' ? `${secret}.ics` : secret;
      });
      const method = route.methods.includes('GET') ? 'GET' : (route.methods[0] as 'POST');
      const res = await c.app.inject({ method, url });
      expect(res.statusCode).toBeLessThan(500);
    }

    // A real calendar feed, fetched by its secret URL.
    const world = await makeWorld(c.database.db);
    const [member] = await insertMembers(c, world, 1, 'logcal');
    const feed = await c.app.inject({ method: 'GET', url: '/api/v1/members/me/calendar-url', headers: member.auth });
    const calendarPath = new URL(feed.json().url).pathname;
    expect((await c.app.inject({ method: 'GET', url: calendarPath })).statusCode).toBe(200);
    sentinels.push(
      calendarPath
        .split('/')
        .pop()!
        .replace(/\.ics$/, ''),
    );

    expect(log).toContain('/api/v1/calendar/:file');
    expect(log).toContain('/c/:code');
    for (const secret of sentinels) expect(log).not.toContain(secret);
  } finally {
    await c.close();
  }
});
