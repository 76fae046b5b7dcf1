import type { FastifyBaseLogger } from 'fastify';
import PgBoss from 'pg-boss';
import type { TemplateKey } from '@pioneer/shared';
import type { Db } from '../../db/client';
import { sqlText } from '../../db/sql-text';
import { transaction, type Tx } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import type { NotificationEvent } from './outbox';
import { JOB_EXPIRE_SECONDS, MAINTENANCE_INTERVAL_SECONDS, trackJobHandlers } from '../../lib/job-queues';
import type { PipelineRepository } from './pipeline-repository';
import type { RecipientsRepository } from './recipients-repository';
import {
  renderClaimResult,
  renderNewTask,
  renderReminder,
  renderServiceRecorded,
  renderTaskChanged,
  renderWaitlistOffer,
  renderUnitUpdate,
  renderMeeting,
  renderWhistle,
  type Rendered,
} from './templates';
import { WX, WechatUnavailableError, type WechatSender } from './wechat-sender';

export const QUEUES = {
  /** One job per outbox row (job id = outbox id): resolve recipients, write messages. */
  event: 'notify-event',
  /** One job per WeChat delivery (job id = message id). */
  wechat: 'notify-wechat',
  /** A cron job: turn due reminders into outbox rows. */
  reminders: 'notify-reminders',
} as const;

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

/** What a whistle step is called in a message (a WeChat `phrase`: at most five Chinese characters). */
const WHISTLE_ACTIONS: Record<string, string> = {
  raise: '新派单',
  readdress: '重新派单',
  sign: '已签收',
  answer: '已反馈',
  return: '已退单',
  extend: '申请延期',
  approve: '延期通过',
  deny: '延期驳回',
  verify: '已核查',
  close: '已办结',
  rate: '已回访',
  reopen: '已重启',
  overdue: '已超期',
};

/** A delivery taken by a sender that died is taken over after this long. */
const SENDING_STALE_SECONDS = JOB_EXPIRE_SECONDS;
const OUTBOX_KEEP_MS = 30 * 24 * 3600_000;
/** Assignments that went overdue longer ago than this (the server was down) are not announced. */
const OVERDUE_LOOKBACK_MS = 24 * 3600_000;
const RELAY_BATCH = 500;

interface EventJob {
  key: string;
  kind: NotificationEvent['kind'];
  payload: Record<string, unknown>;
}

interface Outgoing {
  eventKey: string;
  kind: TemplateKey;
  rendered: Rendered;
  taskId: string | null;
  whistleId: string | null;
  meetingId?: string | null;
  userIds: string[];
}

/** pg-boss's own statements (queueing jobs) on the pipeline's transaction, sent as pg-boss wrote them. */
const executorOf = (tx: Tx): PgBoss.Db => ({ executeSql: (text, values) => tx.execute(sqlText(text, values ?? [])) });

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
 * Over 400 lines because the relay, the two job handlers, the overdue scan and the workers'
 * start/stop share the pipeline's state (pg-boss, in-flight work, timers) inside this factory.
 */
export function notificationPipelineFactory(deps: {
  databaseUrl: string;
  db: Db;
  repo: PipelineRepository;
  recipients: RecipientsRepository;
  clock: Clock;
  log: FastifyBaseLogger;
  sender: WechatSender | null;
  templates: Partial<Record<TemplateKey, string>>;
  options?: Partial<PipelineOptions>;
  /**
   * Other modules' periodic jobs that write outbox rows (共商共办's escalation of overdue
   * actions), run by the same singleton cron job as the reminder sweep. Each must be safe to run
   * twice or in several processes at once: the cron is a singleton, but a retried or late job is not.
   */
  sweeps?: Array<{ name: string; run(now: Date): Promise<number> }>;
  /**
   * Other modules' pg-boss queues, workers and crons (the points ledger's expiry and catch-up),
   * set up on this same instance once it has started: one pg-boss per process, started once.
   */
  jobs?: Array<{ name: string; start(boss: PgBoss): Promise<void> }>;
}) {
  const opts = { ...DEFAULT_PIPELINE_OPTIONS, ...deps.options };
  const { repo, recipients, log } = deps;
  let boss: PgBoss | null = null;
  let handlers: ReturnType<typeof trackJobHandlers> | null = null;
  let relayTimer: NodeJS.Timeout | null = null;
  let relaying: Promise<number> | null = null;
  let eventWorker: string | null = null;
  const wechatWorkers: string[] = [];
  let stopped = false;

  /** Moves unrelayed outbox rows into the event queue; answers how many. */
  async function relayBatch(): Promise<number> {
    if (!(await repo.hasUnrelayed()) || !boss) return 0;
    const b = boss;
    const moved = await transaction(deps.db, async (tx) => {
      const rows = await repo.takeUnrelayed(tx, RELAY_BATCH);
      if (rows.length === 0) return 0;
      await b.insert(
        rows.map((r) => ({ id: r.id, name: QUEUES.event, data: { key: r.key, kind: r.kind, payload: r.payload } })),
        { db: executorOf(tx) },
      );
      await repo.markRelayed(
        tx,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
    if (moved > 0 && eventWorker) b.notifyWorker(eventWorker);
    return moved;
  }

  /** Relays until the outbox is empty; concurrent callers share one run. */
  function relay(): Promise<number> {
    if (!relaying) {
      relaying = (async () => {
        let total = 0;
        for (;;) {
          const n = await relayBatch();
          total += n;
          if (n < RELAY_BATCH) return total;
        }
      })().finally(() => {
        relaying = null;
      });
    }
    return relaying;
  }

  /** Who is told what, from the rows as they are now; null: nobody (the event is moot). */
  async function resolve(e: EventJob): Promise<Outgoing | null> {
    // As the outbox writer wrote it (times as ISO strings); a cancellation carries its claimants.
    const p = { ...e.payload, kind: e.kind } as NotificationEvent & { memberIds?: string[] };
    const now = deps.clock.now();
    switch (p.kind) {
      case 'claim_result': {
        if ('claimId' in p) {
          const c = await recipients.claimFacts(p.claimId);
          // Cancelled before we got here: "you got it" would be wrong now.
          if (!c || c.status === 'cancelled' || c.status === 'released') return null;
          return one(e, 'claim_result', renderClaimResult(c.task, p.outcome ?? 'claimed'), c.task.id, [c.userId]);
        }
        const t = await recipients.taskFacts(p.taskId);
        if (!t) return null;
        return one(e, 'claim_result', renderClaimResult(t, 'lost'), t.id, await recipients.usersOfMembers([p.memberId]));
      }
      case 'waitlist_offer': {
        const t = await recipients.taskFacts(p.taskId);
        if (!t) return null;
        // Accepted, declined or expired before we got here: nothing is left to confirm.
        const deadline = new Date(p.offerExpiresAt);
        const users = await recipients.openOfferUsers(p.taskId, p.memberId, deadline);
        return one(e, 'waitlist_offer', renderWaitlistOffer(t, deadline), t.id, users);
      }
      case 'task_reminder': {
        const c = await recipients.claimFacts(p.claimId);
        // Moved (another key is due for the new time), cancelled, or already started.
        if (!c || c.status !== 'claimed' || c.task.status !== 'open') return null;
        if (c.task.startsAt.getTime() !== Date.parse(p.startsAt) || c.task.startsAt.getTime() <= now.getTime()) return null;
        return one(e, 'task_reminder', renderReminder(c.task, p.offsetMinutes), c.task.id, [c.userId]);
      }
      case 'task_changed': {
        const t = await recipients.taskFacts(p.taskId);
        if (!t) return null;
        const users =
          p.change === 'cancelled' ? await recipients.usersOfMembers(p.memberIds ?? []) : await recipients.liveClaimantUsers(t.id);
        return one(e, 'task_changed', renderTaskChanged(t, p.change), t.id, users);
      }
      case 'service_recorded': {
        const c = await recipients.claimFacts(p.claimId);
        if (!c || c.status !== 'completed') return null;
        return one(e, 'service_recorded', renderServiceRecorded(c.task, c.minutes ?? 0, c.checkedOutAt ?? now), c.task.id, [c.userId]);
      }
      case 'new_task': {
        const t = await recipients.taskFacts(p.taskId);
        if (!t || t.status !== 'open') return null;
        return one(e, 'new_task', renderNewTask(t), t.id, await recipients.followerUsers(t.id));
      }
      case 'whistle_update': {
        const w = await recipients.whistleFacts(p.whistleId);
        const orgIds = p.orgIds?.length ? p.orgIds : (w?.orgIds ?? []);
        const [staff, raisers] = await Promise.all([
          recipients.orgStaffUsers(orgIds),
          p.raiser ? recipients.raiserStaffUsers(p.whistleId) : [],
        ]);
        // Someone on both sides gets the step once.
        const users = [...new Set([...staff, ...raisers])].filter((u) => u !== p.actorUserId);
        const dueAt = p.dueAt ?? w?.dueAt ?? null;
        const facts = {
          whistleId: p.whistleId,
          title: p.title ?? w?.title ?? '吹哨事项',
          status: p.status ?? (p.action ? WHISTLE_ACTIONS[p.action] : undefined) ?? '有更新',
          dueAt: dueAt ? new Date(dueAt).toISOString() : null,
          note: p.note ?? null,
          orgName: p.orgName ?? null,
          until: p.until ? new Date(p.until).toISOString() : null,
        };
        return {
          eventKey: e.key,
          kind: 'whistle_update',
          rendered: renderWhistle(facts, now),
          taskId: null,
          whistleId: p.whistleId,
          userIds: users,
        };
      }
      case 'unit_update': {
        const [staff, secretaries] = await Promise.all([
          recipients.orgStaffUsers(p.unitOrgIds ?? []),
          recipients.secretaryUsers(p.communityOrgIds ?? []),
        ]);
        const users = [...new Set([...staff, ...secretaries])].filter((u) => u !== p.actorUserId);
        return { eventKey: e.key, kind: 'unit_update', rendered: renderUnitUpdate(p, now), taskId: null, whistleId: null, userIds: users };
      }
      case 'meeting_update': {
        const m = await recipients.meetingFacts(p.meetingId);
        if (!m) return null;
        const users = (await recipients.staffUsers(p.orgIds ?? [], p.roles ?? [], p.districtIds ?? [])).filter((u) => u !== p.actorUserId);
        return {
          eventKey: e.key,
          kind: 'meeting_update',
          rendered: renderMeeting({
            meetingId: p.meetingId,
            title: m.title,
            startsAt: m.startsAt,
            location: m.location,
            action: p.action,
            actionTitle: p.actionTitle ?? null,
            dueAt: p.dueAt ? new Date(p.dueAt) : null,
          }),
          taskId: null,
          whistleId: null,
          meetingId: p.meetingId,
          userIds: users,
        };
      }
      default:
        log.warn({ kind: e.kind }, 'unknown notification kind');
        return null;
    }
  }

  function one(e: EventJob, kind: TemplateKey, rendered: Rendered, taskId: string, userIds: string[]): Outgoing {
    return { eventKey: e.key, kind, rendered, taskId, whistleId: null, userIds };
  }

  /** Messages, credits and WeChat jobs of one event, in one transaction. */
  async function store(o: Outgoing): Promise<{ messages: number; wechat: number }> {
    if (o.userIds.length === 0) return { messages: 0, wechat: 0 };
    const templateId = deps.templates[o.kind];
    const result = await transaction(deps.db, async (tx) => {
      const inserted = await repo.insertMessages(tx, {
        eventKey: o.eventKey,
        kind: o.kind,
        title: o.rendered.title,
        body: o.rendered.body,
        taskId: o.taskId,
        whistleId: o.whistleId,
        meetingId: o.meetingId ?? null,
        userIds: [...new Set(o.userIds)],
      });
      if (!deps.sender || !templateId || inserted.length === 0 || !boss) return { messages: inserted.length, wechat: 0 };
      const paid = await repo.spendCredits(
        tx,
        o.kind,
        inserted.map((m) => m.userId),
      );
      const sending = inserted.filter((m) => paid.has(m.userId));
      await repo.insertDeliveries(tx, {
        templateKey: o.kind,
        templateId,
        page: o.rendered.page,
        data: o.rendered.data,
        messages: sending,
      });
      if (sending.length > 0) {
        await boss.insert(
          sending.map((m) => ({ id: m.id, name: QUEUES.wechat, data: { messageId: m.id } })),
          { db: executorOf(tx) },
        );
      }
      return { messages: inserted.length, wechat: sending.length };
    });
    if (result.wechat > 0) for (const w of wechatWorkers) boss?.notifyWorker(w);
    return result;
  }

  async function processEvent(e: EventJob) {
    const o = await resolve(e);
    return o ? store(o) : { messages: 0, wechat: 0 };
  }

  type WechatJob = PgBoss.JobWithMetadata<{ messageId: string }>;

  /** Sends one delivery; throws to have pg-boss retry it later. */
  async function deliver(job: WechatJob): Promise<void> {
    const sender = deps.sender;
    const messageId = job.data.messageId;
    if (!sender) throw new Error('no WeChat sender in this process');
    const d = await repo.takeDelivery(messageId, SENDING_STALE_SECONDS);
    if (d === null) return;
    if (d === 'busy') throw new Error('delivery in flight elsewhere');
    const lastTry = job.retryCount >= job.retryLimit;
    let errcode: number;
    try {
      ({ errcode } = await sender.send({ openid: d.openid, templateId: d.templateId, page: d.page, data: d.data }));
    } catch (e) {
      if (!(e instanceof WechatUnavailableError)) {
        await repo.finishDelivery(messageId, 'queued', 'internal error', 'keep');
        throw e;
      }
      errcode = WX.BUSY;
    }
    if (errcode === WX.OK) return repo.finishDelivery(messageId, 'sent', null, 'keep');
    // WeChat has no subscription left for this user and template: spend nothing more on it.
    if (errcode === WX.NO_SUBSCRIPTION) return repo.finishDelivery(messageId, 'refused', String(errcode), 'zero');
    if (errcode === WX.BUSY && !lastTry) {
      await repo.finishDelivery(messageId, 'queued', String(errcode), 'keep');
      throw new Error(`WeChat busy (${errcode})`);
    }
    // Given up (or refused for the message itself): WeChat did not use the user's subscription.
    await repo.finishDelivery(messageId, 'failed', String(errcode), 'refund');
  }

  async function sweepReminders(now = deps.clock.now()): Promise<number> {
    const n = await repo.enqueueDueReminders(now, opts.reminderHorizonMinutes);
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

  async function startBoss(): Promise<void> {
    boss = new PgBoss({
      connectionString: deps.databaseUrl,
      max: 3,
      application_name: 'pioneer-notifications',
      maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
      // The reminder cron needs pg-boss's clock; without it nothing is scheduled.
      schedule: opts.reminderCron !== null || (deps.jobs?.length ?? 0) > 0,
    });
    boss.on('error', (err: Error) => log.warn({ err: { message: err.message } }, 'notification queue error'));
    handlers = trackJobHandlers(boss);
    await boss.start();
    await ensureQueues(boss, opts);
    for (const job of deps.jobs ?? []) await job.start(boss);

    const b = boss;
    /**
     * pg-boss waits out the polling interval after every batch, which would cap a worker at one
     * batch a second; a full batch means more are likely waiting, so the worker fetches again at once.
     */
    const drain = (id: string | null, fetched: number, batchSize: number) => {
      if (id && fetched >= batchSize && !stopped) b.notifyWorker(id);
    };
    const EVENT_BATCH = 10;
    eventWorker = await b.work<EventJob>(
      QUEUES.event,
      { batchSize: EVENT_BATCH, pollingIntervalSeconds: opts.pollingIntervalSeconds },
      async (jobs) => {
        for (const job of jobs) await processEvent(job.data);
        drain(eventWorker, jobs.length, EVENT_BATCH);
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
      wechatWorkers.push(id);
    }
    if (opts.reminderCron) {
      await boss.work(QUEUES.reminders, { pollingIntervalSeconds: 5 }, async () => {
        await sweepReminders();
        await sweepOverdueWhistles();
        await runSweeps();
      });
      await boss.schedule(QUEUES.reminders, opts.reminderCron, undefined, { tz: 'UTC' });
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
          const failed = boss;
          boss = null;
          await failed?.stop({ graceful: false, wait: true }).catch(() => {});
          await handlers?.idle();
          setTimeout(() => attempt(Math.min(delayMs * 2, 60_000)), delayMs).unref();
        });
      };
      attempt(1000);
    },

    /** Resolves once the queue has started (tests). */
    async started(): Promise<void> {
      while (!stopped && (!boss || !eventWorker)) {
        await (starting ?? Promise.resolve());
        if (!boss || !eventWorker) await new Promise((r) => setTimeout(r, 50));
      }
    },

    async stop(): Promise<void> {
      stopped = true;
      await starting?.catch(() => {});
      if (relayTimer) clearTimeout(relayTimer);
      await relaying?.catch(() => {});
      // Jobs in progress finish (or are failed back for a retry) before the pool closes.
      await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
      await handlers?.idle();
      boss = null;
    },

    relay,
    processEvent,
    sweepReminders,
    sweepOverdueWhistles,
    runSweeps,
  };
}

export type NotificationPipeline = ReturnType<typeof notificationPipelineFactory>;

/** The pipeline's queues and their retry policies (idempotent; updates policies of existing queues). */
export async function ensureQueues(boss: PgBoss, opts: Pick<PipelineOptions, 'wechatRetryLimit' | 'wechatRetryDelaySeconds'>) {
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
