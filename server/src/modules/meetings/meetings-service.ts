import { createHmac, timingSafeEqual } from 'node:crypto';
import QRCode from 'qrcode';
import type {
  Action,
  ActionCreateBody,
  ActionList,
  ActionListQuery,
  ActionProgressBody,
  Attendance,
  LinkedMeeting,
  Meeting,
  MeetingCheckin,
  MeetingCloseBody,
  MeetingCreateBody,
  MeetingDetail,
  MeetingList,
  MeetingListQuery,
  MeetingStats,
  PublicProgress,
  Role,
} from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import { administersDistrict, isCityAdmin, isSecretaryOf } from '../../lib/scope';
import type { Principal } from '../../lib/principal';
import type { Notifier } from '../notifications';
import { isOverdue, meanProgress, toAction, toMeeting } from './meeting-mappers';
import { actionStep, CHECKIN_CLOSES_AFTER_MS, CHECKIN_OPENS_BEFORE_MS, meetingStep, type ActionStep } from './meeting-transitions';
import type { ActionRow, MeetingRow, MeetingScope, MeetingsRepository, MeetingWithConvener } from './meetings-repository';

const UNIT_ROLES: Role[] = ['unit_liaison', 'unit_admin'];
const INVITEE_ROLES = ['unit_liaison', 'unit_admin', 'secretary'] as const;

const unitOrgsOf = (p: Principal) => p.roles.filter((g) => UNIT_ROLES.includes(g.role) && g.orgId).map((g) => g.orgId as string);
const staffOrgsOf = (p: Principal) =>
  p.roles.filter((g) => (UNIT_ROLES.includes(g.role) || g.role === 'secretary') && g.orgId).map((g) => g.orgId as string);

/** The convening side: the convening community's secretary, or an admin of the meeting's 板块. */
export const convenes = (p: Principal, m: Pick<MeetingRow, 'districtId' | 'communityOrgId'>) =>
  p.roles.some((g) => g.role === 'district_admin' && g.orgId === m.districtId) ||
  (m.communityOrgId !== null && isSecretaryOf(p, m.communityOrgId));

/**
 * 共商共办 meetings, from convening to attendance and outcomes. Over 400 lines because it landed
 * whole in this wave; its steps share the convening-side scope rules above (a split by stage is
 * the next step for this room).
 */
export function meetingsServiceFactory(deps: {
  db: Db;
  meetingsRepository: MeetingsRepository;
  /** Where the figures are read (statistics read from a replica when there is one). */
  figuresRepository?: Pick<MeetingsRepository, 'figures'>;
  clock: Clock;
  notifier?: Notifier;
  publicUrl: string;
  /** Signs the check-in tokens (the 先锋码 secret, under its own label). */
  secret: string;
}) {
  const repo = deps.meetingsRepository;
  const now = () => deps.clock.now();

  const sign = (id: string) => createHmac('sha256', deps.secret).update(`meeting-checkin:${id}`).digest('base64url').slice(0, 22);
  const tokenOf = (id: string) => `${id}.${sign(id)}`;
  function meetingOfToken(token: string): string | null {
    const [id, sig] = token.split('.');
    if (!id || !sig || !/^[0-9a-f-]{36}$/.test(id)) return null;
    const want = Buffer.from(sign(id));
    const got = Buffer.from(sig);
    return want.length === got.length && timingSafeEqual(want, got) ? id : null;
  }

  async function meetingsView(rows: MeetingWithConvener[], tx: DbOrTx = deps.db): Promise<Meeting[]> {
    const ids = rows.map((r) => r.id);
    const [invites, links, actions, counts] = await Promise.all([
      repo.invites(ids, tx),
      repo.links(ids, tx),
      repo.actionsOf(ids, tx),
      repo.attendanceCounts(ids, tx),
    ]);
    return rows.map((m) =>
      toMeeting(m, {
        invited: invites.filter((i) => i.meetingId === m.id).map((i) => ({ id: i.id, name: i.name })),
        whistles: links
          .filter((l) => l.meetingId === m.id && l.kind === 'whistle')
          .map((l) => ({ id: l.refId, title: l.whistleTitle ?? '' })),
        needIds: links.filter((l) => l.meetingId === m.id && l.kind === 'need').map((l) => l.refId),
        actions: actions.filter((a) => a.meetingId === m.id),
        attendanceCount: counts.get(m.id) ?? 0,
      }),
    );
  }

  async function actionsView(rows: ActionRow[], tx: DbOrTx = deps.db): Promise<Action[]> {
    const ids = rows.map((a) => a.id);
    const orgIds = [...new Set(rows.flatMap((a) => [a.ownerOrgId, ...a.assistOrgIds]))];
    const [milestones, events, orgs, titles] = await Promise.all([
      repo.milestones(ids, tx),
      repo.actionEvents(ids, tx),
      repo.partyOrgs(orgIds, tx),
      repo.meetingTitles([...new Set(rows.map((a) => a.meetingId))], tx),
    ]);
    const orgNames = new Map(orgs.map((o) => [o.id, o.name]));
    const t = now();
    return rows.map((a) =>
      toAction(a, {
        meetingTitle: titles.get(a.meetingId)?.title ?? '',
        orgNames,
        milestones: milestones.filter((m) => m.actionId === a.id),
        events: events.filter((e) => e.actionId === a.id),
        now: t,
      }),
    );
  }

  async function loadMeeting(id: string, tx: DbOrTx = deps.db): Promise<MeetingWithConvener> {
    const m = await repo.findMeeting(id, tx);
    if (!m) throw notFound('会议不存在');
    return m;
  }

  /** Who may see a meeting: its convening side, a city admin, invited orgs' staff, and the staff of units with an action in it. */
  async function maySee(p: Principal, m: MeetingRow): Promise<boolean> {
    if (convenes(p, m) || isCityAdmin(p)) return true;
    const mine = staffOrgsOf(p);
    if (mine.length === 0) return false;
    const [invites, actions] = await Promise.all([repo.invites([m.id]), repo.actionsOf([m.id])]);
    return (
      invites.some((i) => mine.includes(i.id)) ||
      actions.some((a) => mine.includes(a.ownerOrgId) || a.assistOrgIds.some((o) => mine.includes(o)))
    );
  }

  async function detailOf(id: string): Promise<MeetingDetail> {
    const m = await loadMeeting(id);
    const [[meeting], attendance, actionRows] = await Promise.all([meetingsView([m]), repo.attendance(id), repo.actionsOf([id])]);
    return {
      meeting,
      attendance: attendance.map((a) => ({ org: { id: a.orgId, name: a.orgName }, role: a.role as Role, at: a.at.toISOString() })),
      actions: await actionsView(actionRows),
    };
  }

  /** The convening side of a meeting, else 403 (404 when it may not even see it). */
  async function asConvener(p: Principal, id: string): Promise<MeetingWithConvener> {
    const m = await loadMeeting(id);
    if (convenes(p, m)) return m;
    if (await maySee(p, m)) throw forbidden('只有召集方可以进行此操作');
    throw notFound('会议不存在');
  }

  /** Runs one step of a meeting under its row lock. */
  async function meetingStepTx<T>(id: string, run: (tx: DbOrTx, m: MeetingRow, at: Date) => Promise<T>): Promise<T> {
    return transaction(deps.db, async (tx) => {
      const m = await repo.lockMeeting(id, tx);
      if (!m) throw notFound('会议不存在');
      return run(tx, m, now());
    });
  }

  async function actionById(p: Principal, id: string) {
    const a = await repo.findAction(id);
    if (!a) throw notFound('任务不存在');
    const m = await loadMeeting(a.meetingId);
    if (!(await maySee(p, m))) throw notFound('任务不存在');
    return { a, m };
  }

  async function oneAction(id: string): Promise<{ action: Action }> {
    const a = await repo.findAction(id);
    if (!a) throw notFound('任务不存在');
    const [action] = await actionsView([a]);
    return { action };
  }

  /** An action's step under the action's row lock, with its timeline entry. */
  async function actionStepTx(
    id: string,
    step: ActionStep,
    actor: { userId: string; role: Role; orgId: string | null },
    run: (
      tx: DbOrTx,
      a: ActionRow,
      to: ActionRow['status'],
      at: Date,
    ) => Promise<{ progress?: number | null; note: string; milestoneId?: string | null }>,
  ) {
    await transaction(deps.db, async (tx) => {
      const a = await repo.lockAction(id, tx);
      if (!a) throw notFound('任务不存在');
      const to = actionStep(step, a.status);
      const at = now();
      const e = await run(tx, a, to, at);
      await repo.insertActionEvent(
        {
          actionId: id,
          at,
          kind: step,
          progress: e.progress ?? null,
          note: e.note,
          milestoneId: e.milestoneId ?? null,
          actorUserId: actor.userId,
          actorRole: actor.role,
          actorOrgId: actor.orgId,
        },
        tx,
      );
    });
    return oneAction(id);
  }

  /** The owner unit's liaison or admin acting on one of its actions. */
  async function asOwner(p: Principal, id: string) {
    const { a } = await actionById(p, id);
    const grant = p.roles.find((g) => UNIT_ROLES.includes(g.role) && g.orgId === a.ownerOrgId);
    if (!grant) throw forbidden('只有牵头单位可以报告进度');
    return { userId: p.userId, role: grant.role, orgId: a.ownerOrgId };
  }

  async function asActionConvener(p: Principal, id: string) {
    const { m } = await actionById(p, id);
    if (!convenes(p, m)) throw forbidden('只有召集方可以进行此操作');
    const role: Role = m.communityOrgId && isSecretaryOf(p, m.communityOrgId) ? 'secretary' : 'district_admin';
    return { userId: p.userId, role, orgId: role === 'secretary' ? m.communityOrgId : null };
  }

  function checkUnit(orgs: Array<{ id: string; kind: string }>, id: string, path: string) {
    const o = orgs.find((x) => x.id === id);
    if (!o || o.kind !== 'unit') throw invalid(path, 'must be a unit party org id', '所选单位党组织不存在');
  }

  return {
    convenes,

    /** `POST /meetings`: a 板块's admin for the 板块 (or a community of it), a secretary for its community. */
    async create(p: Principal, body: MeetingCreateBody): Promise<{ meeting: Meeting }> {
      const at = now();
      const startsAt = new Date(body.startsAt);
      if (startsAt.getTime() <= at.getTime()) throw invalid('startsAt', 'must be in the future', '会议时间必须晚于当前时间');
      const communities = p.roles.filter((g) => g.role === 'secretary' && g.orgId).map((g) => g.orgId as string);
      const districtIds = p.roles.filter((g) => g.role === 'district_admin' && g.orgId).map((g) => g.orgId as string);
      let convener = body.convenerOrgId;
      if (!convener) {
        const own = [...communities, ...districtIds];
        if (own.length !== 1) throw invalid('convenerOrgId', 'required when the caller holds several scopes', '请选择召集的社区或板块');
        convener = own[0];
      }

      const id = await transaction(deps.db, async (tx) => {
        let districtId: string;
        let communityOrgId: string | null = null;
        if (districtIds.includes(convener) && (await repo.districtExists(convener, tx))) {
          districtId = convener;
        } else {
          const [org] = await repo.partyOrgs([convener], tx);
          const allowed = org && org.kind === 'community' && (communities.includes(org.id) || districtIds.includes(org.districtId));
          if (!allowed) throw forbidden('只能以本社区或本板块的名义召集');
          districtId = org.districtId;
          communityOrgId = org.id;
        }
        const orgs = await repo.partyOrgs(body.invitedOrgIds, tx);
        body.invitedOrgIds.forEach((oid, i) => {
          if (!orgs.some((o) => o.id === oid)) throw invalid(`invitedOrgIds.${i}`, 'not a party org', '所选党组织不存在');
        });
        const whistleIds = body.whistleIds ?? [];
        const found = await repo.whistlesForLink(whistleIds, tx);
        whistleIds.forEach((wid, i) => {
          const w = found.find((x) => x.id === wid);
          const inScope = w && w.districtId === districtId && (!communityOrgId || w.raisedByOrgId === communityOrgId);
          if (!inScope)
            throw invalid(`whistleIds.${i}`, 'not a whistle of the convening community or district', '所选吹哨事项不属于召集的社区或板块');
        });
        const needIds = body.needIds ?? [];
        const needs = await repo.needsForLink(needIds, tx);
        if (needs === null) throw invalid('needIds', 'needs are not available yet', '需求清单尚未开通');
        needIds.forEach((nid, i) => {
          const n = needs.find((x) => x.id === nid);
          const inScope = n && n.districtId === districtId && (!communityOrgId || n.communityOrgId === communityOrgId);
          if (!inScope)
            throw invalid(`needIds.${i}`, 'not a need of the convening community or district', '所选需求不属于召集的社区或板块');
        });

        const meetingId = await repo.insertMeeting(
          {
            kind: body.kind,
            title: body.title,
            startsAt,
            location: body.location,
            agenda: body.agenda.map((a) => ({ title: a.title })),
            districtId,
            communityOrgId,
            convenedBy: p.userId,
            createdAt: at,
          },
          tx,
        );
        await repo.insertInvites(meetingId, body.invitedOrgIds, tx);
        await repo.insertLinks(meetingId, 'whistle', whistleIds, tx);
        await repo.insertLinks(meetingId, 'need', needIds, tx);
        await deps.notifier?.enqueue(tx, {
          kind: 'meeting_update',
          meetingId,
          ref: 'invite',
          action: 'invite',
          orgIds: body.invitedOrgIds,
          roles: [...INVITEE_ROLES],
          actorUserId: p.userId,
        });
        return meetingId;
      });
      const [meeting] = await meetingsView([await loadMeeting(id)]);
      return { meeting };
    },

    async detail(p: Principal, id: string): Promise<MeetingDetail> {
      const m = await loadMeeting(id);
      if (!(await maySee(p, m))) throw notFound('会议不存在');
      return detailOf(id);
    },

    /** The meetings listed: the query's scope if the caller may see it, else the caller's own first scope. */
    async list(p: Principal, q: MeetingListQuery): Promise<MeetingList> {
      let scope = q.scope;
      let scopeId = q.id;
      if (!scope) {
        const g =
          p.roles.find((r) => r.role === 'secretary') ??
          p.roles.find((r) => r.role === 'district_admin') ??
          p.roles.find((r) => r.role === 'unit_liaison' || r.role === 'unit_admin') ??
          p.roles.find((r) => r.role === 'city_admin');
        if (!g) throw forbidden('没有可查看的会议');
        scope = g.role === 'secretary' ? 'community' : g.role === 'district_admin' ? 'district' : g.role === 'city_admin' ? 'city' : 'unit';
        scopeId = g.orgId ?? undefined;
      }
      let s: MeetingScope;
      if (scope === 'city') {
        if (!isCityAdmin(p)) throw forbidden('只有市级管理员可以查看全市会议');
        s = { scope };
      } else {
        if (!scopeId) throw invalid('id', 'required for this scope', '请指定范围 id');
        if (scope === 'district') {
          if (!administersDistrict(p, scopeId)) throw forbidden('无权查看该板块的会议');
        } else {
          const [org] = await repo.partyOrgs([scopeId]);
          if (!org || org.kind !== scope) throw notFound(scope === 'unit' ? '单位党组织不存在' : '社区不存在');
          const own = scope === 'unit' ? unitOrgsOf(p).includes(org.id) : isSecretaryOf(p, org.id);
          if (!own && !administersDistrict(p, org.districtId)) throw forbidden('无权查看该范围的会议');
        }
        s = { scope, id: scopeId };
      }
      const after = q.cursor ? decodeCursor(q.cursor, TimeIdCursorSchema) : undefined;
      const rows = await repo.listMeetings({ scope: s, status: q.status, after, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: await meetingsView(page),
        nextCursor: rows.length > q.limit ? encodeTimeIdCursor(last.startsAt, last.id) : null,
      };
    },

    async checkin(p: Principal, id: string): Promise<MeetingCheckin> {
      const m = await asConvener(p, id);
      if (m.status === 'cancelled')
        throw new AppError('INVALID_TRANSITION', '会议已取消', { details: [{ path: 'status', reason: 'cancelled' }] });
      const token = tokenOf(m.id);
      const url = `${deps.publicUrl}/m/${token}`;
      const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
      return {
        token,
        url,
        qrSvg,
        opensAt: new Date(m.startsAt.getTime() - CHECKIN_OPENS_BEFORE_MS).toISOString(),
        closesAt: new Date(m.startsAt.getTime() + CHECKIN_CLOSES_AFTER_MS).toISOString(),
      };
    },

    /** Records the scanning user once, for the invited org it is staff of. */
    async attend(p: Principal, id: string, token: string): Promise<{ created: boolean; attendance: Attendance; meeting: Meeting }> {
      if (meetingOfToken(token) !== id) throw new AppError('CODE_INVALID', '签到码无效');
      const { created, row } = await meetingStepTx(id, async (tx, m, at) => {
        if (m.status === 'cancelled')
          throw new AppError('INVALID_TRANSITION', '会议已取消', { details: [{ path: 'status', reason: 'cancelled' }] });
        if (at.getTime() < m.startsAt.getTime() - CHECKIN_OPENS_BEFORE_MS) throw new AppError('CHECK_IN_NOT_OPEN', '会前 1 小时开始签到');
        if (at.getTime() > m.startsAt.getTime() + CHECKIN_CLOSES_AFTER_MS) throw new AppError('CODE_EXPIRED', '签到已结束');
        const invited = (await repo.invites([id], tx)).map((i) => i.id);
        const grants = await repo.staffGrants(p.userId, invited, tx);
        if (grants.length === 0) throw forbidden('您所在的单位未受邀参加此会议');
        const g = grants.find((x) => x.role !== 'secretary') ?? grants[0];
        const fresh = await repo.insertAttendance({ meetingId: id, userId: p.userId, orgId: g.orgId!, role: g.role, at }, tx);
        const row = (await repo.findAttendance(id, p.userId, tx))!;
        if (fresh) {
          const count = (await repo.attendanceCounts([id], tx)).get(id) ?? 1;
          const attendance = { org: { id: row.orgId, name: row.orgName }, role: row.role as Role, at: row.at.toISOString() };
          await repo.notifyAttendance({ type: 'attendance', meetingId: id, attendance, count }, tx);
        }
        return { created: fresh, row };
      });
      const [meeting] = await meetingsView([await loadMeeting(id)]);
      return {
        created,
        attendance: { org: { id: row.orgId, name: row.orgName }, role: row.role as Role, at: row.at.toISOString() },
        meeting,
      };
    },

    /** Whether the user may hear a meeting's attendance as it comes (who may read its detail). */
    async mayWatch(p: Principal, id: string): Promise<boolean> {
      const m = await repo.findMeeting(id);
      return m !== null && (await maySee(p, m));
    },

    async close(p: Principal, id: string, body: MeetingCloseBody): Promise<{ meeting: Meeting }> {
      await asConvener(p, id);
      await meetingStepTx(id, async (tx, m, at) => {
        const to = meetingStep('close', m.status);
        if (at.getTime() < m.startsAt.getTime()) {
          throw new AppError('CONFLICT', '会议尚未开始', { details: [{ path: 'startsAt', reason: 'not_started' }] });
        }
        const handled = body.handled ?? [];
        if (handled.length && m.kind !== 'door_service')
          throw invalid('handled', 'only for a door_service day', '只有上门服务日可以填写解决问题数');
        await repo.updateMeeting(
          id,
          {
            status: to,
            closedAt: at,
            minutes: body.minutes,
            decisions: body.decisions,
            handled,
            handledTotal: handled.reduce((s, h) => s + h.count, 0),
          },
          tx,
        );
      });
      const [meeting] = await meetingsView([await loadMeeting(id)]);
      return { meeting };
    },

    async cancel(p: Principal, id: string): Promise<{ meeting: Meeting }> {
      await asConvener(p, id);
      await meetingStepTx(id, async (tx, m, at) => {
        await repo.updateMeeting(id, { status: meetingStep('cancel', m.status), cancelledAt: at }, tx);
        const invited = (await repo.invites([id], tx)).map((i) => i.id);
        await deps.notifier?.enqueue(tx, {
          kind: 'meeting_update',
          meetingId: id,
          ref: 'cancel',
          action: 'cancel',
          orgIds: invited,
          roles: [...INVITEE_ROLES],
          actorUserId: p.userId,
        });
      });
      const [meeting] = await meetingsView([await loadMeeting(id)]);
      return { meeting };
    },

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

    /** What a whistle's (or need's) detail shows: the meetings about it, with their actions. */
    async linkedTo(kind: 'whistle' | 'need', refId: string): Promise<LinkedMeeting[]> {
      const links = await repo.meetingsLinkedTo(kind, [refId]);
      if (links.length === 0) return [];
      const rows = await repo.listMeetings({ scope: { scope: 'city' }, ids: links.map((l) => l.meetingId), limit: 50 });
      const [views, actionRows] = await Promise.all([meetingsView(rows), repo.actionsOf(rows.map((r) => r.id))]);
      const actions = await actionsView(actionRows);
      return views.map((meeting) => ({ meeting, actions: actions.filter((a) => a.meetingId === meeting.id) }));
    },

    async figures(s: MeetingScope): Promise<MeetingStats> {
      const r = await (deps.figuresRepository ?? repo).figures(s, now());
      return { held: r.held, actions: r.actions, actionsOnTime: r.onTime, actionsOverdue: r.overdue, handled: r.handled };
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

    /** For the `/m/<token>` link: the meeting a token names, or null. */
    meetingOfToken,
  };
}

export type MeetingsService = ReturnType<typeof meetingsServiceFactory>;
