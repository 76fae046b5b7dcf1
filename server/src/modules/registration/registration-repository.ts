import { and, eq, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { partyOrgs } from '../../db/schema';

export function registrationRepositoryFactory(db: Db) {
  const orgColumns = {
    id: partyOrgs.id,
    kind: partyOrgs.kind,
    name: partyOrgs.name,
    districtId: partyOrgs.districtId,
    registerCode: partyOrgs.registerCode,
  };

  return {
    async findCommunityByRegisterCode(code: string, tx: DbOrTx = db) {
      const [row] = await tx
        .select(orgColumns)
        .from(partyOrgs)
        .where(and(eq(partyOrgs.registerCode, code), eq(partyOrgs.kind, 'community')));
      return row ?? null;
    },

    /** Sets the code only if none is set yet; null when another request got there first. */
    async setRegisterCodeIfUnset(id: string, code: string, tx: DbOrTx = db): Promise<string | null> {
      const [row] = await tx
        .update(partyOrgs)
        .set({ registerCode: code })
        .where(and(eq(partyOrgs.id, id), eq(partyOrgs.kind, 'community'), isNull(partyOrgs.registerCode)))
        .returning({ registerCode: partyOrgs.registerCode });
      return row?.registerCode ?? null;
    },
  };
}

export type RegistrationRepository = ReturnType<typeof registrationRepositoryFactory>;
