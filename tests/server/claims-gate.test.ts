import { makeWorld } from '../helpers/fixtures';
import { httpClient, publishTask, slotState, type FixtureMember } from '../helpers/task-fixtures';
import type { TestContext } from '../helpers/test-app';
import { startTwoProcesses, type TwoProcesses } from '../helpers/two-processes';

// The second process runs on the system clock; this one's ManualClock starts at the real now.
let harness: TwoProcesses;
let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let members: FixtureMember[];
let local: ReturnType<typeof httpClient>;
let remote: ReturnType<typeof httpClient>;

beforeAll(async () => {
  harness = await startTwoProcesses('gate', 240);
  ({ ctx, world, secretary, members, local, remote } = harness);
});
afterAll(async () => harness?.close());

const gate = () => ctx.app.claimGate;
const claim = (client: ReturnType<typeof httpClient>, taskId: string, m: FixtureMember, headers: Record<string, string> = {}) =>
  client.request('POST', `/api/v1/tasks/${taskId}/claims`, { headers: { ...m.auth, ...headers } });
const unclaim = (client: ReturnType<typeof httpClient>, taskId: string, m: FixtureMember) =>
  client.request('DELETE', `/api/v1/tasks/${taskId}/claims/me`, { headers: m.auth });
const codeOf = (a: { status: number; body: any }) => (a.status < 300 ? String(a.status) : `${a.status} ${a.body?.code}`);

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A post with `capacity` slots, filled through this process by the first members of `from`. */
async function fullPost(capacity: number, from: FixtureMember[]) {
  const task = await publishTask(ctx, secretary, world.community.id, { capacity });
  for (const m of from.slice(0, capacity)) expect(codeOf(await claim(local, task.id, m))).toBe('201');
  await until('the gate to know the post is full', () => gate().inspect(task.id)?.full === true);
  return task;
}

let next = 0;
const take = (n: number) => members.slice(next, (next += n));

describe('a post known full in this process', () => {
  it('answers others TASK_FULL and its claimants ALREADY_CLAIMED from memory, in the contract body', async () => {
    const [a, b, c] = take(3);
    const task = await fullPost(2, [a, b]);
    const before = gate().fastRefusals;
    const full = await claim(local, task.id, c);
    expect(full.status).toBe(409);
    expect(full.body).toEqual({ code: 'TASK_FULL', message: expect.any(String), requestId: expect.any(String) });
    const mine = await claim(local, task.id, a);
    expect({ status: mine.status, code: mine.body.code, requestId: typeof mine.body.requestId }).toEqual({
      status: 409,
      code: 'ALREADY_CLAIMED',
      requestId: 'string',
    });
    expect(gate().fastRefusals).toBe(before + 2);
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 2, live: 2 }));
  });

  it('answers a suspended member GRAB_SUSPENDED from memory, not TASK_FULL, as the database would', async () => {
    const [a, s, c] = take(3);
    const until = new Date(Date.now() + 14 * 24 * 3600_000);
    await ctx.database.pool.query(
      `insert into member_standing (member_id, no_shows, suspended_until, updated_at) values ($1, 3, $2, now())`,
      [s.memberId, until],
    );
    const task = await fullPost(1, [a]);
    const before = gate().fastRefusals;
    const refused = await claim(local, task.id, s);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(
      expect.objectContaining({ code: 'GRAB_SUSPENDED', details: [{ path: 'until', reason: until.toISOString() }] }),
    );
    expect(codeOf(await claim(local, task.id, c))).toBe('409 TASK_FULL');
    expect(gate().fastRefusals).toBe(before + 2);
    // The other process, asking the database, answers the same.
    expect(codeOf(await claim(remote, task.id, s))).toBe('403 GRAB_SUSPENDED');
  });

  it('takes a claim again promptly once a member cancels in another process', async () => {
    const [a, b, c] = take(3);
    const task = await fullPost(2, [a, b]);
    expect(codeOf(await claim(local, task.id, c))).toBe('409 TASK_FULL');
    expect(codeOf(await unclaim(remote, task.id, a))).toBe('200');
    // The other process's cancel reaches this one as a count notification.
    let last = '';
    await until(
      'this process to accept the freed slot',
      async () => (last = codeOf(await claim(local, task.id, c))) !== '409 TASK_FULL',
      2000,
    );
    expect(last).toBe('201');
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 2, live: 2 }));
  });

  it('forgets at once when a member cancels here, or the post is cancelled here', async () => {
    const [a, b, c] = take(3);
    const task = await fullPost(1, [a]);
    expect(codeOf(await unclaim(local, task.id, a))).toBe('200');
    expect(codeOf(await claim(local, task.id, b))).toBe('201');
    await until('full again', () => gate().inspect(task.id)?.full === true);
    expect(codeOf(await local.request('POST', `/api/v1/tasks/${task.id}/cancel`, { headers: secretary }))).toBe('200');
    expect(codeOf(await claim(local, task.id, c))).toBe('409 TASK_CANCELLED');
    expect(codeOf(await claim(local, task.id, b))).toBe('409 TASK_CANCELLED');
  });

  it('lets the database answer once the claim window closed', async () => {
    const [a, b] = take(2);
    const task = await fullPost(1, [a]);
    ctx.clock.set(new Date(task.endsAt).getTime() + 1000);
    try {
      expect(codeOf(await claim(local, task.id, b))).toBe('409 CLAIM_CLOSED');
      expect(codeOf(await claim(local, task.id, a))).toBe('409 ALREADY_CLAIMED');
    } finally {
      ctx.clock.set(Date.now());
    }
  });

  it('still replays an Idempotency-Key answer instead of answering from memory', async () => {
    const [a, b] = take(2);
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 1 });
    const first = await claim(local, task.id, a, { 'Idempotency-Key': 'gate-replay' });
    expect(first.status).toBe(201);
    expect(codeOf(await claim(local, task.id, b))).toBe('409 TASK_FULL');
    await until('full', () => gate().inspect(task.id)?.full === true);
    const again = await claim(local, task.id, a, { 'Idempotency-Key': 'gate-replay' });
    expect(again).toEqual(first);
    expect(codeOf(await claim(local, task.id, a))).toBe('409 ALREADY_CLAIMED');
  });

  it('settles a burst with exactly its slots in a few statements', async () => {
    const crowd = take(200);
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 5 });
    const before = gate().batches;
    const answers = await Promise.all(crowd.map((m) => claim(local, task.id, m)));
    const tally: Record<string, number> = {};
    for (const a of answers) tally[codeOf(a)] = (tally[codeOf(a)] ?? 0) + 1;
    expect(tally).toEqual({ '201': 5, '409 TASK_FULL': 195 });
    expect(
      answers
        .filter((a) => a.status === 201)
        .map((a) => a.body.remaining)
        .sort(),
    ).toEqual([0, 1, 2, 3, 4]);
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 5, live: 5 }));
    // Each batch statement answers everyone it took; those queued behind the one that filled the post hear it from memory.
    expect(gate().batches - before).toBeLessThanOrEqual(10);
  });
});

describe('member ids without the principal', () => {
  it('answers 401 for a bad token, 403 until the user registers, then claims', async () => {
    const task = await publishTask(ctx, secretary, world.community.id);
    expect((await local.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: { authorization: 'Bearer nope' } })).status).toBe(
      401,
    );
    const guest = await ctx.signIn('gate-guest');
    expect(codeOf(await local.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: guest.auth }))).toBe('403 NOT_REGISTERED');
    await ctx.database.pool.query(
      `insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit,
                            community_org_id, estate_id, building, unit_no, room, intentions, consent_version, consented_at)
       values ($1::uuid, '党员新', 'fixture', md5($1::uuid::text), '138****0000', $2, '测试单位', $3, $4, '1', '1', '101', array['convenience'], 'v1', now())`,
      [guest.userId, world.unitOrg.id, world.community.id, world.estate.id],
    );
    expect(codeOf(await local.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: guest.auth }))).toBe('201');
  });
});

describe('when the notifications stop', () => {
  it('stops answering from memory until the listener is back', async () => {
    const [a, b] = take(2);
    const task = await fullPost(1, [a]);
    const { rows } = await ctx.database.pool.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int n from pg_stat_activity
        where datname = current_database() and query ilike 'LISTEN%' and pid <> pg_backend_pid()`,
    );
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
    await until('the gate to forget', () => gate().inspect(task.id) === null);
    const before = gate().fastRefusals;
    expect(codeOf(await claim(local, task.id, b))).toBe('409 TASK_FULL');
    expect(gate().fastRefusals).toBe(before);
    // Reconnected (after about a second): full is learnt and answered from memory again.
    await until(
      'answers from memory again',
      async () => codeOf(await claim(local, task.id, b)) === '409 TASK_FULL' && gate().fastRefusals > before,
      6000,
    );
  });
});
