import type { Db, DbOrTx } from '../../db/client';
import { meetingsRepositoryFactory } from './meetings-repository';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface MeetingSeedContext {
  now: Date;
  districtId: string;
  community: { id: string };
  secretaryId: string;
  unitId: (name: string) => string;
  /** Staff who scanned in at the held meetings. */
  attendees: Array<{ userId: string; orgId: string; role: 'unit_admin' | 'unit_liaison' }>;
}

interface SeedAction {
  title: string;
  owner: string;
  assists?: string[];
  /** Due time relative to now. */
  dueInHours: number;
  status: 'open' | 'in_progress' | 'done' | 'confirmed';
  progress: number;
  milestones?: Array<{ title: string; dueInHours: number; done: boolean }>;
  notes?: string[];
}

/**
 * The demo's 共商共办: a held 协调会 on the 世茂商圈 parking whistle with actions in every state (one
 * overdue and not yet escalated, so the first escalation run has something to do), a 上门服务日
 * with its questions handled (about the 社区义诊进楼栋 need, so the needs board shows it: seed the
 * units first), a scheduled meeting and a cancelled one. Written only through the
 * meetings repository (it owns these tables); called from the demo seed's transaction.
 */
export async function seedDemoMeetings(db: Db, tx: DbOrTx, c: MeetingSeedContext): Promise<void> {
  const repo = meetingsRepositoryFactory(db);
  const at = (h: number) => new Date(c.now.getTime() + h * HOUR);
  const parking = await repo.whistleIdByTitle(c.community.id, '世茂商圈周边交通拥堵、停车难', tx);
  const school = await repo.whistleIdByTitle(c.community.id, '学校周边上下学交通秩序', tx);
  const clinic = await repo.needIdByTitle(c.community.id, '社区义诊进楼栋', tx);
  const units = ['市住建局', '市城管局', '市公安局'].map(c.unitId);

  async function meeting(m: {
    kind: 'coordination' | 'door_service';
    title: string;
    startsInHours: number;
    location: string;
    agenda: string[];
    invited: string[];
    whistleIds: string[];
    needIds?: string[];
    status: 'scheduled' | 'held' | 'cancelled';
    minutes?: string;
    decisions?: string[];
    handled?: Array<{ category: string; count: number }>;
    actions?: SeedAction[];
  }) {
    const startsAt = at(m.startsInHours);
    const id = await repo.insertMeeting(
      {
        kind: m.kind,
        title: m.title,
        startsAt,
        location: m.location,
        agenda: m.agenda.map((title) => ({ title })),
        status: m.status,
        districtId: c.districtId,
        communityOrgId: c.community.id,
        convenedBy: c.secretaryId,
        createdAt: new Date(startsAt.getTime() - 2 * DAY),
        closedAt: m.status === 'held' ? new Date(startsAt.getTime() + 2 * HOUR) : null,
        cancelledAt: m.status === 'cancelled' ? new Date(startsAt.getTime() - DAY) : null,
        minutes: m.minutes ?? null,
        decisions: m.decisions ?? [],
        handled: m.handled ?? [],
        handledTotal: (m.handled ?? []).reduce((s, h) => s + h.count, 0),
      },
      tx,
    );
    await repo.insertInvites(id, m.invited, tx);
    await repo.insertLinks(id, 'whistle', m.whistleIds, tx);
    await repo.insertLinks(id, 'need', m.needIds ?? [], tx);
    if (m.status === 'held') {
      for (const [i, a] of c.attendees.filter((x) => m.invited.includes(x.orgId)).entries()) {
        await repo.insertAttendance(
          { meetingId: id, userId: a.userId, orgId: a.orgId, role: a.role, at: new Date(startsAt.getTime() - (20 - i) * 60_000) },
          tx,
        );
      }
    }
    for (const a of m.actions ?? []) {
      const createdAt = new Date(startsAt.getTime() + 2 * HOUR);
      const done = a.status === 'done' || a.status === 'confirmed';
      const actionId = await repo.insertAction(
        {
          meetingId: id,
          title: a.title,
          ownerOrgId: c.unitId(a.owner),
          assistOrgIds: (a.assists ?? []).map(c.unitId),
          dueAt: at(a.dueInHours),
          status: a.status,
          progress: a.progress,
          createdAt,
          doneAt: done ? at(Math.min(a.dueInHours, 0) - 6) : null,
          confirmedAt: a.status === 'confirmed' ? at(Math.min(a.dueInHours, 0) - 2) : null,
        },
        tx,
      );
      await repo.insertMilestones(
        (a.milestones ?? []).map((ms, i) => ({
          actionId,
          position: i,
          title: ms.title,
          dueAt: at(ms.dueInHours),
          doneAt: ms.done ? at(ms.dueInHours - 12) : null,
        })),
        tx,
      );
      await repo.insertActionEvent(
        {
          actionId,
          at: createdAt,
          kind: 'create',
          progress: 0,
          actorUserId: c.secretaryId,
          actorRole: 'secretary',
          actorOrgId: c.community.id,
        },
        tx,
      );
      for (const [i, note] of (a.notes ?? []).entries()) {
        const step = Math.round((Math.min(a.progress, 90) * (i + 1)) / a.notes!.length);
        await repo.insertActionEvent(
          {
            actionId,
            at: new Date(createdAt.getTime() + (i + 1) * DAY),
            kind: 'progress',
            progress: Math.min(step, 100),
            note,
            actorRole: 'unit_liaison',
            actorOrgId: c.unitId(a.owner),
          },
          tx,
        );
      }
      if (done) {
        await repo.insertActionEvent(
          {
            actionId,
            at: at(Math.min(a.dueInHours, 0) - 6),
            kind: 'done',
            progress: 100,
            note: '已按期完成',
            actorRole: 'unit_liaison',
            actorOrgId: c.unitId(a.owner),
          },
          tx,
        );
      }
      if (a.status === 'confirmed') {
        await repo.insertActionEvent(
          {
            actionId,
            at: at(Math.min(a.dueInHours, 0) - 2),
            kind: 'confirm',
            note: '现场核验通过',
            actorUserId: c.secretaryId,
            actorRole: 'secretary',
            actorOrgId: c.community.id,
          },
          tx,
        );
      }
    }
  }

  await meeting({
    kind: 'coordination',
    title: '世茂商圈停车难现场协调会',
    startsInHours: -3 * 24,
    location: '世茂商圈管理处会议室',
    agenda: ['通报商圈周边停车和拥堵情况', '住建、城管、公安分别说明办理意见', '明确责任分工和时序进度'],
    invited: units,
    whistleIds: parking ? [parking] : [],
    status: 'held',
    minutes: '三部门现场踏勘后议定：挖潜夜间共享车位，错峰开放周边单位停车场，节假日增派警力疏导。',
    decisions: ['住建局牵头挖潜夜间共享停车位', '城管局负责违停劝导和占道整治', '公安局节假日交通疏导'],
    actions: [
      {
        title: '挖潜夜间共享停车位 300 个',
        owner: '市住建局',
        assists: ['市城管局'],
        dueInHours: 7 * 24,
        status: 'in_progress',
        progress: 60,
        milestones: [
          { title: '完成周边单位车位摸排', dueInHours: -24, done: true },
          { title: '签订共享协议', dueInHours: 4 * 24, done: false },
        ],
        notes: ['已摸排周边 12 家单位', '已与 7 家单位达成共享意向'],
      },
      { title: '商圈周边违停劝导', owner: '市城管局', dueInHours: -12, status: 'done', progress: 100, notes: ['每日早晚高峰安排劝导'] },
      { title: '节假日交通疏导方案', owner: '市公安局', dueInHours: -6, status: 'open', progress: 0 },
    ],
  });

  await meeting({
    kind: 'door_service',
    title: '红色代办员组团上门服务日',
    startsInHours: -7 * 24,
    location: '清和坊社区各小区',
    agenda: ['走访独居老人和困难家庭', '现场受理咨询和求助'],
    invited: units,
    whistleIds: [],
    needIds: clinic ? [clinic] : [],
    status: 'held',
    minutes: '组团走访 86 户，现场解决各类咨询和问题 38 个，其余转交相关部门跟进。',
    decisions: ['独居老人每周电话探访', '楼道照明维修转住建局跟进'],
    handled: [
      { category: 'consult', count: 17 },
      { category: 'repair', count: 9 },
      { category: 'welfare', count: 6 },
      { category: 'dispute', count: 3 },
      { category: 'health', count: 3 },
    ],
    actions: [
      { title: '楼道照明维修', owner: '市住建局', dueInHours: -2 * 24, status: 'confirmed', progress: 100, notes: ['已更换 14 处灯具'] },
    ],
  });

  await meeting({
    kind: 'coordination',
    title: '学校周边上下学交通秩序协调会',
    startsInHours: 2 * 24,
    location: '清和坊社区党群服务中心',
    agenda: ['通报放学时段交通情况', '研究接送车辆临时停靠方案'],
    invited: [c.unitId('市公安局'), c.unitId('市教育局')],
    whistleIds: school ? [school] : [],
    status: 'scheduled',
  });

  await meeting({
    kind: 'door_service',
    title: '周末法律咨询进小区',
    startsInHours: 24,
    location: '书院新村广场',
    agenda: ['法律咨询', '矛盾调解'],
    invited: [c.unitId('市民政局')],
    whistleIds: [],
    status: 'cancelled',
  });
}
