import type { Action, ActionCreateBody, ActionList, ActionListQuery, ActionProgressBody, PublicProgress, Role } from '@pioneer/shared';
import { transaction } from '../../db/transaction';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import { administersDistrict, isSecretaryOf } from '../../lib/scope';
import type { Principal } from '../../lib/principal';
import { unitOrgsOf, type MeetingAccess, type MeetingsDeps } from './meeting-access';
import { isOverdue, meanProgress } from './meeting-mappers';
import { meetingStep } from './meeting-transitions';

/**
 * The action items (督办) a meeting decides: handed to a unit with milestones, reported on by its
 * liaison, confirmed or sent back by the convening side, escalated when overdue; and what a
 * community's residents see of it all.
 */
export function actionsService(deps: MeetingsDeps, access: MeetingAccess) {
  const { repo, now, actionsView, asConvener, meetingStepTx, actionById, oneAction, actionStepTx, asOwner, asActionConvener, checkUnit } =
    access;

  return {
    async addAction(p: Principal, id: string, body: ActionCreateBody): Promise<{ action: Action }> {
      await asConvener(p, id);
      const actionId = await meetingStepTx(id, async (tx, m, at) => {
        meetingStep('add_action', m.status);
        const dueAt = new Date(body.dueAt);
        if (dueAt.getTime() <= m.startsAt.getTime()) throw invalid('dueAt', 'must be after the meeting', '完成时限必须晚于会议时间');
        const milestones = body.milestones ?? [];
        milestones.forEach((ms, i) => {
          const t = Date.parse(ms.dueAt);
          if (t <= m.startsAt.getTime()) throw invalid(`milestones.${i}.dueAt`, 'must be after the meeting', '节点时限必须晚于会议时间');
          if (t > dueAt.getTime())
            throw invalid(`milestones.${i}.dueAt`, 'must not be after the action is due', '节点时限不能晚于完成时限');
        });
        const assists = (body.assistOrgIds ?? []).filter((o) => o !== body.ownerOrgId);
        const orgs = await repo.partyOrgs([body.ownerOrgId, ...assists], tx);
        checkUnit(orgs, body.ownerOrgId, 'ownerOrgId');
        (body.assistOrgIds ?? []).forEach((o, i) => {
          if (o === body.ownerOrgId) throw invalid(`assistOrgIds.${i}`, 'the owner cannot assist itself', '协办单位不能与牵头单位相同');
          checkUnit(orgs, o, `assistOrgIds.${i}`);
        });
        const newId = await repo.insertAction(
          { meetingId: id, title: body.title, ownerOrgId: body.ownerOrgId, assistOrgIds: assists, dueAt, createdAt: at },
          tx,
        );
        await repo.insertMilestones(
          milestones.map((ms, i) => ({ actionId: newId, position: i, title: ms.title, dueAt: new Date(ms.dueAt) })),
          tx,
        );
        const role: Role = m.communityOrgId && isSecretaryOf(p, m.communityOrgId) ? 'secretary' : 'district_admin';
        await repo.insertActionEvent(
          {
            actionId: newId,
            at,
            kind: 'create',
            progress: 0,
            note: null,
            actorUserId: p.userId,
            actorRole: role,
            actorOrgId: role === 'secretary' ? m.communityOrgId : null,
          },
          tx,
        );
        await deps.notifier?.enqueue(tx, {
          kind: 'meeting_update',
          meetingId: id,
          ref: `action:${newId}`,
          action: 'action',
          orgIds: [body.ownerOrgId, ...assists],
          roles: ['unit_liaison', 'unit_admin'],
          actorUserId: p.userId,
          actionTitle: body.title,
          dueAt,
        });
        return newId;
      });
      return oneAction(actionId);
    },

    async progress(p: Principal, id: string, body: ActionProgressBody) {
      const actor = await asOwner(p, id);
      return actionStepTx(id, 'progress', actor, async (tx, a, to, at) => {
        if (body.milestoneDone) {
          const [ms] = (await repo.milestones([a.id], tx)).filter((m) => m.id === body.milestoneDone);
          if (!ms) throw invalid('milestoneDone', 'not a milestone of this action', '该节点不属于此任务');
          if (ms.doneAt)
            throw new AppError('INVALID_TRANSITION', '该节点已完成', { details: [{ path: 'milestoneDone', reason: 'already done' }] });
          await repo.markMilestoneDone(ms.id, at, tx);
        }
        await repo.updateAction(a.id, { status: to, progress: body.progress }, tx);
        return { progress: body.progress, note: body.note, milestoneId: body.milestoneDone ?? null };
      });
    },

    async done(p: Principal, id: string, note: string) {
      const actor = await asOwner(p, id);
      return actionStepTx(id, 'done', actor, async (tx, a, to, at) => {
        await repo.updateAction(a.id, { status: to, progress: 100, doneAt: at }, tx);
        return { progress: 100, note };
      });
    },

    async confirm(p: Principal, id: string, note: string) {
      const actor = await asActionConvener(p, id);
      return actionStepTx(id, 'confirm', actor, async (tx, a, to, at) => {
        await repo.updateAction(a.id, { status: to, confirmedAt: at }, tx);
        return { note };
      });
    },

    /** Back to the owner: the progress it last reported, undone. */
    async reopen(p: Principal, id: string, note: string) {
      const actor = await asActionConvener(p, id);
      return actionStepTx(id, 'reopen', actor, async (tx, a, to) => {
        const progress = Math.min(await repo.lastReportedProgress(a.id, tx), 99);
        await repo.updateAction(a.id, { status: to, progress, doneAt: null }, tx);
        return { progress, note };
      });
    },

    async action(p: Principal, id: string): Promise<{ action: Action }> {
      await actionById(p, id);
      return oneAction(id);
    },

    /** `GET /actions`: a unit's actions (the caller's own units by default), overdue first. */
    async listActions(p: Principal, q: ActionListQuery): Promise<ActionList> {
      let owners: string[];
      if (q.ownerOrgId) {
        const [org] = await repo.partyOrgs([q.ownerOrgId]);
        if (!org || org.kind !== 'unit') throw notFound('单位党组织不存在');
        if (!unitOrgsOf(p).includes(org.id) && !administersDistrict(p, org.districtId)) throw forbidden('无权查看该单位的任务');
        owners = [org.id];
      } else {
        owners = unitOrgsOf(p);
        if (owners.length === 0) throw invalid('ownerOrgId', 'required for a caller without a unit', '请指定单位');
      }
      const t = now();
      const rows = await repo.listActions({ ownerOrgIds: owners, status: q.status, now: t });
      const milestones = await repo.milestones(rows.map((a) => a.id));
      const kept =
        q.overdue === undefined
          ? rows
          : rows.filter(
              (a) =>
                isOverdue(
                  a,
                  milestones.filter((m) => m.actionId === a.id),
                  t,
                ) === q.overdue,
            );
      return { items: await actionsView(kept) };
    },

    /** 民意收集—响应处理—跟踪督促—评估评价: what was decided for a community, for its residents. No person is named. */
    async publicProgress(p: Principal, communityOrgId: string): Promise<PublicProgress> {
      const [org] = await repo.partyOrgs([communityOrgId]);
      if (!org || org.kind !== 'community') throw notFound('社区不存在');
      const resident = p.memberCommunityOrgId === org.id;
      if (!resident && !isSecretaryOf(p, org.id) && !administersDistrict(p, org.districtId)) throw forbidden('只有本社区居民可以查看');
      const ids = await repo.publicMeetingIds(org.id);
      const rows = await repo.listMeetings({ scope: { scope: 'city' }, ids, limit: 50 });
      const [links, actionRows] = await Promise.all([repo.links(ids), repo.actionsOf(ids)]);
      const whistles = await repo.whistleStatuses([...new Set(links.filter((l) => l.kind === 'whistle').map((l) => l.refId))]);
      const milestones = await repo.milestones(actionRows.map((a) => a.id));
      const owners = new Map((await repo.partyOrgs([...new Set(actionRows.map((a) => a.ownerOrgId))])).map((o) => [o.id, o.name]));
      const t = now();
      return {
        items: rows.map((m) => {
          const acts = actionRows.filter((a) => a.meetingId === m.id);
          const mine = new Set(links.filter((l) => l.meetingId === m.id && l.kind === 'whistle').map((l) => l.refId));
          return {
            meeting: {
              id: m.id,
              kind: m.kind,
              title: m.title,
              startsAt: m.startsAt.toISOString(),
              decisions: m.decisions,
              progress: meanProgress(acts),
              handled: m.handledTotal,
            },
            whistles: whistles.filter((w) => mine.has(w.id)).map((w) => ({ id: w.id, title: w.title, status: w.status })),
            actions: acts.map((a) => ({
              title: a.title,
              owner: owners.get(a.ownerOrgId) ?? '',
              status: a.status,
              progress: a.progress,
              dueAt: a.dueAt.toISOString(),
              overdue: isOverdue(
                a,
                milestones.filter((x) => x.actionId === a.id),
                t,
              ),
            })),
          };
        }),
      };
    },

    /**
     * The escalation job: every action overdue now and never escalated is marked and announced to
     * its unit's admins and its meeting's 板块 admins, in one transaction. Safe to run any number of
     * times in any number of processes: the conditional update takes each action once.
     */
    async escalateOverdue(at: Date = now()): Promise<number> {
      return transaction(deps.db, async (tx) => {
        const rows = await repo.markEscalated(at, tx);
        for (const r of rows) {
          await repo.insertActionEvent({ actionId: r.id, at, kind: 'escalate', progress: null, note: null }, tx);
          await deps.notifier?.enqueue(tx, {
            kind: 'meeting_update',
            meetingId: r.meetingId,
            ref: `escalate:${r.id}`,
            action: 'escalate',
            orgIds: [r.ownerOrgId],
            roles: ['unit_admin'],
            districtIds: [r.districtId],
            actionTitle: r.title,
            dueAt: r.dueAt,
          });
        }
        return rows.length;
      });
    },
  };
}
