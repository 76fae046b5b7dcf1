import http from 'node:http';
import type { Task, TaskCreateBody } from '@pioneer/shared';
import { encryptPhone, hashPhone, maskPhone } from '../../server/src/lib/phone-crypto';
import { makeWorld } from './fixtures';
import { createTestContext, type TestContext } from './test-app';

export interface TaskWorld {
  community: { id: string };
  estate: { id: string };
  unitOrg: { id: string };
}

export interface FixtureMember {
  userId: string;
  memberId: string;
  token: string;
  auth: { authorization: string };
}

const MINUTE = 60_000;
let seq = 0;
/** Fixture phone numbers: unique within a test process, random across processes. */
let phoneSeq = Math.floor(Math.random() * 50_000_000);

/** Signs in as `name` and makes it the secretary of the community. */
export async function makeSecretary(ctx: TestContext, communityId: string, name: string) {
  const session = await ctx.signIn(name);
  await ctx.grant(session.userId, 'secretary', communityId);
  return session;
}

/** Most test files' start: a fresh app and database, the fixture world, and a secretary of its community. */
export async function secretaryWorld(name: string, opts?: Parameters<typeof createTestContext>[0]) {
  const ctx = await createTestContext(opts);
  const world = await makeWorld(ctx.database.db);
  const secretary = (await makeSecretary(ctx, world.community.id, name)).auth;
  return { ctx, world, secretary };
}

/** A valid post body: starts in a day, lasts two hours, claims open now. */
export function taskBody(ctx: TestContext, communityOrgId: string, overrides: Partial<TaskCreateBody> = {}): TaskCreateBody {
  const now = ctx.clock.now().getTime();
  return {
    communityOrgId,
    title: `测试岗位${++seq}`,
    category: 'convenience',
    description: '',
    location: '社区服务中心',
    startsAt: new Date(now + 24 * 60 * MINUTE).toISOString(),
    endsAt: new Date(now + 26 * 60 * MINUTE).toISOString(),
    capacity: 5,
    ...overrides,
  };
}

export async function publishTask(
  ctx: TestContext,
  auth: { authorization: string },
  communityOrgId: string,
  overrides: Partial<TaskCreateBody> = {},
): Promise<Task> {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/tasks',
    headers: auth,
    payload: taskBody(ctx, communityOrgId, overrides),
  });
  if (res.statusCode !== 201) throw new Error(`publish failed: ${res.statusCode} ${res.body}`);
  return res.json().task as Task;
}

/**
 * Registered members written straight into the database (hundreds at once: a burst test
 * needs many, and registration has its own tests), with session tokens signed by the app.
 */
export async function insertMembers(ctx: TestContext, world: TaskWorld, count: number, prefix = `m${++seq}x`): Promise<FixtureMember[]> {
  // Real ciphertext under the app's key (GET /members/me decrypts it); numbers differ per member.
  const phones = Array.from({ length: count }, () => `139${String(++phoneSeq).padStart(8, '0')}`);
  const res = await ctx.database.pool.query<{ user_id: string; member_id: string }>(
    `with u as (
       insert into users (openid)
       select $1 || g from generate_series(1, $2::int) g
       returning id, openid
     ), p as (
       select cipher, hash, masked, ord from unnest($6::text[], $7::text[], $8::text[]) with ordinality p(cipher, hash, masked, ord)
     )
     insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit,
                          community_org_id, estate_id, building, unit_no, room, intentions, consent_version, consented_at)
     select u.id, '党员' || right(u.openid, 4), p.cipher, p.hash, p.masked, $3::uuid, '测试单位',
            $4::uuid, $5::uuid, '1', '1', '101', array['convenience'], 'v1', now()
     from u join p on p.ord = substring(u.openid from length($1) + 1)::int
     returning user_id, id as member_id`,
    [
      `dev_${prefix}_`,
      count,
      world.unitOrg.id,
      world.community.id,
      world.estate.id,
      phones.map((p) => encryptPhone(ctx.config.phoneEncKey, p)),
      phones.map((p) => hashPhone(ctx.config.phoneHashKey, p)),
      phones.map(maskPhone),
    ],
  );
  // Half the tokens name the member (as signing in does), half do not (signed before registering):
  // every test built on these covers both ways the claim route learns the member.
  return res.rows.map((r, i) => {
    const token = ctx.app.signSession(r.user_id, i % 2 === 0 ? r.member_id : null);
    return { userId: r.user_id, memberId: r.member_id, token, auth: { authorization: `Bearer ${token}` } };
  });
}

/** Counter and rows must agree: the invariant every burst test ends on. */
export async function slotState(ctx: TestContext, taskId: string): Promise<{ claimed: number; live: number; filledAt: Date | null }> {
  const res = await ctx.database.pool.query<{ claimed: number; live: number; filled_at: Date | null }>(
    `select t.claimed, t.filled_at,
            (select count(*)::int from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released')) as live
     from tasks t where t.id = $1::uuid`,
    [taskId],
  );
  const r = res.rows[0];
  return { claimed: r.claimed, live: r.live, filledAt: r.filled_at ? new Date(r.filled_at) : null };
}

export interface HttpAnswer {
  status: number;
  body: any;
}

/** Real sockets, kept alive and shared, so a burst measures the server rather than connection setup. */
export function httpClient(baseUrl: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const base = new URL(baseUrl);
  return {
    request(method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<HttpAnswer> {
      const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: base.hostname,
            port: base.port,
            method,
            path,
            agent,
            headers: {
              ...(payload !== undefined
                ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
                : {}),
              ...opts.headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: unknown = null;
              try {
                body = text ? JSON.parse(text) : null;
              } catch {
                body = text;
              }
              resolve({ status: res.statusCode ?? 0, body });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        if (payload !== undefined) req.write(payload);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** Starts the in-process app listening on a free port; returns its base URL. */
export async function listen(ctx: TestContext): Promise<string> {
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = ctx.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('app is not listening');
  return `http://127.0.0.1:${addr.port}`;
}
