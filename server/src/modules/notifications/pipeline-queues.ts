import type PgBoss from 'pg-boss';
import { sqlText } from '../../db/sql-text';
import type { Tx } from '../../db/transaction';
import { JOB_EXPIRE_SECONDS } from '../../lib/job-queues';
import type { NotificationEvent } from './outbox';

export const QUEUES = {
  /** One job per outbox row (job id = outbox id): resolve recipients, write messages. */
  event: 'notify-event',
  /** One job per WeChat delivery (job id = message id). */
  wechat: 'notify-wechat',
  /** A cron job: turn due reminders into outbox rows. */
  reminders: 'notify-reminders',
} as const;

/** A delivery taken by a sender that died is taken over after this long. */
export const SENDING_STALE_SECONDS = JOB_EXPIRE_SECONDS;

/** A `notify-event` job's data: the outbox row as the relay queued it. */
export interface EventJob {
  key: string;
  kind: NotificationEvent['kind'];
  payload: Record<string, unknown>;
}

/**
 * The pipeline's pg-boss and its workers while it runs (null before it started and after a
 * stop): the relay, the event job and the lifecycle in pipeline.ts read the same one.
 */
export interface PipelineQueue {
  boss: PgBoss | null;
  eventWorker: string | null;
  readonly wechatWorkers: string[];
}

/** pg-boss's own statements (queueing jobs) on the pipeline's transaction, sent as pg-boss wrote them. */
export const executorOf = (tx: Tx): PgBoss.Db => ({ executeSql: (text, values) => tx.execute(sqlText(text, values ?? [])) });

/** The pipeline's queues and their retry policies (idempotent; updates policies of existing queues). */
export async function ensureQueues(boss: PgBoss, opts: { wechatRetryLimit: number; wechatRetryDelaySeconds: number }) {
  const policies: Array<[string, PgBoss.Queue]> = [
    [QUEUES.event, { name: QUEUES.event, retryLimit: 10, retryDelay: 2, retryBackoff: true, expireInSeconds: JOB_EXPIRE_SECONDS }],
    [
      QUEUES.wechat,
      {
        name: QUEUES.wechat,
        retryLimit: opts.wechatRetryLimit,
        retryDelay: opts.wechatRetryDelaySeconds,
        retryBackoff: true,
        expireInSeconds: SENDING_STALE_SECONDS,
      },
    ],
    // Not retried (the next minute's cron runs it again), but a dead worker's job no longer blocks the singleton.
    [QUEUES.reminders, { name: QUEUES.reminders, policy: 'singleton', retryLimit: 0, expireInSeconds: JOB_EXPIRE_SECONDS }],
  ];
  for (const [name, q] of policies) {
    await boss.createQueue(name, q);
    await boss.updateQueue(name, q);
  }
}
