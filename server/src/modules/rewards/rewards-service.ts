import { randomUUID } from 'node:crypto';
import {
  maskName,
  type CommunityRedemption,
  type ErrorCode,
  type ErrorDetail,
  type Redemption,
  type RedemptionResponse,
  type Reward,
  type RewardCreateBody,
  type RewardPatchBody,
} from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { AppError, forbidden, isAppError, notFound } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import { isSecretaryOf } from '../../lib/scope';
import type { RedemptionRow, RewardRow, RewardsRepository } from './rewards-repository';

/** How long a redemption's Idempotency-Key is remembered. */
const KEY_TTL_MS = 24 * 3600 * 1000;
/** The refusals a replay answers again as they were (anything else is not remembered). */
const REMEMBERED: readonly ErrorCode[] = ['INSUFFICIENT_POINTS', 'OUT_OF_STOCK', 'CONFLICT'];

/** What the rewards module needs of the points ledger (modules/points), in the caller's transaction. */
interface PointsPort {
  spend(
    tx: DbOrTx,
    e: { key: string; memberId: string; amount: number; refType: string; refId: string; note: string; at: Date },
  ): Promise<unknown>;
  balance(memberId: string, tx: DbOrTx): Promise<number>;
}

type StoredAnswer = { ok: RedemptionResponse } | { error: { code: ErrorCode; message: string; details?: ErrorDetail[] } };

const toReward = (r: RewardRow): Reward => ({
  id: r.id,
  communityOrgId: r.communityOrgId,
  name: r.name,
  description: r.description,
  pointsCost: r.pointsCost,
  stock: r.stock,
  active: r.active,
  createdAt: r.createdAt.toISOString(),
});

const toRedemption = (r: RedemptionRow): Redemption => ({
  id: r.id,
  rewardId: r.rewardId,
  rewardName: r.rewardName,
  memberId: r.memberId,
  points: r.points,
  at: r.at.toISOString(),
});

/**
 * 爱心超市: a community's rewards with stock, redeemed by its secretary scanning the member's
 * 先锋码. A redemption takes one from the stock (conditional update on the reward's row) and
 * spends the points (conditional update on the member's account) in one transaction, always in
 * that order, so concurrent redemptions neither oversell nor overdraw nor deadlock.
 */
export function rewardsServiceFactory(deps: {
  db: Db;
  rewardsRepository: RewardsRepository;
  points: PointsPort;
  /** The member a scanned 先锋码 (or its link) names: CODE_INVALID / CODE_EXPIRED as at check-in. */
  memberOfCode(code: string, tx: DbOrTx): Promise<string>;
  community(id: string): Promise<{ id: string }>;
  clock: Clock;
}) {
  const repo = deps.rewardsRepository;

  async function ownReward(p: Principal, id: string): Promise<RewardRow> {
    const reward = await repo.find(id);
    if (!reward) throw notFound('礼品不存在');
    if (!isSecretaryOf(p, reward.communityOrgId)) throw forbidden('只有本社区书记可以管理爱心超市');
    return reward;
  }

  /** Takes one, spends the points and writes the redemption, in `tx` (its caller keeps a savepoint). */
  async function redeemIn(tx: DbOrTx, p: Principal, rewardId: string, memberId: string): Promise<RedemptionResponse> {
    const at = deps.clock.now();
    const taken = await repo.takeOne(tx, rewardId, at);
    if (!taken) {
      const reward = await repo.find(rewardId, tx);
      if (reward && !reward.active) {
        throw new AppError('CONFLICT', '该礼品已下架', { details: [{ path: 'active', reason: 'inactive' }] });
      }
      throw new AppError('OUT_OF_STOCK');
    }
    const id = randomUUID();
    await deps.points.spend(tx, {
      key: `redeem:${id}`,
      memberId,
      amount: taken.pointsCost,
      refType: 'redemption',
      refId: id,
      note: `爱心超市兑换：${taken.name}`,
      at,
    });
    const row = await repo.insertRedemption(tx, {
      id,
      rewardId,
      communityOrgId: taken.communityOrgId,
      rewardName: taken.name,
      memberId,
      points: taken.pointsCost,
      redeemedBy: p.userId,
      at,
    });
    return { redemption: toRedemption(row), balance: await deps.points.balance(memberId, tx), stock: taken.stock };
  }

  const replay = (answer: StoredAnswer): RedemptionResponse => {
    if ('ok' in answer) return answer.ok;
    throw new AppError(answer.error.code, answer.error.message, { details: answer.error.details });
  };

  return {
    async list(p: Principal, communityOrgId: string): Promise<Reward[]> {
      const org = await deps.community(communityOrgId);
      // Its secretary sees withdrawn rewards too (to put them back); everyone else what is on offer.
      return (await repo.ofCommunity(org.id, !isSecretaryOf(p, org.id))).map(toReward);
    },

    async create(p: Principal, communityOrgId: string, body: RewardCreateBody): Promise<Reward> {
      const org = await deps.community(communityOrgId);
      if (!isSecretaryOf(p, org.id)) throw forbidden('只有本社区书记可以管理爱心超市');
      const now = deps.clock.now();
      return toReward(
        await repo.insert({
          communityOrgId: org.id,
          name: body.name,
          description: body.description ?? '',
          pointsCost: body.pointsCost,
          stock: body.stock,
          createdBy: p.userId,
          createdAt: now,
          updatedAt: now,
        }),
      );
    },

    async patch(p: Principal, id: string, body: RewardPatchBody): Promise<Reward> {
      await ownReward(p, id);
      const row = await repo.update(id, { ...body, updatedAt: deps.clock.now() });
      if (!row) throw notFound('礼品不存在');
      return toReward(row);
    },

    /**
     * Redeems one of the reward for the member the scanned code names. With `idem`, the first
     * answer (the redemption, or a refusal for points, stock or a withdrawn reward) is replayed for
     * the same key; the same key with another body is IDEMPOTENCY_KEY_REUSED.
     */
    async redeem(p: Principal, rewardId: string, code: string, idem?: { key: string; requestHash: string }): Promise<RedemptionResponse> {
      await ownReward(p, rewardId);
      if (!idem) {
        return transaction(deps.db, async (tx) => redeemIn(tx, p, rewardId, await deps.memberOfCode(code, tx)));
      }
      const answer = await transaction(deps.db, async (tx): Promise<StoredAnswer> => {
        const now = deps.clock.now();
        const fresh = await repo.reserveKey(tx, p.userId, idem.key, idem.requestHash, now, new Date(now.getTime() - KEY_TTL_MS));
        if (!fresh) {
          const stored = await repo.findKey(tx, p.userId, idem.key);
          if (!stored || stored.requestHash !== idem.requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
          if (stored.answer === null) throw new AppError('CONFLICT', '同一请求正在处理');
          return stored.answer as StoredAnswer;
        }
        // A code that does not verify is not remembered: the key's reservation rolls back with it.
        const memberId = await deps.memberOfCode(code, tx);
        await repo.savepoint(tx, 'redeem');
        let result: StoredAnswer;
        try {
          result = { ok: await redeemIn(tx, p, rewardId, memberId) };
        } catch (e) {
          if (!isAppError(e) || !REMEMBERED.includes(e.code)) throw e;
          await repo.rollbackTo(tx, 'redeem');
          result = { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
        }
        await repo.storeKey(tx, p.userId, idem.key, result);
        return result;
      });
      return replay(answer);
    },

    async mine(memberId: string): Promise<Redemption[]> {
      return (await repo.redemptionsOfMember(memberId)).map(toRedemption);
    },

    async ofCommunity(p: Principal, communityOrgId: string): Promise<CommunityRedemption[]> {
      const org = await deps.community(communityOrgId);
      if (!isSecretaryOf(p, org.id)) throw forbidden('只有本社区书记可以查看兑换记录');
      return (await repo.redemptionsOfCommunity(org.id)).map((r) => ({
        ...toRedemption(r),
        memberName: r.memberName ? maskName(r.memberName) : '已注销',
      }));
    },

    purgeKeys(): Promise<number> {
      return repo.purgeKeys(new Date(deps.clock.now().getTime() - KEY_TTL_MS));
    },
  };
}

export type RewardsService = ReturnType<typeof rewardsServiceFactory>;
