import type { Agreement, AgreementCreateBody, AgreementList, AgreementListQuery, AgreementStatus } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { AppError, forbidden, invalid, notFound } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { DirectoryPort } from '../directory/directory-port';
import { encryptPhone, maskPhone } from '../../lib/phone-crypto';
import type { Notifier } from '../notifications';
import type { AgreementFilter, AgreementRecord, AgreementsRepository } from './agreements-repository';
import { agreementStep, chinaDay, type AgreementAction } from './unit-transitions';
import { administersUnit, communitySide, districtsOf, isCityAdmin, secretaryCommunitiesOf, unitOrgsOf } from './unit-scope';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The status as read on `today`: an active agreement past its last day is `expired`. */
export const readStatus = (r: Pick<AgreementRecord, 'status' | 'endsOn'>, today: string): AgreementStatus =>
  r.status === 'active' && r.endsOn < today ? 'expired' : r.status;

export function toAgreement(r: AgreementRecord, today: string): Agreement {
  return {
    id: r.id,
    unit: { id: r.unitOrgId, name: r.unitName },
    community: { id: r.communityOrgId, name: r.communityName },
    startsOn: r.startsOn,
    endsOn: r.endsOn,
    commitments: r.commitments,
    contactName: r.contactName,
    contactPhone: r.contactPhoneMasked,
    status: readStatus(r, today),
    reason: r.reason,
    proposedAt: r.proposedAt.toISOString(),
    decidedAt: iso(r.decidedAt),
    endedAt: iso(r.endedAt),
  };
}

const AGREEMENT_PHRASES: Record<string, string> = { propose: '新报到申请', accept: '报到通过', reject: '报到未通过', end: '协议终止' };

export function agreementsServiceFactory(deps: {
  db: Db;
  agreementsRepository: AgreementsRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg'>;
  notifier: Notifier;
  clock: Clock;
  phoneEncKey: Buffer;
}) {
  const repo = deps.agreementsRepository;
  const today = () => chinaDay(deps.clock.now());

  async function org(id: string) {
    return deps.directoryRepository.findPartyOrg(id);
  }

  async function load(id: string): Promise<AgreementRecord> {
    const a = await repo.find(id);
    if (!a) throw notFound('共建协议不存在');
    return a;
  }

  const unitSide = (p: Principal, a: AgreementRecord) => unitOrgsOf(p).includes(a.unitOrgId);
  const communitySideOf = (p: Principal, a: AgreementRecord) =>
    communitySide(p, { id: a.communityOrgId, districtId: a.communityDistrictId });

  async function announce(tx: DbOrTx, a: AgreementRecord, action: string, actorUserId: string, note: string | null) {
    await deps.notifier.enqueue(tx, {
      kind: 'unit_update',
      ref: `agreement:${a.id}:${action}`,
      title: `${a.unitName} · ${a.communityName}`,
      status: AGREEMENT_PHRASES[action],
      body:
        action === 'propose'
          ? `${a.unitName}申请向${a.communityName}报到，请审核共建协议。`
          : `${a.unitName}与${a.communityName}的共建协议：${AGREEMENT_PHRASES[action]}${note ? `（${note}）` : ''}。`,
      unitOrgIds: action === 'propose' ? [] : [a.unitOrgId],
      communityOrgIds: [a.communityOrgId],
      actorUserId,
    });
  }

  return {
    today,
    load,

    /** 报到: a unit admin proposes an agreement for its own unit. */
    async propose(p: Principal, body: AgreementCreateBody): Promise<Agreement> {
      const [unit, community] = await Promise.all([org(body.unitOrgId), org(body.communityOrgId)]);
      if (!unit || unit.kind !== 'unit') throw invalid('unitOrgId', 'not a unit party org', '报到单位须为机关企事业单位党组织');
      if (!administersUnit(p, unit.id)) throw forbidden('只能为本单位提交共建协议');
      if (!community || community.kind !== 'community') throw invalid('communityOrgId', 'not a community party org', '请选择社区党组织');
      let id: string;
      try {
        id = await transaction(deps.db, async (tx) => {
          const newId = await repo.insert(
            {
              unitOrgId: unit.id,
              communityOrgId: community.id,
              startsOn: body.startsOn,
              endsOn: body.endsOn,
              commitments: body.commitments,
              contactName: body.contactName,
              contactPhoneCipher: encryptPhone(deps.phoneEncKey, body.contactPhone),
              contactPhoneMasked: maskPhone(body.contactPhone),
              proposedBy: p.userId,
              proposedAt: deps.clock.now(),
            },
            tx,
          );
          await announce(tx, (await repo.find(newId, tx))!, 'propose', p.userId, null);
          return newId;
        });
      } catch (e) {
        if (
          (e as { code?: string; constraint?: string }).constraint === 'agreements_one_proposed' ||
          (e as { cause?: { constraint?: string } }).cause?.constraint === 'agreements_one_proposed'
        ) {
          throw new AppError('CONFLICT', '已有待确认的报到申请');
        }
        throw e;
      }
      return toAgreement((await repo.find(id))!, today());
    },

    /** accept / reject (the community's side) and end (either side), under the row's lock. */
    async step(p: Principal, id: string, action: AgreementAction, reason: string | null): Promise<Agreement> {
      const a = await load(id);
      const mayCommunity = communitySideOf(p, a);
      const mayUnit = unitSide(p, a) && administersUnit(p, a.unitOrgId);
      if (!mayCommunity && !unitSide(p, a)) throw notFound('共建协议不存在');
      if (action === 'end' ? !mayCommunity && !mayUnit : !mayCommunity) {
        throw forbidden(action === 'end' ? '只有协议双方可以终止协议' : '只有社区书记或板块管理员可以审核报到');
      }
      const now = deps.clock.now();
      await transaction(deps.db, async (tx) => {
        const row = await repo.lock(id, tx);
        if (!row) throw notFound('共建协议不存在');
        const to = agreementStep(action, row.status, readStatus(row, today()) === 'expired');
        await repo.update(
          id,
          action === 'end'
            ? { status: to, endedAt: now, endedBy: p.userId, reason: reason ?? row.reason }
            : { status: to, decidedAt: now, decidedBy: p.userId, reason },
          tx,
        );
        await announce(tx, a, action, p.userId, reason);
      });
      return toAgreement((await repo.find(id))!, today());
    },

    /** The agreements the caller may see, narrowed by the query. */
    async list(p: Principal, q: AgreementListQuery): Promise<AgreementList> {
      const visible = isCityAdmin(p)
        ? null
        : { unitOrgIds: unitOrgsOf(p), communityOrgIds: secretaryCommunitiesOf(p), districtIds: districtsOf(p) };
      const overseer = visible === null || visible.communityOrgIds.length > 0 || visible.districtIds.length > 0;
      if (q.unitOrgId) {
        const u = await org(q.unitOrgId);
        if (!u || u.kind !== 'unit') throw notFound('单位党组织不存在');
        if (visible && !visible.unitOrgIds.includes(u.id) && !overseer) throw forbidden('无权查看该单位的共建协议');
      }
      if (q.communityOrgId) {
        const c = await org(q.communityOrgId);
        if (!c || c.kind !== 'community') throw notFound('社区不存在');
        if (visible && !communitySide(p, c) && visible.unitOrgIds.length === 0) throw forbidden('无权查看该社区的共建协议');
      }
      const f: AgreementFilter = { visible, unitOrgId: q.unitOrgId, communityOrgId: q.communityOrgId };
      const t = today();
      if (q.status) {
        f.status =
          q.status === 'expired'
            ? { stored: 'active', endedBefore: t }
            : q.status === 'active'
              ? { stored: 'active', notEndedBefore: t }
              : { stored: q.status };
      }
      const rows = await repo.list(f, q.cursor ? decodeCursor(q.cursor, TimeIdCursorSchema) : undefined, q.limit + 1);
      const items = rows.slice(0, q.limit);
      return {
        items: items.map((r) => toAgreement(r, t)),
        nextCursor: rows.length > q.limit ? encodeTimeIdCursor(items[items.length - 1].proposedAt, items[items.length - 1].id) : null,
      };
    },

    /** 已报到: the unit holds an agreement that is active today (share-locked inside `tx`). */
    reported: (unitOrgId: string, communityOrgId: string, tx?: DbOrTx) => repo.reported(unitOrgId, communityOrgId, today(), tx),
    communitiesOf: (unitOrgIds: string[]) => repo.communitiesOf(unitOrgIds, today()),
    unitsOf: (communityOrgIds: string[]) => repo.unitsOf(communityOrgIds, today()),
  };
}

export type AgreementsService = ReturnType<typeof agreementsServiceFactory>;
