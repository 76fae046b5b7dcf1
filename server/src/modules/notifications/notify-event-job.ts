import type { FastifyBaseLogger } from 'fastify';
import type { TemplateKey } from '@pioneer/shared';
import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import type { NotificationEvent } from './outbox';
import type { PipelineRepository } from './pipeline-repository';
import { executorOf, QUEUES, type EventJob, type PipelineQueue } from './pipeline-queues';
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
import type { WechatSender } from './wechat-sender';

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

interface Outgoing {
  eventKey: string;
  kind: TemplateKey;
  rendered: Rendered;
  taskId: string | null;
  whistleId: string | null;
  meetingId?: string | null;
  userIds: string[];
}

/**
 * The `notify-event` job: one outbox event becomes messages. Who is told what is decided from the
 * rows as they are now (an event that went moot tells nobody); the messages, the credits spent
 * and the `notify-wechat` jobs are written in one transaction. Messages are unique per (user,
 * event), so a job that runs twice writes nothing the second time.
 */
export interface NotifyEventJobDeps {
  db: Db;
  repo: PipelineRepository;
  recipients: RecipientsRepository;
  clock: Clock;
  log: FastifyBaseLogger;
  sender: WechatSender | null;
  templates: Partial<Record<TemplateKey, string>>;
  queue: PipelineQueue;
}

export function notifyEventJobFactory(deps: NotifyEventJobDeps) {
  const { repo, recipients, log, queue } = deps;

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
      const boss = queue.boss;
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
    if (result.wechat > 0) for (const w of queue.wechatWorkers) queue.boss?.notifyWorker(w);
    return result;
  }

  async function processEvent(e: EventJob) {
    const o = await resolve(e);
    return o ? store(o) : { messages: 0, wechat: 0 };
  }

  return { processEvent };
}
