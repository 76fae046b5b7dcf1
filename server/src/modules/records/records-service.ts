import { z } from 'zod';
import {
  hoursOf,
  type Amendment,
  type Correction,
  type CorrectionApproveBody,
  type CorrectionCreateBody,
  type CorrectionStatus,
  type RecordHistory,
  type RecordInfo,
  type MyClaims,
  type Records,
  type RecordsQuery,
  type SecretaryRecordBody,
} from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { RecordState } from '../../db/schema/records';
import type { Clock } from '../../lib/clock';
import { CursorIdSchema, CursorTimeSchema, decodeCursor, encodeCursor } from '../../lib/cursor';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import { isUniqueViolation } from '../../lib/pg-errors';
import { oversees } from '../../lib/scope';
import type { Principal } from '../../lib/principal';
import type { ClaimRecordsPort, RecordTimes } from '../claims/claims-port';
import { toClaim, type ClaimRow } from '../claims/claim-mappers';
import type { MembersPort } from '../members/members-port';
import type { PointsService } from '../points/points-service';
import { toTaskListItem, type TaskRow } from '../tasks/task-mappers';
import { checkStarted, checkStatedTimes, serviceMinutes } from './minute-rule';
import type { CorrectionRow, RecordsRepository } from './records-repository';

const PAGE = 50;
const DAY_MS = 86_400_000;
const RecordsCursorSchema = z.object({ c: CursorTimeSchema, i: CursorIdSchema });

const recordInfo = (c: ClaimRow): RecordInfo => ({
  id: c.id,
  minutes: c.status === 'completed' ? (c.minutes ?? 0) : 0,
  source: c.source,
  amended: c.recordVersion > 1,
});

const stateOf = (c: ClaimRow): RecordState => ({
  status: c.status,
  checkedInAt: c.checkedInAt?.toISOString() ?? null,
  checkedOutAt: c.checkedOutAt?.toISOString() ?? null,
  minutes: c.minutes,
});

function toCorrection(r: CorrectionRow): Correction {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    memberId: r.memberId,
    memberName: r.memberName,
    taskId: r.taskId,
    taskTitle: r.taskTitle,
    taskStartsAt: r.taskStartsAt.toISOString(),
    communityOrgId: r.communityOrgId,
    claimId: r.claimId,
    checkedInAt: r.checkedInAt.toISOString(),
    checkedOutAt: r.checkedOutAt.toISOString(),
    minutes: r.minutes,
    reason: r.reason,
    createdAt: r.createdAt.toISOString(),
    decidedAt: r.decidedAt?.toISOString() ?? null,
    note: r.note,
    approvedMinutes: r.approvedMinutes,
  };
}

/** Told, in the amending transaction, which records changed (certificates holding them are revoked). */
type OnRecordsAmended = (tx: DbOrTx, claimIds: string[], at: Date) => Promise<void>;

export function recordsServiceFactory(deps: {
  db: Db;
  recordsRepository: RecordsRepository;
  claimRecords: ClaimRecordsPort;
  membersRepository: MembersPort;
  pointsService: Pick<PointsService, 'settleRecord' | 'star'>;
  loadPost: (id: string) => Promise<TaskRow>;
  community: (id: string) => Promise<{ id: string; districtId: string }>;
  clock: Clock;
  correctionWindowDays: number;
  onAmended?: OnRecordsAmended;
}) {
  const repo = deps.recordsRepository;
  const claimsRepo = deps.claimRecords;

  const settle = (tx: DbOrTx, c: ClaimRow, post: TaskRow, at: Date) =>
    deps.pointsService.settleRecord(
      tx,
      { claimId: c.id, memberId: c.memberId, version: c.recordVersion, status: c.status, minutes: c.minutes, category: post.category },
      at,
    );

  async function correction(id: string): Promise<CorrectionRow> {
    const c = await repo.findCorrection(id);
    if (!c) throw notFound('申请不存在');
    return c;
  }

  function memberOf(p: Principal): string {
    if (!p.memberId) throw new AppError('NOT_REGISTERED');
    return p.memberId;
  }

  return {
    correction,

    /** Points for a record just checked out (the scan's own transaction is over: this one writes once per version). */
    async afterCheckOut(claim: ClaimRow, post: TaskRow): Promise<void> {
      await transaction(deps.db, (tx) => settle(tx, claim, post, deps.clock.now()));
    },

    /** Star level from all-time record hours. */
    async star(memberId: string) {
      return deps.pointsService.star((await repo.totals(memberId)).minutes);
    },

    /** Live claims on posts not yet over (the home page marks them); records are only what was served. */
    async upcomingClaims(p: Principal): Promise<MyClaims> {
      const now = deps.clock.now();
      const rows = await repo.upcomingClaims(memberOf(p), now, 100);
      return { items: rows.map((r) => ({ task: toTaskListItem(r.task, now), claim: toClaim(r.claim, now, r.task.endsAt) })) };
    },

    async records(p: Principal, q: RecordsQuery): Promise<Records> {
      const memberId = memberOf(p);
      const now = deps.clock.now();
      const after = q.cursor ? decodeCursor(q.cursor, RecordsCursorSchema) : null;
      const range = { from: q.from, to: q.to };
      const [rows, totals, allTime] = await Promise.all([
        repo.recordsPage(memberId, range, after ? { startsAt: new Date(after.c), id: after.i } : null, PAGE + 1),
        repo.totals(memberId, range),
        repo.totals(memberId),
      ]);
      const page = rows.slice(0, PAGE);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({
          task: toTaskListItem(r.task, now),
          claim: toClaim(r.claim, now, r.task.endsAt),
          record: recordInfo(r.claim),
        })),
        totals: { ...totals, hours: hoursOf(totals.minutes), star: await deps.pointsService.star(allTime.minutes) },
        nextCursor: rows.length > PAGE ? encodeCursor({ c: last.task.startsAt.toISOString(), i: last.claim.id }) : null,
      };
    },

    /** 补记: the secretary records members who were there but not scanned. */
    async recordBySecretary(p: Principal, post: TaskRow, body: SecretaryRecordBody) {
      const now = deps.clock.now();
      if (post.status === 'cancelled') throw new AppError('TASK_CANCELLED');
      checkStarted(post, now);
      const checkedInAt = body.checkedInAt ? new Date(body.checkedInAt) : post.startsAt;
      const checkedOutAt = body.checkedOutAt ? new Date(body.checkedOutAt) : new Date(Math.min(post.endsAt.getTime(), now.getTime()));
      checkStatedTimes(checkedInAt, checkedOutAt, now);
      const memberIds = [...new Set(body.memberIds)];
      const known = new Set((await deps.membersRepository.findMemberCards(memberIds)).map((m) => m.id));
      const unknown = memberIds.findIndex((id) => !known.has(id));
      if (unknown >= 0) throw invalid(`memberIds.${unknown}`, 'unknown_member', '党员不存在');
      const times: RecordTimes = { checkedInAt, checkedOutAt, minutes: serviceMinutes(checkedInAt, checkedOutAt, post) };

      const result = await transaction(deps.db, async (tx) => {
        await claimsRepo.lockPost(tx, post.id);
        const out = new Map<string, ClaimRow>();
        const fresh: string[] = [];
        for (const memberId of memberIds) {
          const live = await claimsRepo.lockLiveClaim(tx, post.id, memberId);
          if (!live) {
            fresh.push(memberId);
          } else if (live.status === 'completed') {
            out.set(memberId, live);
          } else {
            const done = await claimsRepo.complete(tx, live, times, 'secretary', false);
            await repo.appendAmendment(tx, {
              claimId: done.id,
              version: done.recordVersion,
              source: 'secretary',
              before: stateOf(live),
              after: stateOf(done),
              actorUserId: p.userId,
              reason: '书记补记',
              createdAt: now,
            });
            out.set(memberId, done);
            await settle(tx, done, post, now);
          }
        }
        const inserted = await claimsRepo.insertCompleted(
          tx,
          post.id,
          fresh.map((memberId) => ({ memberId, ...times })),
          'secretary',
          now,
        );
        for (const c of inserted) {
          await repo.appendAmendment(tx, {
            claimId: c.id,
            version: 1,
            source: 'secretary',
            before: null,
            after: stateOf(c),
            actorUserId: p.userId,
            reason: '书记补记',
            createdAt: now,
          });
          out.set(c.memberId, c);
          await settle(tx, c, post, now);
        }
        return out;
      });
      return { items: memberIds.map((memberId) => ({ memberId, claim: toClaim(result.get(memberId)!, now, post.endsAt) })) };
    },

    async createCorrection(p: Principal, body: CorrectionCreateBody): Promise<Correction> {
      const memberId = memberOf(p);
      const now = deps.clock.now();
      const post = await deps.loadPost(body.taskId);
      checkStarted(post, now);
      if (now.getTime() > post.endsAt.getTime() + deps.correctionWindowDays * DAY_MS) throw new AppError('CORRECTION_WINDOW_CLOSED');
      const checkedInAt = new Date(body.checkedInAt);
      const checkedOutAt = new Date(body.checkedOutAt);
      checkStatedTimes(checkedInAt, checkedOutAt, now);
      const minutes = serviceMinutes(checkedInAt, checkedOutAt, post);
      try {
        const id = await transaction(deps.db, async (tx) => {
          const live = await claimsRepo.lockLiveClaim(tx, post.id, memberId);
          if (body.kind === 'correct' && !live) throw new AppError('NOT_CLAIMED');
          if (body.kind === 'supplement') {
            if (post.communityOrgId !== p.memberCommunityOrgId) throw forbidden('只能补录本社区的岗位');
            if (live) throw new AppError('CONFLICT', '您已认领该岗位，请申请更正', { details: [{ path: 'kind', reason: 'claimed' }] });
          }
          return repo.insertCorrection(tx, {
            kind: body.kind,
            memberId,
            taskId: post.id,
            communityOrgId: post.communityOrgId,
            claimId: live?.id ?? null,
            checkedInAt,
            checkedOutAt,
            minutes,
            reason: body.reason,
            createdAt: now,
          });
        });
        return toCorrection(await correction(id));
      } catch (e) {
        if (isUniqueViolation(e, 'record_corrections_pending_unique'))
          throw new AppError('CONFLICT', '该岗位已有待审核的申请', { details: [{ path: 'taskId', reason: 'pending' }] });
        throw e;
      }
    },

    async listCorrections(where: { communityOrgId?: string; memberId?: string; status?: CorrectionStatus }): Promise<Correction[]> {
      return (await repo.correctionsOf(where)).map(toCorrection);
    },

    async myCorrections(p: Principal): Promise<Correction[]> {
      return (await repo.correctionsOf({ memberId: memberOf(p) })).map(toCorrection);
    },

    /** Approves: the record changes (a new version), the amendment is appended, points and certificates follow. */
    async approve(p: Principal, id: string, body: CorrectionApproveBody): Promise<Correction> {
      const now = deps.clock.now();
      const asked = await correction(id);
      const post = await deps.loadPost(asked.taskId);
      await transaction(deps.db, async (tx) => {
        await claimsRepo.lockPost(tx, post.id);
        const c = await repo.lockCorrection(tx, id);
        if (!c || c.status !== 'pending') throw new AppError('INVALID_TRANSITION', '该申请已处理');
        const times: RecordTimes = { checkedInAt: c.checkedInAt, checkedOutAt: c.checkedOutAt, minutes: body.minutes ?? c.minutes };
        const reason = body.note ? `${c.reason}（审核意见：${body.note}）` : c.reason;
        let claimId: string;
        if (c.kind === 'correct') {
          const before = c.claimId ? await claimsRepo.lockClaim(tx, c.claimId) : null;
          if (!before || before.status === 'cancelled' || before.status === 'released')
            throw new AppError('CONFLICT', '该认领已取消，无法更正', { details: [{ path: 'claimId', reason: 'not_live' }] });
          const wasRecord = before.status === 'completed';
          const after = await claimsRepo.complete(tx, before, times, 'correction', wasRecord);
          await repo.appendAmendment(tx, {
            claimId: after.id,
            version: after.recordVersion,
            source: 'correction',
            before: stateOf(before),
            after: stateOf(after),
            actorUserId: p.userId,
            reason,
            correctionId: c.id,
            createdAt: now,
          });
          await settle(tx, after, post, now);
          if (wasRecord && deps.onAmended) await deps.onAmended(tx, [after.id], now);
          claimId = after.id;
        } else {
          if (await claimsRepo.lockLiveClaim(tx, post.id, c.memberId))
            throw new AppError('CONFLICT', '该党员已有此岗位的记录', { details: [{ path: 'memberId', reason: 'claimed' }] });
          const [made] = await claimsRepo.insertCompleted(tx, post.id, [{ memberId: c.memberId, ...times }], 'supplement', now);
          await repo.appendAmendment(tx, {
            claimId: made.id,
            version: 1,
            source: 'supplement',
            before: null,
            after: stateOf(made),
            actorUserId: p.userId,
            reason,
            correctionId: c.id,
            createdAt: now,
          });
          await settle(tx, made, post, now);
          claimId = made.id;
        }
        await repo.decideCorrection(tx, id, {
          status: 'approved',
          decidedBy: p.userId,
          decidedAt: now,
          note: body.note ?? null,
          approvedMinutes: times.minutes,
          claimId,
        });
      });
      return toCorrection(await correction(id));
    },

    async reject(p: Principal, id: string, note: string): Promise<Correction> {
      const now = deps.clock.now();
      await transaction(deps.db, async (tx) => {
        const c = await repo.lockCorrection(tx, id);
        if (!c || c.status !== 'pending') throw new AppError('INVALID_TRANSITION', '该申请已处理');
        await repo.decideCorrection(tx, id, {
          status: 'rejected',
          decidedBy: p.userId,
          decidedAt: now,
          note,
          approvedMinutes: null,
          claimId: c.claimId,
        });
      });
      return toCorrection(await correction(id));
    },

    /** The record's amendments, oldest first: its member and its community's staff may read them. */
    async history(p: Principal, claimId: string): Promise<RecordHistory> {
      const found = await repo.findRecord(claimId);
      if (!found) throw notFound('记录不存在');
      if (found.claim.memberId !== p.memberId && !oversees(p, await deps.community(found.task.communityOrgId)))
        throw notFound('记录不存在');
      const items: Amendment[] = (await repo.history(claimId)).map((a) => ({
        id: a.id,
        version: a.version,
        source: a.source,
        before: a.before,
        after: a.after,
        by: { userId: a.actorUserId, name: a.actorName },
        reason: a.reason,
        correctionId: a.correctionId,
        at: a.createdAt.toISOString(),
      }));
      return { record: recordInfo(found.claim), items };
    },
  };
}

export type RecordsService = ReturnType<typeof recordsServiceFactory>;
