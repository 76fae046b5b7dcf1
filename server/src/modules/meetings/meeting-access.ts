import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Action, Meeting, MeetingDetail, Role } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { readAll, transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { forbidden, invalid, notFound } from '../../lib/errors';
import { isCityAdmin, isSecretaryOf } from '../../lib/scope';
import type { Principal } from '../../lib/principal';
import type { Notifier } from '../notifications';
import { toAction, toMeeting } from './meeting-mappers';
import { actionStep, type ActionStep } from './meeting-transitions';
import type { ActionRow, MeetingRow, MeetingsRepository, MeetingWithConvener } from './meetings-repository';

export const UNIT_ROLES: Role[] = ['unit_liaison', 'unit_admin'];
export const INVITEE_ROLES = ['unit_liaison', 'unit_admin', 'secretary'] as const;

export const unitOrgsOf = (p: Principal) => p.roles.filter((g) => UNIT_ROLES.includes(g.role) && g.orgId).map((g) => g.orgId as string);
const staffOrgsOf = (p: Principal) =>
  p.roles.filter((g) => (UNIT_ROLES.includes(g.role) || g.role === 'secretary') && g.orgId).map((g) => g.orgId as string);

/** The convening side: the convening community's secretary, or an admin of the meeting's 板块. */
export const convenes = (p: Principal, m: Pick<MeetingRow, 'districtId' | 'communityOrgId'>) =>
  p.roles.some((g) => g.role === 'district_admin' && g.orgId === m.districtId) ||
  (m.communityOrgId !== null && isSecretaryOf(p, m.communityOrgId));

export interface MeetingsDeps {
  db: Db;
  meetingsRepository: MeetingsRepository;
  /** Where the figures are read (statistics read from a replica when there is one). */
  figuresRepository?: Pick<MeetingsRepository, 'figures'>;
  clock: Clock;
  notifier?: Notifier;
  publicUrl: string;
  /** Signs the check-in tokens (the 先锋码 secret, under its own label). */
  secret: string;
}

/**
 * What every step of 共商共办 shares: who may see or act on a meeting or an action, the views the
 * routes answer with, the row-locked step transactions, and the check-in token.
 */
export function meetingAccess(deps: MeetingsDeps) {
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
    const [invites, links, actions, counts] = await readAll(tx, [
      () => repo.invites(ids, tx),
      () => repo.links(ids, tx),
      () => repo.actionsOf(ids, tx),
      () => repo.attendanceCounts(ids, tx),
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
    const [milestones, events, orgs, titles] = await readAll(tx, [
      () => repo.milestones(ids, tx),
      () => repo.actionEvents(ids, tx),
      () => repo.partyOrgs(orgIds, tx),
      () => repo.meetingTitles([...new Set(rows.map((a) => a.meetingId))], tx),
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

  /**
   * Who may see a meeting: its convening side, a city admin, invited orgs' staff, and the staff of
   * units with an action in it. `invites` and `actions` may hold other meetings' too (read once
   * for a list).
   */
  function seesGiven(
    p: Principal,
    m: MeetingRow,
    invites: Array<{ meetingId: string; id: string }>,
    actions: Array<Pick<ActionRow, 'meetingId' | 'ownerOrgId' | 'assistOrgIds'>>,
  ): boolean {
    if (convenes(p, m) || isCityAdmin(p)) return true;
    const mine = staffOrgsOf(p);
    return (
      invites.some((i) => i.meetingId === m.id && mine.includes(i.id)) ||
      actions.some((a) => a.meetingId === m.id && (mine.includes(a.ownerOrgId) || a.assistOrgIds.some((o) => mine.includes(o))))
    );
  }

  async function maySee(p: Principal, m: MeetingRow): Promise<boolean> {
    if (convenes(p, m) || isCityAdmin(p)) return true;
    if (staffOrgsOf(p).length === 0) return false;
    const [invites, actions] = await Promise.all([repo.invites([m.id]), repo.actionsOf([m.id])]);
    return seesGiven(p, m, invites, actions);
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
    actionById,
    oneAction,
    actionStepTx,
    asOwner,
    asActionConvener,
    checkUnit,
  };
}

export type MeetingAccess = ReturnType<typeof meetingAccess>;
