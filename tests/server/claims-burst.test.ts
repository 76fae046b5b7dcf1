import { makeWorld } from '../helpers/fixtures';
import { httpClient, publishTask, slotState, type FixtureMember } from '../helpers/task-fixtures';
import type { TestContext } from '../helpers/test-app';
import { startTwoProcesses, type TwoProcesses } from '../helpers/two-processes';

// Real time throughout: the second process runs on the system clock.
let harness: TwoProcesses;
let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let secretary: { authorization: string };
let crowd: FixtureMember[];
let local: ReturnType<typeof httpClient>;
let remote: ReturnType<typeof httpClient>;

beforeAll(async () => {
  harness = await startTwoProcesses('burst', 500);
  ({ ctx, world, secretary, members: crowd, local, remote } = harness);
});
afterAll(async () => harness?.close());

async function burst(taskId: string, pick: (i: number) => ReturnType<typeof httpClient>) {
  const answers = await Promise.all(crowd.map((m, i) => pick(i).request('POST', `/api/v1/tasks/${taskId}/claims`, { headers: m.auth })));
  const tally: Record<string, number> = {};
  for (const a of answers) {
    const key = a.status === 201 ? '201' : `${a.status} ${a.body?.code}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return { answers, tally };
}

async function expectExactlyTwenty(taskId: string, answers: Array<{ status: number; body: any }>, tally: Record<string, number>) {
  expect(tally).toEqual({ '201': 20, '409 TASK_FULL': 480 });
  const winners = answers.filter((a) => a.status === 201);
  expect(new Set(winners.map((a) => a.body.claim.memberId)).size).toBe(20);
  expect(winners.map((a) => a.body.remaining).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  const state = await slotState(ctx, taskId);
  expect(state.claimed).toBe(20);
  expect(state.live).toBe(20);
  expect(state.filledAt).not.toBeNull();
}

describe('a burst of 500 members on 20 slots', () => {
  it('through one listening server: exactly 20 claims, 480 TASK_FULL, nothing else', async () => {
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 20 });
    const { answers, tally } = await burst(task.id, () => local);
    await expectExactlyTwenty(task.id, answers, tally);
  });

  it('split across two server processes on one database: the same', async () => {
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 20 });
    const { answers, tally } = await burst(task.id, (i) => (i % 2 ? remote : local));
    await expectExactlyTwenty(task.id, answers, tally);
    const winners = answers.map((a, i) => ({ a, i })).filter(({ a }) => a.status === 201);
    // Both processes took part in deciding (each answered some of the requests).
    expect(answers.filter((_, i) => i % 2).length).toBe(250);
    expect(winners.length).toBe(20);
  });

  it('with one Idempotency-Key per member, split across both processes, and every request sent twice', async () => {
    const task = await publishTask(ctx, secretary, world.community.id, { capacity: 20 });
    const sends = crowd.flatMap((m, i) =>
      [local, remote].map((client) =>
        client
          .request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: { ...m.auth, 'Idempotency-Key': `burst-${i}` } })
          .then((a) => ({ i, a })),
      ),
    );
    const all = await Promise.all(sends);
    const byMember = new Map<number, Array<{ status: number; body: any }>>();
    for (const { i, a } of all) byMember.set(i, [...(byMember.get(i) ?? []), a]);
    let created = 0;
    for (const [, pair] of byMember) {
      expect(pair[1]).toEqual(pair[0]);
      if (pair[0].status === 201) created++;
      else expect(pair[0].body.code).toBe('TASK_FULL');
    }
    expect(created).toBe(20);
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 20, live: 20 }));
  });
});
