import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { claims, pointsAccounts, pointsEntries, pointsRules, POINTS_KINDS, tasks } from '../../db/schema';

export type PointsEntryRow = typeof pointsEntries.$inferSelect;
export type PointsKind = (typeof POINTS_KINDS)[number];
export type RulesRow = typeof pointsRules.$inferSelect;

/** Which account each kind moves points from and to (the migration's check says the same). */
const LEGS: Record<PointsKind, { debit: string; credit: string; sign: 1 | -1 }> = {
  earn: { debit: 'issued', credit: 'member', sign: 1 },
  reverse: { debit: 'member', credit: 'issued', sign: -1 },
  redeem: { debit: 'member', credit: 'redeemed', sign: -1 },
  expire: { debit: 'member', credit: 'expired', sign: -1 },
};
export const signOf = (kind: PointsKind) => LEGS[kind].sign;

interface NewEntry {
  key: string;
  memberId: string;
  kind: PointsKind;
  amount: number;
  refType: string;
  refId: string;
  refVersion?: number | null;
  note?: string;
  at: Date;
}

/** Refused: the member's balance does not cover a debit (the account row was not changed). */
export class Overdraft extends Error {}

/** The points module's tables: rules, accounts and the ledger. Only this file writes them. */
export function pointsRepositoryFactory(db: Db) {
  return {
    /**
     * The one row of rules. The migration writes it, but `truncate users cascade` (a reset) takes it
     * with its `updated_by`: then the column defaults are the rules, written back so every reader agrees.
     */
    async rules(tx: DbOrTx = db): Promise<RulesRow> {
      const [row] = await tx.select().from(pointsRules).where(eq(pointsRules.id, 1));
      if (row) return row;
      await tx.insert(pointsRules).values({ id: 1 }).onConflictDoNothing({ target: pointsRules.id });
      const [made] = await tx.select().from(pointsRules).where(eq(pointsRules.id, 1));
      return made;
    },

    async putRules(values: Omit<typeof pointsRules.$inferInsert, 'id'>): Promise<RulesRow> {
      const [row] = await db
        .insert(pointsRules)
        .values({ id: 1, ...values })
        .onConflictDoUpdate({ target: pointsRules.id, set: values })
        .returning();
      return row;
    },

    /**
     * Writes an entry once (its key) and moves the member's balance with it, in `tx`. Null: the
     * key was written before (a job or request that runs twice writes once). A debit the
     * balance does not cover throws Overdraft; the caller's transaction then rolls back the entry.
     */
    async post(tx: DbOrTx, e: NewEntry): Promise<PointsEntryRow | null> {
      const legs = LEGS[e.kind];
      const [row] = await tx
        .insert(pointsEntries)
        .values({
          key: e.key,
          memberId: e.memberId,
          kind: e.kind,
          debitAccount: legs.debit,
          creditAccount: legs.credit,
          amount: e.amount,
          refType: e.refType,
          refId: e.refId,
          refVersion: e.refVersion ?? null,
          note: e.note ?? '',
          at: e.at,
        })
        .onConflictDoNothing({ target: pointsEntries.key })
        .returning();
      if (!row) return null;
      if (legs.sign > 0) {
        await tx
          .insert(pointsAccounts)
          .values({ memberId: e.memberId, balance: e.amount })
          .onConflictDoUpdate({ target: pointsAccounts.memberId, set: { balance: sql`${pointsAccounts.balance} + ${e.amount}` } });
      } else {
        // A conditional update: concurrent debits serialize on the account's row and none overdraws.
        const moved = await tx
          .update(pointsAccounts)
          .set({ balance: sql`${pointsAccounts.balance} - ${e.amount}` })
          .where(and(eq(pointsAccounts.memberId, e.memberId), sql`${pointsAccounts.balance} >= ${e.amount}`))
          .returning({ balance: pointsAccounts.balance });
        if (moved.length === 0) throw new Overdraft();
      }
      return row;
    },

    /** The member's balance, its account row locked until `tx` ends (0 without an account). */
    async lockBalance(tx: DbOrTx, memberId: string): Promise<number> {
      const [row] = await tx
        .select({ balance: pointsAccounts.balance })
        .from(pointsAccounts)
        .where(eq(pointsAccounts.memberId, memberId))
        .for('update');
      return row?.balance ?? 0;
    },

    async balance(memberId: string, tx: DbOrTx = db): Promise<number> {
      const [row] = await tx.select({ balance: pointsAccounts.balance }).from(pointsAccounts).where(eq(pointsAccounts.memberId, memberId));
      return row?.balance ?? 0;
    },

    async entriesOfRef(tx: DbOrTx, refType: string, refId: string): Promise<PointsEntryRow[]> {
      return tx
        .select()
        .from(pointsEntries)
        .where(and(eq(pointsEntries.refType, refType), eq(pointsEntries.refId, refId)))
        .orderBy(pointsEntries.seq);
    },

    /** Every entry of the member, oldest first (expiry walks them). */
    async entriesOf(tx: DbOrTx, memberId: string): Promise<PointsEntryRow[]> {
      return tx.select().from(pointsEntries).where(eq(pointsEntries.memberId, memberId)).orderBy(pointsEntries.seq);
    },

    async page(memberId: string, beforeSeq: number | null, limit: number): Promise<PointsEntryRow[]> {
      return db
        .select()
        .from(pointsEntries)
        .where(and(eq(pointsEntries.memberId, memberId), beforeSeq === null ? undefined : lt(pointsEntries.seq, beforeSeq)))
        .orderBy(desc(pointsEntries.seq))
        .limit(limit);
    },

    async sums(memberId: string): Promise<Record<PointsKind, number>> {
      const rows = await db
        .select({ kind: pointsEntries.kind, total: sql<number>`coalesce(sum(${pointsEntries.amount}), 0)::bigint` })
        .from(pointsEntries)
        .where(eq(pointsEntries.memberId, memberId))
        .groupBy(pointsEntries.kind);
      const out: Record<PointsKind, number> = { earn: 0, reverse: 0, redeem: 0, expire: 0 };
      for (const r of rows) out[r.kind] = Number(r.total);
      return out;
    },

    /** Members holding points earned before `cutoff`: the expiry job's candidates. */
    async membersWithEarnsBefore(cutoff: Date): Promise<string[]> {
      const rows = await db.execute<{ member_id: string }>(sql`
        select a.member_id from ${pointsAccounts} a
         where a.balance > 0
           and exists (select 1 from ${pointsEntries} e where e.member_id = a.member_id and e.kind = 'earn' and e.at <= ${cutoff})`);
      return rows.rows.map((r) => r.member_id);
    },

    /**
     * Records completed since `since` whose current version has no earn yet (a check-out whose
     * follow-up was lost): read from the claims they are, never written here.
     */
    async unearnedRecords(since: Date, limit: number) {
      const rows = await db.execute<{ id: string; member_id: string; record_version: number; minutes: number; category: string }>(sql`
        select c.id, c.member_id, c.record_version, c.minutes, t.category
          from ${claims} c join ${tasks} t on t.id = c.task_id
         where c.status = 'completed' and c.minutes > 0 and c.checked_out_at >= ${since}
           and not exists (select 1 from ${pointsEntries} e where e.key = 'earn:' || c.id || ':' || c.record_version)
         limit ${limit}`);
      return rows.rows.map((r) => ({
        claimId: r.id,
        memberId: r.member_id,
        version: r.record_version,
        status: 'completed',
        minutes: r.minutes,
        category: r.category,
      }));
    },

    /** 注销: the member's account and entries move to the anonymous id (figures stay, the person goes). */
    async relabel(tx: DbOrTx, memberId: string, anonymous: string): Promise<void> {
      await tx.update(pointsAccounts).set({ memberId: anonymous }).where(eq(pointsAccounts.memberId, memberId));
      await tx.update(pointsEntries).set({ memberId: anonymous }).where(eq(pointsEntries.memberId, memberId));
    },

    /** Balances of members by id (exports). */
    async balances(memberIds: string[]): Promise<Map<string, number>> {
      if (memberIds.length === 0) return new Map();
      const rows = await db
        .select()
        .from(pointsAccounts)
        .where(sql`${pointsAccounts.memberId} = any(${sql.param(memberIds)}::uuid[])`);
      return new Map(rows.map((r) => [r.memberId, r.balance]));
    },
  };
}

export type PointsRepository = ReturnType<typeof pointsRepositoryFactory>;
