import { trackJobHandlers } from '../../server/src/lib/job-queues';

/** A stand-in for pg-boss's `work`: records the handler it is given, as pg-boss would. */
function fakeBoss() {
  const registered: Array<(jobs: unknown[]) => Promise<unknown>> = [];
  const boss = {
    work: async (_name: string, ...rest: unknown[]) => {
      registered.push(rest[rest.length - 1] as (jobs: unknown[]) => Promise<unknown>);
      return `worker-${registered.length}`;
    },
  };
  return { boss, registered };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('job handlers a stop waits for', () => {
  it('idle() resolves only once every running handler has returned, with or without options', async () => {
    const { boss, registered } = fakeBoss();
    const tracker = trackJobHandlers(boss);
    const first = gate();
    const second = gate();
    const seen: unknown[] = [];
    expect(
      await boss.work('a', async (jobs: unknown[]) => {
        seen.push(jobs);
        await first.opened;
      }),
    ).toBe('worker-1');
    await boss.work('b', { batchSize: 2 }, async () => {
      await second.opened;
      throw new Error('job failed');
    });

    await tracker.idle(); // nothing running yet
    const runA = registered[0](['job-a']);
    const runB = registered[1](['job-b']).catch((e: Error) => e.message);
    expect(seen).toEqual([['job-a']]);

    let idle = false;
    const waiting = tracker.idle().then(() => (idle = true));
    first.open();
    await runA;
    await Promise.resolve();
    expect(idle).toBe(false); // b still runs
    second.open();
    expect(await runB).toBe('job failed'); // the handler's own outcome reaches pg-boss unchanged
    await waiting;
    expect(idle).toBe(true);
  });
});
