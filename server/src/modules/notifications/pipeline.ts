import PgBoss from 'pg-boss';
import { MAINTENANCE_INTERVAL_SECONDS, trackJobHandlers } from '../../lib/job-queues';
import { notificationSweepsFactory, type Sweep } from './notification-sweeps';
import { notifyEventJobFactory, type NotifyEventJobDeps } from './notify-event-job';
import { notifyWechatJobFactory } from './notify-wechat-job';
import { outboxRelayFactory } from './outbox-relay';
import { ensureQueues, QUEUES, type EventJob, type PipelineQueue } from './pipeline-queues';

export { ensureQueues, QUEUES } from './pipeline-queues';

export interface PipelineOptions {
  /** How often the relay looks for new outbox rows (ms). */
  relayIntervalMs: number;
  /** pg-boss polling of each worker (seconds, at least 0.5). */
  pollingIntervalSeconds: number;
  /** WeChat retries on -1 or an unreachable WeChat, with exponential backoff from `wechatRetryDelaySeconds`. */
  wechatRetryLimit: number;
  wechatRetryDelaySeconds: number;
  /** WeChat sends in flight per process. */
  wechatConcurrency: number;
  /** How far ahead reminders are looked for: the longest reminder time members may choose. */
  reminderHorizonMinutes: number;
  /** Cron of the reminder and overdue-whistle sweeps; null: none (tests call `sweepReminders`, `sweepOverdueWhistles`). */
  reminderCron: string | null;
}

const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  relayIntervalMs: 500,
  pollingIntervalSeconds: 1,
  wechatRetryLimit: 6,
  wechatRetryDelaySeconds: 5,
  wechatConcurrency: 16,
  reminderHorizonMinutes: 7 * 24 * 60,
  reminderCron: '* * * * *',
};

/**
 * The durable half of notifications, on pg-boss in the same PostgreSQL:
 * outbox row → (relay, one transaction) → `notify-event` job → (one transaction) messages, credits
 * spent, `notify-wechat` jobs → subscribeMessage.send, retried with backoff.
 *
 * Every hop is exactly-once in the database: the relay marks the rows it queued in the queueing
 * transaction, job ids are the outbox and message ids, messages are unique per (user, event).
 * A job that runs twice (a crash before pg-boss marked it done, or two processes) finds its
 * messages already written and writes nothing; a WeChat delivery is taken by one sender at a
 * time, so a member is shown a message once, and sent it at least once.
 *
 * Each hop has its file: outbox-relay.ts, notify-event-job.ts, notify-wechat-job.ts and
 * notification-sweeps.ts (the reminder cron); the queues and their policies are in
 * pipeline-queues.ts. Here they are wired to one pg-boss, started, and stopped.
 */
export function notificationPipelineFactory(
  deps: Omit<NotifyEventJobDeps, 'queue'> & {
    databaseUrl: string;
    options?: Partial<PipelineOptions>;
    /**
     * Other modules' periodic jobs that write outbox rows (共商共办's escalation of overdue
     * actions), run by the same singleton cron job as the reminder sweep. Each must be safe to run
     * twice or in several processes at once: the cron is a singleton, but a retried or late job is not.
     */
    sweeps?: Sweep[];
    /**
     * Other modules' pg-boss queues, workers and crons (the points ledger's expiry and catch-up),
     * set up on this same instance once it has started: one pg-boss per process, started once.
     */
    jobs?: Array<{ name: string; start(boss: PgBoss): Promise<void> }>;
  },
) {
  const opts = { ...DEFAULT_PIPELINE_OPTIONS, ...deps.options };
  const { log } = deps;
  const queue: PipelineQueue = { boss: null, eventWorker: null, wechatWorkers: [] };
  let handlers: ReturnType<typeof trackJobHandlers> | null = null;
  let relayTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  const { relay, settled: relaySettled } = outboxRelayFactory({ db: deps.db, repo: deps.repo, queue });
  const { processEvent } = notifyEventJobFactory({
    db: deps.db,
    repo: deps.repo,
    recipients: deps.recipients,
    clock: deps.clock,
    log,
    sender: deps.sender,
    templates: deps.templates,
    queue,
  });
  const { deliver } = notifyWechatJobFactory({ repo: deps.repo, sender: deps.sender });
  const { sweepReminders, sweepOverdueWhistles, runSweeps } = notificationSweepsFactory({
    repo: deps.repo,
    clock: deps.clock,
    log,
    reminderHorizonMinutes: opts.reminderHorizonMinutes,
    relay,
    sweeps: deps.sweeps,
  });

  async function startBoss(): Promise<void> {
    const b = new PgBoss({
      connectionString: deps.databaseUrl,
      max: 3,
      application_name: 'pioneer-notifications',
      maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
      // The reminder cron needs pg-boss's clock; without it nothing is scheduled.
      schedule: opts.reminderCron !== null || (deps.jobs?.length ?? 0) > 0,
    });
    b.on('error', (err: Error) => log.warn({ err: { message: err.message } }, 'notification queue error'));
    queue.boss = b;
    handlers = trackJobHandlers(b);
    await b.start();
    await ensureQueues(b, opts);
    for (const job of deps.jobs ?? []) await job.start(b);

    /**
     * pg-boss waits out the polling interval after every batch, which would cap a worker at one
     * batch a second; a full batch means more are likely waiting, so the worker fetches again at once.
     */
    const drain = (id: string | null, fetched: number, batchSize: number) => {
      if (id && fetched >= batchSize && !stopped) b.notifyWorker(id);
    };
    const EVENT_BATCH = 10;
    queue.eventWorker = await b.work<EventJob>(
      QUEUES.event,
      { batchSize: EVENT_BATCH, pollingIntervalSeconds: opts.pollingIntervalSeconds },
      async (jobs) => {
        for (const job of jobs) await processEvent(job.data);
        drain(queue.eventWorker, jobs.length, EVENT_BATCH);
      },
    );
    const batch = Math.max(1, Math.ceil(opts.wechatConcurrency / 2));
    for (let i = 0; i < 2; i++) {
      let id: string | null = null;
      id = await b.work<{ messageId: string }>(
        QUEUES.wechat,
        { batchSize: batch, pollingIntervalSeconds: opts.pollingIntervalSeconds, includeMetadata: true },
        async (jobs) => {
          // One failure must not fail (and resend) the batch: each job is failed on its own.
          await Promise.all(
            jobs.map((job) =>
              deliver(job).catch(async (err: Error) => {
                await b.fail(QUEUES.wechat, job.id, { message: err.message });
              }),
            ),
          );
          drain(id, jobs.length, batch);
        },
      );
      queue.wechatWorkers.push(id);
    }
    if (opts.reminderCron) {
      await b.work(QUEUES.reminders, { pollingIntervalSeconds: 5 }, async () => {
        await sweepReminders();
        await sweepOverdueWhistles();
        await runSweeps();
      });
      await b.schedule(QUEUES.reminders, opts.reminderCron, undefined, { tz: 'UTC' });
    }

    const tick = () => {
      if (stopped) return;
      relay()
        .catch((err: Error) => log.warn({ err: { message: err.message } }, 'notification relay failed'))
        .finally(() => {
          if (!stopped) relayTimer = setTimeout(tick, opts.relayIntervalMs);
        });
    };
    tick();
  }

  let starting: Promise<void> | null = null;

  return {
    options: opts,

    /**
     * Starts the queue in the background: the API serves at once (events wait in the outbox
     * meanwhile), and a queue that cannot start yet is retried.
     */
    start(): void {
      const attempt = (delayMs: number) => {
        if (stopped) return;
        starting = startBoss().catch(async (err: Error) => {
          log.warn({ err: { message: err.message } }, 'notification queue could not start; retrying');
          const failed = queue.boss;
          queue.boss = null;
          await failed?.stop({ graceful: false, wait: true }).catch(() => {});
          await handlers?.idle();
          setTimeout(() => attempt(Math.min(delayMs * 2, 60_000)), delayMs).unref();
        });
      };
      attempt(1000);
    },

    /** Resolves once the queue has started (tests). */
    async started(): Promise<void> {
      while (!stopped && (!queue.boss || !queue.eventWorker)) {
        await (starting ?? Promise.resolve());
        if (!queue.boss || !queue.eventWorker) await new Promise((r) => setTimeout(r, 50));
      }
    },

    async stop(): Promise<void> {
      stopped = true;
      await starting?.catch(() => {});
      if (relayTimer) clearTimeout(relayTimer);
      await relaySettled();
      // Jobs in progress finish (or are failed back for a retry) before the pool closes.
      await queue.boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
      await handlers?.idle();
      queue.boss = null;
    },

    relay,
    processEvent,
    sweepReminders,
    sweepOverdueWhistles,
    runSweeps,
  };
}

export type NotificationPipeline = ReturnType<typeof notificationPipelineFactory>;
