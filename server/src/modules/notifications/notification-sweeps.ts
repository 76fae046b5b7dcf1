import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../lib/clock';
import type { PipelineRepository } from './pipeline-repository';

const OUTBOX_KEEP_MS = 30 * 24 * 3600_000;
/** Assignments that went overdue longer ago than this (the server was down) are not announced. */
const OVERDUE_LOOKBACK_MS = 24 * 3600_000;

/** Another module's periodic job that writes outbox rows (see `sweeps` in pipeline.ts). */
export interface Sweep {
  name: string;
  run(now: Date): Promise<number>;
}

/**
 * The periodic sweeps the `notify-reminders` cron runs (tests call them by hand): due reminders
 * and overdue whistle assignments become outbox rows, old relayed outbox rows are purged, and the
 * other modules' sweeps run. Whatever they wrote is relayed at once.
 */
export function notificationSweepsFactory(deps: {
  repo: PipelineRepository;
  clock: Clock;
  log: FastifyBaseLogger;
  /** How far ahead reminders are looked for (PipelineOptions.reminderHorizonMinutes). */
  reminderHorizonMinutes: number;
  relay(): Promise<number>;
  sweeps?: Sweep[];
}) {
  const { repo, log, relay } = deps;

  async function sweepReminders(now = deps.clock.now()): Promise<number> {
    const n = await repo.enqueueDueReminders(now, deps.reminderHorizonMinutes);
    await repo.purgeOutbox(new Date(now.getTime() - OUTBOX_KEEP_MS));
    if (n > 0) void relay().catch((err) => log.warn({ err }, 'notification relay failed'));
    return n;
  }

  /** Tells the units and the raising side of assignments that just went past their due time. */
  async function sweepOverdueWhistles(now = deps.clock.now()): Promise<number> {
    const n = await repo.enqueueOverdueWhistles(now, OVERDUE_LOOKBACK_MS);
    if (n > 0) void relay().catch((err) => log.warn({ err }, 'notification relay failed'));
    return n;
  }

  /** Runs the other modules' sweeps; answers how many outbox rows they wrote. */
  async function runSweeps(now = deps.clock.now()): Promise<number> {
    let n = 0;
    for (const s of deps.sweeps ?? []) {
      try {
        n += await s.run(now);
      } catch (err) {
        log.warn({ err: { message: (err as Error).message }, sweep: s.name }, 'sweep failed; retried on the next run');
      }
    }
    if (n > 0) void relay().catch((err) => log.warn({ err }, 'notification relay failed'));
    return n;
  }

  return { sweepReminders, sweepOverdueWhistles, runSweeps };
}
