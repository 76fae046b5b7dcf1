import { and, eq, sql } from 'drizzle-orm';
import type { RoleGrant } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { members, roleGrants, users } from '../../db/schema';
import type { Principal } from '../../plugins/auth';

const UUID = /^[0-9a-f-]{36}$/i;

export function authRepositoryFactory(db: Db) {
  const principalQuery = db
    .select({
      userId: users.id,
      memberId: members.id,
      memberCommunityOrgId: members.communityOrgId,
      roles: sql<RoleGrant[]>`coalesce((select json_agg(json_build_object('role', g.role, 'orgId', g.org_id) order by g.created_at)
        from role_grants g where g.user_id = ${users.id}), '[]'::json)`,
    })
    .from(users)
    .leftJoin(members, eq(members.userId, users.id))
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('load_principal');

  return {
    async loadPrincipal(userId: string): Promise<Principal | null> {
      if (!UUID.test(userId)) return null;
      const [row] = await principalQuery.execute({ userId });
      if (!row) return null;
      const roles: RoleGrant[] = row.memberId ? [{ role: 'member', orgId: null }, ...row.roles] : row.roles;
      return { userId: row.userId, roles, memberId: row.memberId, memberCommunityOrgId: row.memberCommunityOrgId };
    },

    /** Users that exist among `userIds`, each with its member id if registered. */
    async findMemberIds(userIds: string[]): Promise<Array<{ userId: string; memberId: string | null }>> {
      const ids = userIds.filter((id) => UUID.test(id));
      if (ids.length === 0) return [];
      return db
        .select({ userId: users.id, memberId: members.id })
        .from(users)
        .leftJoin(members, eq(members.userId, users.id))
        // One array parameter however many ids: a burst looks up hundreds at once.
        .where(sql`${users.id} = any(${sql.param(ids)}::uuid[])`);
    },

    async upsertUserByOpenid(openid: string, tx: DbOrTx = db): Promise<{ id: string }> {
      const [row] = await tx
        .insert(users)
        .values({ openid })
        .onConflictDoUpdate({ target: users.openid, set: { lastLoginAt: sql`now()` } })
        .returning({ id: users.id });
      return row;
    },

    async grant(userId: string, role: RoleGrant['role'], orgId: string | null, tx: DbOrTx = db): Promise<void> {
      await tx.insert(roleGrants).values({ userId, role, orgId }).onConflictDoNothing();
    },

    async hasGrant(userId: string, role: RoleGrant['role'], orgId: string | null, tx: DbOrTx = db): Promise<boolean> {
      const rows = await tx
        .select({ id: roleGrants.id })
        .from(roleGrants)
        .where(
          and(
            eq(roleGrants.userId, userId),
            eq(roleGrants.role, role),
            orgId === null ? sql`${roleGrants.orgId} is null` : eq(roleGrants.orgId, orgId),
          ),
        );
      return rows.length > 0;
    },
  };
}

export type AuthRepository = ReturnType<typeof authRepositoryFactory>;
