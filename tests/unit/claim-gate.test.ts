import { AppError } from '../../server/src/lib/errors';
import { ClaimGate } from '../../server/src/modules/claim-gate/claim-gate';
import { ALONE, type BatchResult, type FullSnapshot } from '../../server/src/modules/claim-gate/claim-types';

// The gate alone, its batches answered by hand (the gate against PostgreSQL and two processes: tests/server/claims-gate.test.ts).
describe('ClaimGate on its own', () => {
  const snapshot = (over: Partial<FullSnapshot> = {}): FullSnapshot => ({
    status: 'open',
    claimed: 1,
    capacity: 1,
    opensAt: new Date(0),
    endsAt: new Date(Date.now() + 3600_000),
    holders: ['m1'],
    suspended: new Map(),
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
    batches[0].answer({ answers: ['ok a', 'ok b', 'ok c'], after: { kind: 'open' } });
    expect(await Promise.all(first)).toEqual(['ok a', 'ok b', 'ok c']);
    await flush();
    expect(batches.map((b) => b.memberIds)).toEqual([['a', 'b', 'c'], ['a'], ['d', 'e']]);
    batches[2].answer({ answers: ['ok d', 'ok e'], after: { kind: 'open' } });
    batches[1].answer({ answers: ['ok qa'], after: { kind: 'open' } });
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
    batches[0].answer({ answers: ['1', '2'], after: { kind: 'open' } });
    await Promise.all(all.slice(0, 2));
    await flush();
    expect(batches.map((b) => b.memberIds)).toEqual([['a', 'b'], ['c']]);
    batches[1].answer({ answers: ['3'], after: { kind: 'open' } });
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
    batches[0].answer({ answers: ['ok a'], after: { kind: 'open', version: 1 } });
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

  it('answers a suspended member GRAB_SUSPENDED with its end, before TASK_FULL, as the database does', async () => {
    const { g, batches } = make();
    const until = new Date(Date.now() + 7 * 24 * 3600_000);
    const first = g.admit('p', 'm1');
    await flush();
    const suspended = new Map([
      ['s1', until],
      ['m1', until],
      ['over', new Date(Date.now() - 1000)],
    ]);
    const waiting = g.admit('p', 's1');
    batches[0].answer({ answers: ['ok m1'], after: { kind: 'full', snapshot: snapshot({ suspended }) } });
    await first;
    const queued = await waiting;
    expect(queued).toBeInstanceOf(AppError);
    expect(queued).toEqual(expect.objectContaining({ code: 'GRAB_SUSPENDED', details: [{ path: 'until', reason: until.toISOString() }] }));
    expect(g.refusal('p', 's1')).toEqual(expect.objectContaining({ code: 'GRAB_SUSPENDED' }));
    // A claimant holding a slot hears ALREADY_CLAIMED first; a suspension that ended is no refusal.
    expect(g.refusal('p', 'm1')).toBe('ALREADY_CLAIMED');
    expect(g.refusal('p', 'over')).toBe('TASK_FULL');
    expect(g.refusal('p', 'anyone')).toBe('TASK_FULL');
  });
});
