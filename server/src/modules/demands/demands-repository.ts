import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { demands, estates, members, partyOrgs, tasks, users, whistles } from '../../db/schema';

export type DemandRow = typeof demands.$inferSelect & {
  communityName: string;
  taskTitle: string | null;
  whistleTitle: string | null;
  estateName: string | null;
  /** The sender's name when it is a registered member (shown masked). */
  requesterName: string | null;
};

const columns = {
  d: demands,
  communityName: partyOrgs.name,
  taskTitle: tasks.title,
  whistleTitle: whistles.title,
  estateName: estates.name,
  requesterName: members.name,
};

export function demandsRepositoryFactory(db: Db) {
  const select = (tx: DbOrTx) =>
    tx
      .select(columns)
      .from(demands)
      .innerJoin(partyOrgs, eq(partyOrgs.id, demands.communityOrgId))
      .leftJoin(tasks, eq(tasks.id, demands.taskId))
      .leftJoin(whistles, eq(whistles.id, demands.whistleId))
      .leftJoin(estates, eq(estates.id, demands.estateId))
      .leftJoin(members, eq(members.userId, demands.userId));
  const flat = (r: {
    d: typeof demands.$inferSelect;
    communityName: string;
    taskTitle: string | null;
    whistleTitle: string | null;
    estateName: string | null;
    requesterName: string | null;
  }): DemandRow => ({
    ...r.d,
    communityName: r.communityName,
    taskTitle: r.taskTitle,
    whistleTitle: r.whistleTitle,
    estateName: r.estateName,
    requesterName: r.requesterName,
  });

  return {
    async openid(userId: string): Promise<string | null> {
      const [row] = await db.select({ openid: users.openid }).from(users).where(eq(users.id, userId));
      return row?.openid ?? null;
    },

    async insert(values: typeof demands.$inferInsert, tx: DbOrTx = db): Promise<string> {
      const [row] = await tx.insert(demands).values(values).returning({ id: demands.id });
      return row.id;
    },

    /** The estate, when it is one of the community's. */
    async estateOf(communityOrgId: string, estateId: string): Promise<{ id: string; name: string } | null> {
      const [row] = await db
        .select({ id: estates.id, name: estates.name })
        .from(estates)
        .where(and(eq(estates.id, estateId), eq(estates.communityOrgId, communityOrgId)));
      return row ?? null;
    },

    async find(id: string, tx: DbOrTx = db): Promise<DemandRow | null> {
      const [row] = await select(tx).where(eq(demands.id, id));
      return row ? flat(row) : null;
    },

    async lock(id: string, tx: DbOrTx) {
      const [row] = await tx.select().from(demands).where(eq(demands.id, id)).for('update');
      return row ?? null;
    },

    async update(id: string, set: Partial<typeof demands.$inferInsert>, tx: DbOrTx): Promise<void> {
      await tx.update(demands).set(set).where(eq(demands.id, id));
    },

    /** Newest first, keyset on (created_at, id). */
    async list(
      f: { communityOrgId?: string; userId?: string; status?: DemandRow['status']; after?: { c: string; i: string }; limit: number },
      tx: DbOrTx = db,
    ): Promise<DemandRow[]> {
      const where: SQL[] = [];
      if (f.communityOrgId) where.push(eq(demands.communityOrgId, f.communityOrgId));
      if (f.userId) where.push(eq(demands.userId, f.userId));
      if (f.status) where.push(eq(demands.status, f.status));
      if (f.after) where.push(sql`(${demands.createdAt}, ${demands.id}) < (${f.after.c}::timestamptz, ${f.after.i}::uuid)`);
      const rows = await select(tx)
        .where(and(...where))
        .orderBy(desc(demands.createdAt), desc(demands.id))
        .limit(f.limit);
      return rows.map(flat);
    },

    async task(id: string, tx: DbOrTx) {
      const [row] = await tx.select({ id: tasks.id, communityOrgId: tasks.communityOrgId }).from(tasks).where(eq(tasks.id, id));
      return row ?? null;
    },

    async whistle(id: string, tx: DbOrTx) {
      const [row] = await tx
        .select({ id: whistles.id, raisedByOrgId: whistles.raisedByOrgId, raisedByDistrictId: whistles.raisedByDistrictId })
        .from(whistles)
        .where(eq(whistles.id, id));
      return row ?? null;
    },

    /** A user's own demands, oldest first, for the user's export. */
    async byUser(userId: string, tx: DbOrTx = db) {
      return tx
        .select({
          id: demands.id,
          community: partyOrgs.name,
          text: demands.text,
          category: demands.category,
          status: demands.status,
          note: demands.note,
          createdAt: demands.createdAt,
          triagedAt: demands.triagedAt,
        })
        .from(demands)
        .innerJoin(partyOrgs, eq(partyOrgs.id, demands.communityOrgId))
        .where(eq(demands.userId, userId))
        .orderBy(asc(demands.createdAt), asc(demands.id));
    },

    /** 注销: the demands stay the community's work (posted, whistled or still to triage) but name nobody. */
    async detachUser(userId: string, tx: DbOrTx): Promise<void> {
      // The text is kept; the link to the person is not, nor the contact and address it left.
      await tx
        .update(demands)
        .set({
          userId: null,
          contactName: null,
          contactPhoneCipher: null,
          contactPhoneHash: null,
          contactPhoneMasked: null,
          contactConsentedAt: null,
          address: null,
        })
        .where(eq(demands.userId, userId));
    },
  };
}

export type DemandsRepository = ReturnType<typeof demandsRepositoryFactory>;
