import { ALONE, ClaimGate, type BatchResult, type FullSnapshot } from '../../server/src/modules/claims/claim-gate';
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

async function until(what: string, test: () => boolean | Promise<boolean>, ms = 3000) {
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

  it('takes a claim again promptly once a member cancels in another process', async () => {
    const [a, b, c] = take(3);
    const task = await fullPost(2, [a, b]);
    expect(codeOf(await claim(local, task.id, c))).toBe('409 TASK_FULL');
    expect(codeOf(await unclaim(remote, task.id, a))).toBe('200');
    // The other process's cancel reaches this one as a count notification.
    let last = '';
    await until('this process to accept the freed slot', async () => (last = codeOf(await claim(local, task.id, c))) !== '409 TASK_FULL', 2000);
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
    expect(answers.filter((a) => a.status === 201).map((a) => a.body.remaining).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 5, live: 5 }));
    // Each batch statement answers everyone it took; those queued behind the one that filled the post hear it from memory.
    expect(gate().batches - before).toBeLessThanOrEqual(10);
  });
});

describe('member ids without the principal', () => {
  it('answers 401 for a bad token, 403 until the user registers, then claims', async () => {
    const task = await publishTask(ctx, secretary, world.community.id);
    expect((await local.request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
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

describe('ClaimGate on its own', () => {
  const snapshot = (over: Partial<FullSnapshot> = {}): FullSnapshot => ({
    status: 'open',
    claimed: 1,
    capacity: 1,
    opensAt: new Date(0),
    endsAt: new Date(Date.now() + 3600_000),
    holders: ['m1'],
    ...over,
  });

  /** A gate whose batches the test answers by hand. */
  function make(opts: { ttl?: number; wait?: number; maxBatch?: number } = {}) {
    let t = 0;
    const loads: string[] = [];
    const batches: Array<{ taskId: string; memberIds: string[]; answer(r: BatchResult<string>): void; fail(e: unknown): void }> = [];
    const g = new ClaimGate<string>({
      claimMany: (taskId, memberIds) => new Promise((answer, fail) => batches.push({ taskId, memberIds, answer, fail })),
      loadFull: async (id) => {
        loads.push(id);
        return snapshot();
      },
      now: () => new Date(),
      fullTtlMs: opts.ttl ?? 2000,
      waitTimeoutMs: opts.wait ?? 1000,
      maxBatch: opts.maxBatch,
      monotonic: () => t,
    });
    g.setListening(true);
    return { g, loads, batches, advance: (ms: number) => (t += ms) };
  }
  const flush = () => new Promise((r) => setImmediate(r));

  it('sends the claims that arrive together as one batch, one batch per post at a time', async () => {
    const { g, batches } = make();
    const first = ['a', 'b', 'c'].map((m) => g.admit('p', m));
    const other = g.admit('q', 'a');
    expect(first.every((w) => w instanceof Promise)).toBe(true);
    await flush();
    expect(batches.map((b) => [b.taskId, b.memberIds])).toEqual([
      ['p', ['a', 'b', 'c']],
      ['q', ['a']],
    ]);
    const later = ['d', 'e'].map((m) => g.admit('p', m));
    await flush();
    expect(batches).toHaveLength(2);
    batches[0].answer({ answers: ['ok a', 'ok b', 'ok c'], after: { kind: 'open', remaining: 5 } });
    expect(await Promise.all(first)).toEqual(['ok a', 'ok b', 'ok c']);
    await flush();
    expect(batches.map((b) => b.memberIds)).toEqual([['a', 'b', 'c'], ['a'], ['d', 'e']]);
    batches[2].answer({ answers: ['ok d', 'ok e'], after: { kind: 'open', remaining: 3 } });
    batches[1].answer({ answers: ['ok qa'], after: { kind: 'open', remaining: 3 } });
    expect(await Promise.all([...later, other])).toEqual(['ok d', 'ok e', 'ok qa']);
    expect(g.inspect('p')).toEqual(expect.objectContaining({ batching: false, waiting: 0 }));
  });

  it('answers everyone queued behind the batch that filled the post from memory', async () => {
    const { g, batches, loads } = make();
    const first = g.admit('p', 'm1');
    await flush();
    const waiting = [g.admit('p', 'm1'), g.admit('p', 'm2')];
    batches[0].answer({ answers: ['ok m1'], after: { kind: 'full', snapshot: snapshot() } });
    expect(await first).toBe('ok m1');
    expect(await Promise.all(waiting)).toEqual(['ALREADY_CLAIMED', 'TASK_FULL']);
    expect(batches).toHaveLength(1);
    expect(loads).toEqual([]);
    expect(g.refusal('p', 'm3')).toBe('TASK_FULL');
    expect(g.admit('p', 'm1')).toBe('ALREADY_CLAIMED');
  });

  it('asks for the live claimants when the batch could not tell them for sure', async () => {
    const { g, batches, loads } = make();
    const first = g.admit('p', 'm1');
    await flush();
    const waiting = g.admit('p', 'm2');
    batches[0].answer({ answers: ['ok m1'], after: { kind: 'full', snapshot: null } });
    expect(await first).toBe('ok m1');
    expect(await waiting).toBe('TASK_FULL');
    expect(loads).toEqual(['p']);
    expect(batches).toHaveLength(1);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const { g, batches } = make({ maxBatch: 2 });
    const all = ['a', 'b', 'c'].map((m) => g.admit('p', m));
    await flush();
    expect(batches.map((b) => b.memberIds)).toEqual([['a', 'b']]);
    batches[0].answer({ answers: ['1', '2'], after: { kind: 'open', remaining: 9 } });
    await Promise.all(all.slice(0, 2));
    await flush();
    expect(batches.map((b) => b.memberIds)).toEqual([['a', 'b'], ['c']]);
    batches[1].answer({ answers: ['3'], after: { kind: 'open', remaining: 8 } });
    expect(await Promise.all(all)).toEqual(['1', '2', '3']);
  });

  it('sends each member alone when a batch aborted, and fails each when it failed', async () => {
    const { g, batches } = make();
    const aborted = ['a', 'b'].map((m) => g.admit('p', m));
    await flush();
    batches[0].answer({ answers: null });
    expect(await Promise.all(aborted)).toEqual([ALONE, ALONE]);
    const failed = g.admit('p', 'c') as Promise<unknown>;
    await flush();
    batches[1].fail(new Error('db down'));
    await expect(failed).rejects.toThrow('db down');
  });

  it('forgets a full post after its TTL, on news of a free slot, and when the listener drops', async () => {
    const { g, advance, batches } = make({ ttl: 2000 });
    const fill = async () => {
      const p = g.admit('p', 'x');
      await flush();
      batches[batches.length - 1].answer({ answers: ['ok'], after: { kind: 'full', snapshot: snapshot() } });
      await p;
      expect(g.refusal('p', 'x')).toBe('TASK_FULL');
    };
    await fill();
    advance(2001);
    expect(g.refusal('p', 'x')).toBeNull();
    await fill();
    g.heard({ taskId: 'p', remaining: 1, status: 'open' });
    expect(g.refusal('p', 'x')).toBeNull();
    await fill();
    g.setListening(false);
    expect(g.refusal('p', 'x')).toBeNull();
    expect(g.admit('p', 'x')).toBe(ALONE);
  });

  it('ignores a count notified before what it already knows, and hears newer ones', async () => {
    const { g, batches } = make();
    const first = g.admit('p', 'a');
    await flush();
    batches[0].answer({ answers: ['ok a'], after: { kind: 'open', remaining: 1, version: 1 } });
    await first;
    const second = g.admit('p', 'b');
    await flush();
    const full = snapshot({ claimed: 2, capacity: 2, holders: ['a', 'b'], version: 2 });
    batches[1].answer({ answers: ['ok b'], after: { kind: 'full', snapshot: full, version: 2 } });
    await second;
    // The first batch's own notification, on its own connection, arrives after the second answer.
    g.heard({ taskId: 'p', remaining: 1, status: 'open', version: 1 });
    g.heard({ taskId: 'p', remaining: 0, status: 'open', version: 2 });
    expect(g.refusal('p', 'c')).toBe('TASK_FULL');
    expect(g.refusal('p', 'a')).toBe('ALREADY_CLAIMED');
    expect(batches).toHaveLength(2);
    // A member cancelling after that (anywhere) is news.
    g.heard({ taskId: 'p', remaining: 1, status: 'open', version: 3 });
    expect(g.refusal('p', 'c')).toBeNull();
    expect(g.inspect('p')).toEqual(expect.objectContaining({ full: false }));
  });

  it('ignores a full answer older than news of a free slot', async () => {
    const { g, batches } = make();
    const first = g.admit('p', 'a');
    await flush();
    g.heard({ taskId: 'p', remaining: 1, status: 'open' });
    batches[0].answer({ answers: ['ok'], after: { kind: 'full', snapshot: snapshot() } });
    await first;
    expect(g.refusal('p', 'b')).toBeNull();
  });

  it('sends a waiter alone after waiting too long', async () => {
    const { g, advance } = make({ wait: 10 });
    g.admit('p', 'a');
    await flush();
    const waiter = g.admit('p', 'b');
    advance(20);
    expect(await waiter).toBe(ALONE);
  });
});
