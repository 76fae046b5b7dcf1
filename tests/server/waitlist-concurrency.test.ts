import { publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { startTwoProcesses, type TwoProcesses } from '../helpers/two-processes';
import { HOLDS, invariants, waitlistState } from '../helpers/waitlist-fixtures';

jest.setTimeout(180_000);

let tp: TwoProcesses;

beforeAll(async () => {
  tp = await startTwoProcesses('wlc', 200);
});
afterAll(async () => tp?.close());

/** A small seeded generator: the same interleaving on every run, different choices in each round. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('waitlist under concurrency, two server processes on one database', () => {
  it('keeps claimed = live claims + held offers <= capacity, never skips the head, never gives a member two claims', async () => {
    const { ctx, members } = tp;
    const rand = rng(12);
    const via = () => (rand() < 0.5 ? tp.local : tp.remote);
    const call = (m: FixtureMember, method: string, path: string) => via().request(method, `/api/v1${path}`, { headers: m.auth });
    const task = await publishTask(ctx, tp.secretary, tp.world.community.id, { capacity: 20, offerMinutes: 30 });
    const t = `/tasks/${task.id}`;

    const holders = members.slice(0, 20);
    const queue = members.slice(20, 120);
    const outsiders = members.slice(120);
    const claimed = await Promise.all(holders.map((m) => call(m, 'POST', `${t}/claims`)));
    expect(claimed.every((a) => a.status === 201)).toBe(true);
    const joined = await Promise.all(queue.map((m) => call(m, 'POST', `${t}/waitlist`)));
    expect(joined.map((a) => a.status)).toEqual(queue.map(() => 201));
    expect(joined.map((a) => a.body.entry.position).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(invariants(await waitlistState(ctx, task.id))).toEqual(HOLDS);

    const seen = { cancel: 0, accept: 0, decline: 0, leave: 0, expired: 0, late: 0, outsiders201: 0 };
    for (let round = 0; round < 8; round++) {
      const { rows: live } = await ctx.database.pool.query(
        `select m.id from claims c join members m on m.id = c.member_id where c.task_id = $1 and c.status = 'claimed'`,
        [task.id],
      );
      const { rows: offered } = await ctx.database.pool.query(
        `select member_id from waitlist_entries where task_id = $1 and status = 'offered'`,
        [task.id],
      );
      const byId = new Map(members.map((m) => [m.memberId, m]));
      const ops: Array<Promise<unknown>> = [];
      for (const { id } of live) {
        if (rand() < 0.25) ops.push(call(byId.get(id)!, 'DELETE', `${t}/claims/me`).then((a) => a.status === 200 && seen.cancel++));
      }
      for (const { member_id: id } of offered) {
        const r = rand();
        const m = byId.get(id)!;
        if (r < 0.55) {
          ops.push(
            call(m, 'POST', `${t}/waitlist/me/accept`).then((a) => {
              if (a.status === 201) seen.accept++;
              else if (a.body.code === 'OFFER_EXPIRED') seen.late++;
              else expect(a.body.code).toBe('NOT_WAITLISTED');
            }),
          );
        } else if (r < 0.8) ops.push(call(m, 'POST', `${t}/waitlist/me/decline`).then((a) => a.status === 200 && seen.decline++));
        else if (r < 0.9) ops.push(call(m, 'DELETE', `${t}/waitlist/me`).then((a) => a.status === 200 && seen.leave++));
        // the rest let their offer run out
      }
      for (const m of outsiders.slice(round * 10, round * 10 + 10)) {
        ops.push(call(m, 'POST', `${t}/claims`).then((a) => a.status === 201 && seen.outsiders201++));
      }
      if (round % 3 === 2) {
        // Offers run out: this process's clock jumps past them and its job expires them, amid everything else.
        ctx.clock.advance(31 * 60_000);
        ops.push(ctx.app.claimJobs.tick({ settle: false }).then((r) => (seen.expired += r.expired)));
      }
      await Promise.all(ops);
      const state = await waitlistState(ctx, task.id);
      expect(invariants(state)).toEqual(HOLDS);
      // While anyone waits, no slot stays free.
      if (state.waiting > 0) expect(state.claimed).toBe(20);
    }
    // With a hundred waiting, an outsider never got a slot; every kind of move happened.
    expect(seen.outsiders201).toBe(0);
    expect(seen.cancel).toBeGreaterThan(10);
    expect(seen.accept).toBeGreaterThan(5);
    expect(seen.decline).toBeGreaterThan(0);
    expect(seen.expired + seen.late).toBeGreaterThan(0);
    const { rows } = await ctx.database.pool.query(
      `select count(*)::int as n from claims where task_id = $1 and status not in ('cancelled', 'released')`,
      [task.id],
    );
    expect(rows[0].n).toBeLessThanOrEqual(20);
  });
});
