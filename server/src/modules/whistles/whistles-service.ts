import type {
  AddressedTo,
  LinkedMeeting,
  Role,
  WhistleAnswerBody,
  WhistleCreateBody,
  WhistleDetail,
  WhistleExtendBody,
  WhistleList,
  WhistleListQuery,
  WhistleRateBody,
  WhistleReopenBody,
} from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { readAll, transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import type { Notifier } from '../notifications';
import { AppError, invalid, notFound } from '../../lib/errors';
import { isUniqueViolation } from '../../lib/pg-errors';
import { toAssignment, toEvent, toWhistle, toWhistleTask } from './whistle-mappers';
import {
  assignmentStep,
  extensionStep,
  reopenAllowed,
  whistleStep,
  type AssignmentAction,
  type ExtensionAction,
} from './whistle-transitions';
import type { TasksWhistleLinkPort } from '../tasks/tasks-port';
import type { AssignmentRow, WhistleRow, WhistlesRepository } from './whistles-repository';

/** What the notifications module (issue 13) hears after each committed step. */
export interface WhistleEventNotice {
  whistleId: string;
  action: string;
  /** The addressed unit the step was about, if any. */
  orgId: string | null;
  at: Date;
}

/** Who acts and in which role and org, as the route's guard decided (orgId null: a city admin). */
export interface Acting {
  userId: string;
  role: Role;
  orgId: string | null;
}

interface Actor extends Acting {
  orgName: string | null;
}

/**
 * Who may take a step, decided by the route's guard from the whistle as the step's transaction
 * locked it (NOT_FOUND or FORBIDDEN otherwise): the guard, the step and the answer see one read.
 */
export type Decide = (w: WhistleRow, assignments: AssignmentRow[]) => Acting;

/** The whistles a list covers, as the route's guard allowed. */
export type ListScope = { scope: 'city' } | { scope: 'district' | 'community' | 'unit'; id: string };

const UNIT_ROLES: Role[] = ['unit_liaison', 'unit_admin'];

/** A unit's steps the raiser waits on: its secretaries (or 板块 admins) are told of these too. */
const RAISER_HEARS = new Set(['answer', 'return', 'extend']);

/**
 * The whistle and its steps. Over 400 lines because every step runs in one frame (`step`: the
 * row lock, the event log, the notifications, the detail after), and the steps are short
 * bodies of that frame: split, each part would need the whole frame.
 */
export function whistlesServiceFactory(deps: {
  db: Db;
  whistlesRepository: WhistlesRepository;
  /** The posts answering a whistle are the tasks module's rows. */
  tasksRepository: TasksWhistleLinkPort;
  clock: Clock;
  onEvent?: (e: WhistleEventNotice) => void;
  /**
   * Every step tells the addressed units' liaisons and admins, and a unit's answer, return or
   * extension request also the raising side, in the step's own transaction.
   */
  notifier?: Notifier;
  /** 共商共办: the meetings convened about a whistle, with their actions (modules/meetings). */
  linkedMeetings?: (whistleId: string) => Promise<LinkedMeeting[]>;
}) {
  const repo = deps.whistlesRepository;
  const now = () => deps.clock.now();

  async function detail(id: string, tx: DbOrTx = deps.db): Promise<WhistleDetail> {
    const w = await repo.find(id, tx);
    if (!w) throw notFound('吹哨事项不存在');
    const t = now();
    const [assignments, extensions, events, posts, meetings] = await readAll(tx, [
      () => repo.assignments([id], tx),
      () => repo.extensions(id, tx),
      () => repo.events(id, tx),
      () => repo.tasks(id, tx),
      () => (deps.linkedMeetings ? deps.linkedMeetings(id) : Promise.resolve(undefined)),
    ]);
    return {
      whistle: toWhistle(w, assignments, t),
      assignments: assignments.map((a) => toAssignment(a, t, a.answerTaskIds, extensions)),
      events: events.map(toEvent),
      tasks: posts.map((p) => toWhistleTask(p, t)),
      ...(meetings ? { meetings } : {}),
    };
  }

  /** Names the org the actor acts for, for the event log. */
  async function named(acting: Acting, tx: DbOrTx): Promise<Actor> {
    if (acting.role === 'secretary' && acting.orgId) {
      const [org] = await repo.partyOrgs([acting.orgId], tx);
      return { ...acting, orgName: org?.name ?? null };
    }
    if (acting.role === 'district_admin' && acting.orgId) return { ...acting, orgName: await repo.districtName(acting.orgId, tx) };
    return { ...acting, orgName: null };
  }

  async function event(
    tx: DbOrTx,
    whistleId: string,
    action: string,
    actor: Actor,
    orgId: string | null,
    data: Record<string, unknown>,
    at: Date,
  ) {
    await repo.insertEvent(
      {
        whistleId,
        at,
        action,
        orgId,
        actorUserId: actor.userId,
        actorRole: actor.role,
        actorOrgId: actor.orgId,
        actorOrgName: actor.orgName,
        data,
      },
      tx,
    );
    const said = data as { text?: string; reason?: string; note?: string; until?: string };
    await deps.notifier?.enqueue(tx, {
      kind: 'whistle_update',
      whistleId,
      orgIds: orgId ? [orgId] : [],
      ref: `${action}:${orgId ?? 'all'}:${at.getTime()}`,
      action,
      actorUserId: actor.userId,
      raiser: RAISER_HEARS.has(action),
      orgName: actor.role && UNIT_ROLES.includes(actor.role) ? actor.orgName : null,
      note: said.text ?? said.reason ?? said.note ?? null,
      until: action === 'extend' || action === 'approve' ? (said.until ?? null) : null,
    });
    return { whistleId, action, orgId, at } satisfies WhistleEventNotice;
  }

  /**
   * Runs one step under the whistle's row lock: the guard decides on the locked whistle, the step
   * runs, and the answer is read in the same transaction. Nothing is read after the commit, so a
   * step that committed always answers with what it did (never 503 after the fact). Listeners are
   * told only after the commit.
   */
  async function step(
    id: string,
    decide: Decide,
    run: (tx: DbOrTx, w: WhistleRow, assignments: AssignmentRow[], at: Date, acting: Acting) => Promise<WhistleEventNotice[]>,
  ): Promise<WhistleDetail> {
    const { notices, answer } = await transaction(deps.db, async (tx) => {
      const w = await repo.lock(id, tx);
      if (!w) throw notFound('吹哨事项不存在');
      const assignments = await repo.assignments([id], tx);
      const acting = decide(w, assignments);
      const notices = await run(tx, w, assignments, now(), acting);
      return { notices, answer: await detail(id, tx) };
    });
    for (const n of notices) deps.onEvent?.(n);
    return answer;
  }

  /** Every addressed org must be a unit party org. */
  async function checkUnits(list: AddressedTo, tx: DbOrTx) {
    const orgs = await repo.partyOrgs(
      list.map((a) => a.orgId),
      tx,
    );
    list.forEach((a, i) => {
      const org = orgs.find((o) => o.id === a.orgId);
      if (!org || org.kind !== 'unit') throw invalid(`addressedTo.${i}.orgId`, 'must be a unit party org id', '所选单位党组织不存在');
    });
  }

  async function raiseIn(tx: DbOrTx, raising: Acting, body: WhistleCreateBody): Promise<{ id: string; announce: () => void }> {
    const at = now();
    if (Date.parse(body.dueAt) <= at.getTime()) throw invalid('dueAt', 'must be in the future', '办理时限必须晚于当前时间');
    let raisedByOrgId: string | null = null;
    let districtId = raising.orgId!;
    let actor: Actor;
    if (raising.role === 'secretary') {
      const [org] = await repo.partyOrgs([raising.orgId!], tx);
      if (!org) throw notFound('社区不存在');
      raisedByOrgId = org.id;
      districtId = org.districtId;
      actor = { ...raising, orgName: org.name };
    } else {
      actor = await named(raising, tx);
    }
    await checkUnits(body.addressedTo, tx);
    const whistleId = await repo.insert(
      {
        title: body.title,
        description: body.description,
        category: body.category,
        location: body.location,
        dueAt: new Date(body.dueAt),
        raisedByOrgId,
        raisedByDistrictId: districtId,
        createdBy: raising.userId,
        createdAt: at,
      },
      tx,
    );
    await repo.insertAssignments(
      body.addressedTo.map((a) => ({ whistleId, orgId: a.orgId, part: a.part, dueAt: new Date(body.dueAt), assignedAt: at })),
      tx,
    );
    await event(tx, whistleId, 'raise', actor, null, { addressedTo: body.addressedTo }, at);
    return {
      id: whistleId,
      announce: () => {
        for (const a of body.addressedTo) deps.onEvent?.({ whistleId, action: 'raise', orgId: a.orgId, at });
      },
    };
  }

  async function assignmentStepFor(
    decide: Decide,
    id: string,
    orgId: string,
    action: AssignmentAction,
    body: (ctx: {
      tx: DbOrTx;
      w: WhistleRow;
      a: AssignmentRow;
      at: Date;
      actor: Actor;
      to: AssignmentRow['status'];
    }) => Promise<WhistleEventNotice[]>,
  ) {
    return step(id, decide, async (tx, w, assignments, at, acting) => {
      const a = assignments.find((x) => x.orgId === orgId);
      if (!a) throw notFound('该单位未被吹哨');
      const to = assignmentStep(action, a.status, w.status);
      return body({ tx, w, a, at, actor: { ...acting, orgName: a.orgName }, to });
    });
  }

  async function raiserStep(
    decide: Decide,
    id: string,
    run: (tx: DbOrTx, w: WhistleRow, assignments: AssignmentRow[], at: Date, actor: Actor) => Promise<WhistleEventNotice[]>,
  ) {
    return step(id, decide, async (tx, w, assignments, at, acting) => run(tx, w, assignments, at, await named(acting, tx)));
  }

  async function extensionDecision(decide: Decide, id: string, extId: string, action: ExtensionAction, note?: string) {
    return raiserStep(decide, id, async (tx, w, assignments, at, actor) => {
      const ext = await repo.findExtension(id, extId, tx);
      if (!ext) throw notFound('延期申请不存在');
      const to = extensionStep(action, ext.status, w.status);
      const a = assignments.find((x) => x.id === ext.assignmentId)!;
      await repo.updateExtension(ext.id, { status: to, decidedAt: at, decidedBy: actor.userId }, tx);
      if (to === 'approved') await repo.updateAssignment(a.id, { dueAt: ext.until }, tx);
      return [
        await event(tx, id, action, actor, a.orgId, { extensionId: ext.id, until: ext.until.toISOString(), ...(note ? { note } : {}) }, at),
      ];
    });
  }

  return {
    detail,

    /** Whistles are loaded for the routes' guards; NOT_FOUND when there is none. */
    async load(id: string): Promise<{ whistle: WhistleRow; assignments: AssignmentRow[] }> {
      const whistle = await repo.find(id);
      if (!whistle) throw notFound('吹哨事项不存在');
      return { whistle, assignments: await repo.assignments([id]) };
    },

    async partyOrg(id: string) {
      const [org] = await repo.partyOrgs([id]);
      return org ?? null;
    },

    /** Raised by the community or 板块 the route's guard chose (`raising`). */
    async create(raising: Acting, body: WhistleCreateBody): Promise<WhistleDetail> {
      const { answer, announce } = await transaction(deps.db, async (tx) => {
        const raised = await raiseIn(tx, raising, body);
        return { ...raised, answer: await detail(raised.id, tx) };
      });
      announce();
      return answer;
    },

    /**
     * A whistle raised inside the caller's transaction (居民点单 转为吹哨 raises it with the triage):
     * `announce` tells the units once that transaction has committed.
     */
    raiseIn,

    async list(listed: ListScope, q: WhistleListQuery): Promise<WhistleList> {
      const filter: Parameters<WhistlesRepository['list']>[0] = {
        limit: q.limit + 1,
        status: q.status,
        assignmentStatus: q.assignmentStatus,
      };
      if (listed.scope === 'district') filter.districtId = listed.id;
      else if (listed.scope === 'community') filter.raisedByOrgId = listed.id;
      else if (listed.scope === 'unit') filter.unitOrgId = listed.id;
      if (q.assignmentStatus && listed.scope !== 'unit') throw invalid('assignmentStatus', 'only with scope=unit');
      const at = now();
      if (q.overdue) filter.overdueAt = at;
      if (q.cursor) filter.after = decodeCursor(q.cursor, TimeIdCursorSchema);
      const rows = await repo.list(filter);
      const page = rows.slice(0, q.limit);
      const assignments = await repo.assignments(page.map((w) => w.id));
      return {
        items: page.map((w) => toWhistle(w, assignments, at)),
        nextCursor: rows.length > q.limit ? encodeTimeIdCursor(page[page.length - 1].createdAt, page[page.length - 1].id) : null,
      };
    },

    sign(decide: Decide, id: string, orgId: string) {
      return assignmentStepFor(decide, id, orgId, 'sign', async ({ tx, a, at, actor, to }) => {
        await repo.updateAssignment(a.id, { status: to, signedAt: at }, tx);
        return [await event(tx, id, 'sign', actor, a.orgId, {}, at)];
      });
    },

    answer(decide: Decide, id: string, orgId: string, body: WhistleAnswerBody) {
      return assignmentStepFor(decide, id, orgId, 'answer', async ({ tx, w, a, at, actor, to }) => {
        const taskIds = [...new Set(body.taskIds ?? [])];
        const posts = await deps.tasksRepository.lockForWhistleLink(taskIds, tx);
        taskIds.forEach((tid, i) => {
          const post = posts.find((x) => x.id === tid);
          // A post answers a whistle of its own community, or of its 板块.
          const inScope = post && (w.raisedByOrgId ? post.communityOrgId === w.raisedByOrgId : post.districtId === w.raisedByDistrictId);
          if (!post || !inScope)
            throw invalid(`taskIds.${i}`, 'not a post of the raising community or district', '所选岗位不属于吹哨的社区或板块');
          if (post.whistleId && post.whistleId !== id) throw invalid(`taskIds.${i}`, 'answers another whistle', '该岗位已关联其他吹哨事项');
        });
        await deps.tasksRepository.linkToWhistle(id, taskIds, tx);
        await repo.updateAssignment(a.id, { status: to, answeredAt: at, answerText: body.text, answerTaskIds: taskIds }, tx);
        const notices = [await event(tx, id, 'answer', actor, a.orgId, { text: body.text, taskIds }, at)];
        if (a.part === 'lead' && w.status === 'open') {
          await repo.update(id, { status: whistleStep('lead_answered', w.status), answeredAt: at }, tx);
        }
        return notices;
      });
    },

    returnIt(decide: Decide, id: string, orgId: string, reason: string) {
      return assignmentStepFor(decide, id, orgId, 'return', async ({ tx, a, at, actor, to }) => {
        await repo.updateAssignment(a.id, { status: to, returnedAt: at, returnReason: reason }, tx);
        return [await event(tx, id, 'return', actor, a.orgId, { reason }, at)];
      });
    },

    extend(decide: Decide, id: string, orgId: string, body: WhistleExtendBody) {
      return assignmentStepFor(decide, id, orgId, 'extend', async ({ tx, a, at, actor }) => {
        const until = new Date(body.until);
        if (until.getTime() <= Math.max(a.dueAt.getTime(), at.getTime())) {
          throw invalid('until', 'must be later than the current due time', '延期时间必须晚于当前办理时限');
        }
        let extensionId: string;
        try {
          extensionId = await repo.insertExtension(
            { whistleId: id, assignmentId: a.id, until, reason: body.reason, requestedBy: actor.userId, createdAt: at },
            tx,
          );
        } catch (e) {
          if (isUniqueViolation(e, 'whistle_extensions_one_pending')) throw new AppError('CONFLICT', '已有待审批的延期申请');
          throw e;
        }
        return [await event(tx, id, 'extend', actor, a.orgId, { extensionId, until: until.toISOString(), reason: body.reason }, at)];
      });
    },

    approve: (decide: Decide, id: string, extId: string, note?: string) => extensionDecision(decide, id, extId, 'approve', note),
    deny: (decide: Decide, id: string, extId: string, note?: string) => extensionDecision(decide, id, extId, 'deny', note),

    verify(decide: Decide, id: string, note?: string) {
      return raiserStep(decide, id, async (tx, w, _a, at, actor) => {
        await repo.update(id, { status: whistleStep('verify', w.status), verifiedAt: at }, tx);
        return [await event(tx, id, 'verify', actor, null, note ? { note } : {}, at)];
      });
    },

    close(decide: Decide, id: string, note?: string) {
      return raiserStep(decide, id, async (tx, w, _a, at, actor) => {
        await repo.update(id, { status: whistleStep('close', w.status), closedAt: at }, tx);
        return [await event(tx, id, 'close', actor, null, note ? { note } : {}, at)];
      });
    },

    rate(decide: Decide, id: string, body: WhistleRateBody) {
      return raiserStep(decide, id, async (tx, w, _a, at, actor) => {
        const to = whistleStep('rate', w.status);
        await repo.update(id, { status: to, ratedAt: at, satisfaction: body.satisfaction, ratingNote: body.note ?? null }, tx);
        return [
          await event(tx, id, 'rate', actor, null, { satisfaction: body.satisfaction, ...(body.note ? { note: body.note } : {}) }, at),
        ];
      });
    },

    /** Back to `open` within seven days of closing; answered assignments answer again. */
    reopen(decide: Decide, id: string, body: WhistleReopenBody) {
      return raiserStep(decide, id, async (tx, w, assignments, at, actor) => {
        const to = whistleStep('reopen', w.status);
        if (!reopenAllowed(w.closedAt, at)) {
          throw new AppError('INVALID_TRANSITION', '办结超过 7 天，不能重新打开', {
            details: [{ path: 'closedAt', reason: 'reopen only within 7 days of closing' }],
          });
        }
        const dueAt = body?.dueAt ? new Date(body.dueAt) : null;
        if (dueAt && dueAt.getTime() <= at.getTime()) throw invalid('dueAt', 'must be in the future', '办理时限必须晚于当前时间');
        for (const a of assignments) {
          if (a.status === 'answered') {
            await repo.updateAssignment(
              a.id,
              {
                status: assignmentStep('reopen', a.status, w.status),
                answeredAt: null,
                answerText: null,
                answerTaskIds: [],
                ...(dueAt ? { dueAt } : {}),
              },
              tx,
            );
          } else if (dueAt && (a.status === 'pending' || a.status === 'signed')) {
            await repo.updateAssignment(a.id, { dueAt }, tx);
          }
        }
        await repo.update(
          id,
          {
            status: to,
            answeredAt: null,
            verifiedAt: null,
            closedAt: null,
            ratedAt: null,
            satisfaction: null,
            ratingNote: null,
            ...(dueAt ? { dueAt } : {}),
          },
          tx,
        );
        return [
          await event(
            tx,
            id,
            'reopen',
            actor,
            null,
            { ...(body?.note ? { note: body.note } : {}), ...(dueAt ? { dueAt: dueAt.toISOString() } : {}) },
            at,
          ),
        ];
      });
    },

    /** Addresses more units, or again a unit that returned it; exactly one live lead afterwards. */
    readdress(decide: Decide, id: string, addressedTo: AddressedTo) {
      return raiserStep(decide, id, async (tx, w, assignments, at, actor) => {
        whistleStep('readdress', w.status);
        await checkUnits(addressedTo, tx);
        const fresh: AddressedTo = [];
        for (const [i, entry] of addressedTo.entries()) {
          const existing = assignments.find((a) => a.orgId === entry.orgId);
          if (!existing) {
            fresh.push(entry);
            continue;
          }
          if (existing.status !== 'returned') {
            throw new AppError('CONFLICT', '该单位已在办理此事项', {
              details: [{ path: `addressedTo.${i}.orgId`, reason: 'already addressed' }],
            });
          }
          assignmentStep('readdress', existing.status, w.status);
          existing.status = 'pending';
          existing.part = entry.part;
        }
        const liveLeads =
          assignments.filter((a) => a.status !== 'returned' && a.part === 'lead').length + fresh.filter((a) => a.part === 'lead').length;
        if (liveLeads !== 1) throw invalid('addressedTo', 'exactly one live lead', '必须且只能有一个牵头单位');
        for (const entry of addressedTo) {
          const existing = assignments.find((a) => a.orgId === entry.orgId);
          if (existing) {
            await repo.updateAssignment(
              existing.id,
              { status: 'pending', part: entry.part, assignedAt: at, dueAt: w.dueAt, signedAt: null, returnedAt: null, returnReason: null },
              tx,
            );
          }
        }
        await repo.insertAssignments(
          fresh.map((a) => ({ whistleId: id, orgId: a.orgId, part: a.part, dueAt: w.dueAt, assignedAt: at })),
          tx,
        );
        return [await event(tx, id, 'readdress', actor, null, { addressedTo }, at)];
      });
    },
  };
}

export type WhistlesService = ReturnType<typeof whistlesServiceFactory>;
