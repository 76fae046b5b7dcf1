import { and, desc, eq, getTableColumns, gt, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { members, rewardRedemptionKeys, rewardRedemptions, rewards } from '../../db/schema';

export type RewardRow = typeof rewards.$inferSelect;
export type RedemptionRow = typeof rewardRedemptions.$inferSelect;

/** The rewards module's tables: rewards, redemptions and their idempotency keys. Only this file writes them. */
export function rewardsRepositoryFactory(db: Db) {
  return {
    async insert(values: typeof rewards.$inferInsert): Promise<RewardRow> {
      const [row] = await db.insert(rewards).values(values).returning();
      return row;
    },

    async find(id: string, tx: DbOrTx = db): Promise<RewardRow | null> {
      const [row] = await tx.select().from(rewards).where(eq(rewards.id, id));
      return row ?? null;
    },

    async update(id: string, set: Partial<typeof rewards.$inferInsert>): Promise<RewardRow | null> {
      const [row] = await db.update(rewards).set(set).where(eq(rewards.id, id)).returning();
      return row ?? null;
    },

    async ofCommunity(communityOrgId: string, activeOnly: boolean): Promise<RewardRow[]> {
      return db
        .select()
        .from(rewards)
        .where(and(eq(rewards.communityOrgId, communityOrgId), activeOnly ? eq(rewards.active, true) : undefined))
        .orderBy(desc(rewards.createdAt), rewards.id)
        .limit(500);
    },

    /**
     * Takes one from the stock, in `tx`: a conditional update, so concurrent redemptions
     * serialize on the reward's row and none takes the last one twice. Null: none left (or the
     * reward is withdrawn); nothing changed.
     */
    async takeOne(tx: DbOrTx, id: string, at: Date): Promise<RewardRow | null> {
      const [row] = await tx
        .update(rewards)
        .set({ stock: sql`${rewards.stock} - 1`, updatedAt: at })
        .where(and(eq(rewards.id, id), eq(rewards.active, true), gt(rewards.stock, 0)))
        .returning();
      return row ?? null;
    },

    async insertRedemption(tx: DbOrTx, values: typeof rewardRedemptions.$inferInsert): Promise<RedemptionRow> {
      const [row] = await tx.insert(rewardRedemptions).values(values).returning();
      return row;
    },

    async redemptionsOfMember(memberId: string): Promise<RedemptionRow[]> {
      return db
        .select()
        .from(rewardRedemptions)
        .where(eq(rewardRedemptions.memberId, memberId))
        .orderBy(desc(rewardRedemptions.at))
        .limit(200);
    },

    /** With the member's name (null once the member is gone through 注销), for the secretary's list. */
    async redemptionsOfCommunity(communityOrgId: string): Promise<Array<RedemptionRow & { memberName: string | null }>> {
      return db
        .select({ ...getTableColumns(rewardRedemptions), memberName: members.name })
        .from(rewardRedemptions)
        .leftJoin(members, eq(members.id, rewardRedemptions.memberId))
        .where(eq(rewardRedemptions.communityOrgId, communityOrgId))
        .orderBy(desc(rewardRedemptions.at))
        .limit(200);
    },

    /**
     * Takes the key for a request inside `tx`. A concurrent request with the same key waits here
     * until the first commits, then finds its answer (false). A key older than `staleBefore` is
     * taken over as new.
     */
    async reserveKey(tx: DbOrTx, userId: string, key: string, requestHash: string, now: Date, staleBefore: Date): Promise<boolean> {
      const rows = await tx
        .insert(rewardRedemptionKeys)
        .values({ userId, key, requestHash, answer: null, createdAt: now })
        .onConflictDoUpdate({
          target: [rewardRedemptionKeys.userId, rewardRedemptionKeys.key],
          set: { requestHash, answer: null, createdAt: now },
          setWhere: lt(rewardRedemptionKeys.createdAt, staleBefore),
        })
        .returning({ key: rewardRedemptionKeys.key });
      return rows.length === 1;
    },

    async findKey(tx: DbOrTx, userId: string, key: string): Promise<{ requestHash: string; answer: unknown } | null> {
      const [row] = await tx
        .select({ requestHash: rewardRedemptionKeys.requestHash, answer: rewardRedemptionKeys.answer })
        .from(rewardRedemptionKeys)
        .where(and(eq(rewardRedemptionKeys.userId, userId), eq(rewardRedemptionKeys.key, key)));
      return row ?? null;
    },

    async storeKey(tx: DbOrTx, userId: string, key: string, answer: unknown): Promise<void> {
      await tx
        .update(rewardRedemptionKeys)
        .set({ answer })
        .where(and(eq(rewardRedemptionKeys.userId, userId), eq(rewardRedemptionKeys.key, key)));
    },

    async purgeKeys(before: Date): Promise<number> {
      const res = await db.delete(rewardRedemptionKeys).where(lt(rewardRedemptionKeys.createdAt, before));
      return res.rowCount ?? 0;
    },

    /** 注销: the member's redemptions stay (the stock moved) but name no member. */
    async relabel(tx: DbOrTx, memberId: string, anonymous: string): Promise<void> {
      await tx.update(rewardRedemptions).set({ memberId: anonymous }).where(eq(rewardRedemptions.memberId, memberId));
    },

    async savepoint(tx: DbOrTx, name: 'redeem'): Promise<void> {
      await tx.execute(sql.raw(`savepoint ${name}`));
    },

    async rollbackTo(tx: DbOrTx, name: 'redeem'): Promise<void> {
      await tx.execute(sql.raw(`rollback to savepoint ${name}`));
    },
  };
}

export type RewardsRepository = ReturnType<typeof rewardsRepositoryFactory>;
