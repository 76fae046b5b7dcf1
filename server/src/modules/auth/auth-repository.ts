import { randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { isId, type RoleGrant } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { members, roleGrants, users } from '../../db/schema';
import type { Principal } from '../../lib/principal';
import { SESSIONS_REVOKED_CHANNEL } from './sessions-channel';

/** Also the auth plugin's PrincipalSource: the plugin names what it needs, app.ts hands it this repository. */
export function authRepositoryFactory(db: Db) {
  const principalQuery = db
    .select({
      userId: users.id,
      memberId: members.id,
      memberCommunityOrgId: members.communityOrgId,
      tokenVersion: users.tokenVersion,
      roles: sql<RoleGrant[]>`coalesce((select json_agg(json_build_object('role', g.role, 'orgId', g.org_id) order by g.created_at)
        from role_grants g where g.user_id = ${users.id}), '[]'::json)`,
    })
    .from(users)
    .leftJoin(members, eq(members.userId, users.id))
    .where(eq(users.id, sql.placeholder('userId')))
    .prepare('load_principal');

  return {
    async loadPrincipal(userId: string): Promise<Principal | null> {
      if (!isId(userId)) return null;
      const [row] = await principalQuery.execute({ userId });
      if (!row) return null;
      const roles: RoleGrant[] = row.memberId ? [{ role: 'member', orgId: null }, ...row.roles] : row.roles;
      return {
        userId: row.userId,
        roles,
        memberId: row.memberId,
        memberCommunityOrgId: row.memberCommunityOrgId,
        tokenVersion: row.tokenVersion,
      };
    },

    /**
     * Ends every session of the user: its token version moves on, and every process hears it on
     * SESSIONS_REVOKED_CHANNEL in the same statement.
     */
    async revokeSessions(userId: string): Promise<number | null> {
      const { rows } = await db.execute<{ token_version: number }>(sql`
        with u as (update users set token_version = token_version + 1 where id = ${userId}::uuid returning id, token_version)
        select token_version, pg_notify(${SESSIONS_REVOKED_CHANNEL}, json_build_object('userId', id, 'tokenVersion', token_version)::text)
          from u`);
      return rows[0]?.token_version ?? null;
    },

    /** Every user whose sessions were ever revoked, with the token version now valid (the revocation set's truth). */
    async revokedVersions(): Promise<Array<{ userId: string; tokenVersion: number }>> {
      return db
        .select({ userId: users.id, tokenVersion: users.tokenVersion })
        .from(users)
        .where(sql`${users.tokenVersion} > 0`);
    },

    /** Users that exist among `userIds`, each with its member id if registered. */
    async findMemberIds(userIds: string[]): Promise<Array<{ userId: string; memberId: string | null }>> {
      const ids = userIds.filter(isId);
      if (ids.length === 0) return [];
      return (
        db
          .select({ userId: users.id, memberId: members.id })
          .from(users)
          .leftJoin(members, eq(members.userId, users.id))
          // One array parameter however many ids: a burst looks up hundreds at once.
          .where(sql`${users.id} = any(${sql.param(ids)}::uuid[])`)
      );
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

    /** The user's own row as its export shows it. */
    async userRecord(userId: string, tx: DbOrTx = db): Promise<{ id: string; createdAt: Date; lastLoginAt: Date } | null> {
      const [row] = await tx
        .select({ id: users.id, createdAt: users.createdAt, lastLoginAt: users.lastLoginAt })
        .from(users)
        .where(eq(users.id, userId));
      return row ?? null;
    },

    async grantsOf(userId: string, tx: DbOrTx = db): Promise<Array<{ role: string; orgId: string | null }>> {
      return tx
        .select({ role: roleGrants.role, orgId: roleGrants.orgId })
        .from(roleGrants)
        .where(eq(roleGrants.userId, userId))
        .orderBy(asc(roleGrants.createdAt));
    },

    /**
     * 注销's part here: the openid link is broken (a later sign-in with the same WeChat account is
     * a new user) and, as logout does, the token version moves on and is announced on commit.
     */
    async eraseIdentity(userId: string, tx: DbOrTx): Promise<number> {
      const { rows } = await tx.execute<{ token_version: number }>(sql`
        with u as (update users set openid = ${`erased:${randomUUID()}`}, token_version = token_version + 1
                    where id = ${userId}::uuid returning id, token_version)
        select token_version, pg_notify(${SESSIONS_REVOKED_CHANNEL}, json_build_object('userId', id, 'tokenVersion', token_version)::text) from u`);
      return rows[0].token_version;
    },
  };
}

export type AuthRepository = ReturnType<typeof authRepositoryFactory>;
