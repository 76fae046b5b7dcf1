import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Role } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { invites } from '../../db/schema';

export function invitesRepositoryFactory(db: Db) {
  return {
    async insert(values: { codeHash: string; role: Role; orgId: string | null; createdBy: string; expiresAt: Date }, tx: DbOrTx = db) {
      const [row] = await tx.insert(invites).values(values).returning({ id: invites.id, expiresAt: invites.expiresAt });
      return row;
    },

    /**
     * Marks a live invite accepted in one statement: of several concurrent accepts the row lock lets
     * exactly one match `accepted_at is null`; the others re-check and find nothing.
     */
    async consume(codeHash: string, userId: string, now: Date, tx: DbOrTx = db) {
      const [row] = await tx
        .update(invites)
        .set({ acceptedBy: userId, acceptedAt: now })
        .where(and(eq(invites.codeHash, codeHash), isNull(invites.acceptedAt), gt(invites.expiresAt, now)))
        .returning({ id: invites.id, role: invites.role, orgId: invites.orgId });
      return row ?? null;
    },

    async findByHash(codeHash: string, tx: DbOrTx = db) {
      const [row] = await tx
        .select({ acceptedAt: invites.acceptedAt, expiresAt: invites.expiresAt })
        .from(invites)
        .where(eq(invites.codeHash, codeHash));
      return row ?? null;
    },
  };
}

export type InvitesRepository = ReturnType<typeof invitesRepositoryFactory>;
