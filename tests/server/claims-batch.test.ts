import { AppError } from '../../server/src/lib/errors';
import { claimsRepositoryFactory } from '../../server/src/modules/claims/claims-repository';
import type { BatchAnswer } from '../../server/src/modules/claim-gate/claim-types';
import { claimsServiceFactory } from '../../server/src/modules/claims/claims-service';
import { CLAIM_SQL } from '../../server/src/modules/claims/claims-sql';
import { makeWorld } from '../helpers/fixtures';
import { insertMembers, publishTask, secretaryWorld, slotState, type FixtureMember } from '../helpers/task-fixtures';
import type { TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let members: FixtureMember[];
let service: ReturnType<typeof claimsServiceFactory>;

beforeAll(async () => {
  ({ ctx, world, secretary } = await secretaryWorld('batch-sec'));
  members = await insertMembers(ctx, world, 40, 'batch');
  service = claimsServiceFactory({
    claimsRepository: claimsRepositoryFactory({ db: ctx.database.db }),
    membersRepository: {} as never,
    pioneerCodes: {} as never,
    clock: ctx.clock,
  });
});
afterAll(async () => {
  await ctx?.close();
});

let next = 0;
const take = (n: number) => members.slice(next, (next += n));
const ids = (ms: FixtureMember[]) => ms.map((m) => m.memberId);

/** 201 with what remained, or the refusal's code. */
function codes(answers: BatchAnswer[] | null) {
  if (!answers) return null;
  return answers.map((a) => (typeof a === 'string' ? a : a instanceof AppError ? a.code : `201 ${a.remaining}`));
}

describe('one statement for a batch of claims on one post', () => {
  it('grants in arrival order up to the slots left, skips live claimants, one claim per member queued twice', async () => {
    const [held, a, b, c, d] = take(5);
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 3 });
    expect(codes((await service.claimMany(task.id, [held.memberId])).answers)).toEqual(['201 2']);

    const r = await service.claimMany(task.id, ids([a, held, b, a, c, d]));
    expect(codes(r.answers)).toEqual(['201 1', 'ALREADY_CLAIMED', '201 0', 'ALREADY_CLAIMED', 'TASK_FULL', 'TASK_FULL']);
    const granted = r.answers!.filter(
      (x): x is Exclude<BatchAnswer, string | AppError> => typeof x === 'object' && !(x instanceof AppError),
    );
    expect(granted.map((g) => g.claim.memberId)).toEqual([a.memberId, b.memberId]);
    expect(granted.every((g) => g.claim.taskId === task.id && g.claim.status === 'claimed')).toBe(true);
    expect(r.answers && 'after' in r ? r.after : null).toEqual({
      kind: 'full',
      snapshot: expect.objectContaining({ claimed: 3, capacity: 3, holders: expect.arrayContaining(ids([held, a, b])) }),
      version: expect.any(Number),
    });
    const state = await slotState(ctx, task.id);
    expect(state).toEqual(expect.objectContaining({ claimed: 3, live: 3 }));
    expect(state.filledAt).not.toBeNull();

    // Once full: holders hear ALREADY_CLAIMED, everyone else TASK_FULL, nothing moves.
    const again = await service.claimMany(task.id, ids([c, b]));
    expect(codes(again.answers)).toEqual(['TASK_FULL', 'ALREADY_CLAIMED']);
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 3, live: 3 }));
  });

  it('leaves the post open when fewer ask than there are slots, and says how many remain', async () => {
    const [a, b, c] = take(3);
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 5 });
    const r = await service.claimMany(task.id, ids([a, b, a]));
    expect(codes(r.answers)).toEqual(['201 4', '201 3', 'ALREADY_CLAIMED']);
    expect(r.answers && 'after' in r ? r.after : null).toEqual({ kind: 'open', version: expect.any(Number) });
    expect(codes((await service.claimMany(task.id, ids([a, c]))).answers)).toEqual(['ALREADY_CLAIMED', '201 2']);
    const state = await slotState(ctx, task.id);
    expect(state).toEqual(expect.objectContaining({ claimed: 3, live: 3 }));
    expect(state.filledAt).toBeNull();
  });

  it('answers what a single claim would for a post that is gone, cancelled, closed or not open yet', async () => {
    const [a, b] = take(2);
    expect(codes((await service.claimMany('00000000-0000-4000-8000-000000000000', ids([a]))).answers)).toEqual(['NOT_FOUND']);

    const cancelled = await publishTask(ctx, secretary, world.community.id, { capacity: 2 });
    await service.claimMany(cancelled.id, ids([a]));
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${cancelled.id}/cancel`, headers: secretary })).statusCode).toBe(
      200,
    );
    const r = await service.claimMany(cancelled.id, ids([b, a]));
    // Cancelling the post cancelled its claims too.
    expect(codes(r.answers)).toEqual(['TASK_CANCELLED', 'TASK_CANCELLED']);
    expect(r.answers && 'after' in r ? r.after : null).toEqual({ kind: 'closed', version: expect.any(Number) });

    const now = ctx.clock.now().getTime();
    const later = await publishTask(ctx, secretary, world.community.id, { claimOpensAt: new Date(now + 3600_000).toISOString() });
    expect(codes((await service.claimMany(later.id, ids([a]))).answers)).toEqual(['CLAIM_NOT_OPEN']);

    const open = await publishTask(ctx, secretary, world.community.id);
    ctx.clock.set(new Date(open.endsAt).getTime() + 1000);
    try {
      expect(codes((await service.claimMany(open.id, ids([a]))).answers)).toEqual(['CLAIM_CLOSED']);
    } finally {
      ctx.clock.set(now);
    }
    for (const t of [cancelled, later, open]) {
      const s = await slotState(ctx, t.id);
      expect(s.claimed).toBe(s.live);
    }
  });

  /**
   * Runs the batch while another connection holds a claim on the post uncommitted, and commits
   * that claim once the batch's statement is blocked on it (its snapshot taken before the commit).
   */
  async function raceWith(taskId: string, other: string, batch: string[]) {
    const a = await ctx.database.pool.connect();
    try {
      await a.query('begin');
      await a.query(CLAIM_SQL, [taskId, other, ctx.clock.now(), 0]);
      const { rows } = await a.query<{ pid: number }>('select pg_backend_pid() as pid');
      const waiting = service.claimMany(taskId, batch);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const blocked = await ctx.database.pool.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where $1::int = any(pg_blocking_pids(pid))',
          [rows[0].pid],
        );
        if (blocked.rows[0].n > 0) break;
        if (Date.now() > deadline) throw new Error('the batch never waited on the uncommitted claim');
        await new Promise((r) => setTimeout(r, 5));
      }
      await a.query('commit');
      return await waiting;
    } finally {
      a.release();
    }
  }

  it('aborts whole when a member in it claimed elsewhere after its snapshot, so each member then claims alone', async () => {
    const [x, y] = take(2);
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 3 });
    const r = await raceWith(task.id, x.memberId, ids([y, x]));
    expect(r.answers).toBeNull();
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 1, live: 1 }));
    expect(codes((await service.claimMany(task.id, ids([y, x]))).answers)).toEqual(['201 1', 'ALREADY_CLAIMED']);
  });

  it('counts a slot taken elsewhere while it waited, and then does not trust its own list of claimants', async () => {
    const [z, y, w] = take(3);
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 2 });
    const r = await raceWith(task.id, z.memberId, ids([y, w]));
    expect(codes(r.answers)).toEqual(['201 0', 'TASK_FULL']);
    expect(r.answers && 'after' in r ? r.after : null).toEqual({ kind: 'full', snapshot: null, version: expect.any(Number) });
    const state = await slotState(ctx, task.id);
    expect(state).toEqual(expect.objectContaining({ claimed: 2, live: 2 }));
    expect(state.filledAt).not.toBeNull();
  });
});
