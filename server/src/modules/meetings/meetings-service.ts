import QRCode from 'qrcode';
import type {
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
  NeedMeeting,
  Role,
} from '@pioneer/shared';
import { transaction } from '../../db/transaction';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import { administersDistrict, isCityAdmin, isSecretaryOf } from '../../lib/scope';
import type { Principal } from '../../lib/principal';
import { actionsService } from './actions-service';
import { convenes, INVITEE_ROLES, meetingAccess, unitOrgsOf, type MeetingsDeps } from './meeting-access';
import { meanProgress } from './meeting-mappers';
import { CHECKIN_CLOSES_AFTER_MS, CHECKIN_OPENS_BEFORE_MS, meetingStep } from './meeting-transitions';
import type { MeetingScope } from './meetings-repository';

/**
 * 共商共办 meetings, from convening to attendance and minutes; their action items (督办) are
 * `actions-service.ts`, and both share `meeting-access.ts`.
 */
export function meetingsServiceFactory(deps: MeetingsDeps) {
  const access = meetingAccess(deps);
  const {
    repo,
    now,
    tokenOf,
    meetingOfToken,
    meetingsView,
    actionsView,
    loadMeeting,
    maySee,
    seesGiven,
    detailOf,
    asConvener,
    meetingStepTx,
  } = access;

  return {
    convenes,
    ...actionsService(deps, access),

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

    /** What a whistle's (or need's) detail shows: the meetings about it, with their actions. */
    async linkedTo(kind: 'whistle' | 'need', refId: string): Promise<LinkedMeeting[]> {
      const links = await repo.meetingsLinkedTo(kind, [refId]);
      if (links.length === 0) return [];
      const rows = await repo.listMeetings({ scope: { scope: 'city' }, ids: links.map((l) => l.meetingId), limit: 50 });
      const [views, actionRows] = await Promise.all([meetingsView(rows), repo.actionsOf(rows.map((r) => r.id))]);
      const actions = await actionsView(actionRows);
      return views.map((meeting) => ({ meeting, actions: actions.filter((a) => a.meetingId === meeting.id) }));
    },

    /**
     * The needs board's view: per linked id, its meetings (oldest first) and whether `p` may open
     * each. One read of the meetings, their invites and their actions for the whole list.
     */
    async briefsLinkedTo(p: Principal, kind: 'whistle' | 'need', refIds: string[]): Promise<Map<string, NeedMeeting[]>> {
      const out = new Map<string, NeedMeeting[]>();
      const links = await repo.meetingsLinkedTo(kind, refIds);
      if (links.length === 0) return out;
      const ids = [...new Set(links.map((l) => l.meetingId))];
      const [rows, invites, actions] = await Promise.all([
        repo.listMeetings({ scope: { scope: 'city' }, ids, limit: ids.length }),
        repo.invites(ids),
        repo.actionsOf(ids),
      ]);
      const byId = new Map(
        rows.map((m) => {
          const own = actions.filter((a) => a.meetingId === m.id);
          const brief: NeedMeeting = {
            id: m.id,
            kind: m.kind,
            title: m.title,
            status: m.status,
            startsAt: m.startsAt.toISOString(),
            progress: meanProgress(own),
            actionCount: own.length,
            readable: seesGiven(p, m, invites, actions),
          };
          return [m.id, brief];
        }),
      );
      for (const l of links) {
        const brief = byId.get(l.meetingId);
        if (brief) out.set(l.refId, [...(out.get(l.refId) ?? []), brief]);
      }
      for (const list of out.values()) list.sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id));
      return out;
    },

    async figures(s: MeetingScope): Promise<MeetingStats> {
      const r = await (deps.figuresRepository ?? repo).figures(s, now());
      return { held: r.held, actions: r.actions, actionsOnTime: r.onTime, actionsOverdue: r.overdue, handled: r.handled };
    },

    /** For the `/m/<token>` link: the meeting a token names, or null. */
    meetingOfToken,
  };
}

export type MeetingsService = ReturnType<typeof meetingsServiceFactory>;
