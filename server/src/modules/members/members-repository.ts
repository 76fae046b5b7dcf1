import { and, asc, eq, gt, inArray, lt, ne, or, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { MemberCard } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { claims, estates, memberConsents, members, partyOrgs, tasks, users } from '../../db/schema';

/** Whose posts a verifier may see claims on: everything, or some districts and communities. */
export type PostScope = { all: true } | { communityIds: string[]; districtIds: string[] };

const LIVE_CLAIM_STATUSES = ['claimed', 'checked_in', 'completed', 'no_show'] as const;

const unitOrg = alias(partyOrgs, 'unit_org');
const community = alias(partyOrgs, 'community_org');

export type MemberInsert = typeof members.$inferInsert;
type MemberRow = typeof members.$inferSelect;

/** A member row with the names of the orgs and estate it points at. */
export interface MemberView extends MemberRow {
  unitOrgName: string;
  communityName: string;
  communityDistrictId: string;
  estateName: string;
}

const viewColumns = {
  member: members,
  unitOrgName: unitOrg.name,
  communityName: community.name,
  communityDistrictId: community.districtId,
  estateName: estates.name,
};

export function membersRepositoryFactory(db: Db) {
  const viewQuery = (tx: DbOrTx) =>
    tx
      .select(viewColumns)
      .from(members)
      .innerJoin(unitOrg, eq(unitOrg.id, members.unitOrgId))
      .innerJoin(community, eq(community.id, members.communityOrgId))
      .innerJoin(estates, eq(estates.id, members.estateId));

  const toView = (r: {
    member: MemberRow;
    unitOrgName: string;
    communityName: string;
    communityDistrictId: string;
    estateName: string;
  }): MemberView => ({
    ...r.member,
    unitOrgName: r.unitOrgName,
    communityName: r.communityName,
    communityDistrictId: r.communityDistrictId,
    estateName: r.estateName,
  });

  /** Identity card as staff see it: the phone is always the masked one. */
  const toCard = (v: MemberView): MemberCard => ({
    id: v.id,
    name: v.name,
    phone: v.phoneMasked,
    unitOrg: { id: v.unitOrgId, name: v.unitOrgName },
    workUnit: v.workUnit,
    community: { id: v.communityOrgId, name: v.communityName },
    estate: { id: v.estateId, name: v.estateName },
  });

  async function findMemberCards(ids: readonly string[], tx: DbOrTx = db): Promise<MemberCard[]> {
    if (ids.length === 0) return [];
    const rows = await viewQuery(tx).where(inArray(members.id, [...new Set(ids)]));
    return rows.map((r) => toCard(toView(r)));
  }

  return {
    findMemberCards,

    async findMemberCard(id: string, tx: DbOrTx = db): Promise<MemberCard | null> {
      const [card] = await findMemberCards([id], tx);
      return card ?? null;
    },

    async findViewByUserId(userId: string, tx: DbOrTx = db): Promise<MemberView | null> {
      const [row] = await viewQuery(tx).where(eq(members.userId, userId));
      return row ? toView(row) : null;
    },

    async findByUserId(userId: string, tx: DbOrTx = db): Promise<MemberRow | null> {
      const [row] = await tx.select().from(members).where(eq(members.userId, userId));
      return row ?? null;
    },

    async findById(memberId: string, tx: DbOrTx = db): Promise<MemberRow | null> {
      const [row] = await tx.select().from(members).where(eq(members.id, memberId));
      return row ?? null;
    },

    /** Serialises concurrent registrations of one user (two taps on 报到) inside a transaction. */
    async lockUser(userId: string, tx: DbOrTx): Promise<void> {
      await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
    },

    async estateBelongsTo(estateId: string, communityOrgId: string, tx: DbOrTx = db): Promise<boolean> {
      const rows = await tx
        .select({ id: estates.id })
        .from(estates)
        .where(and(eq(estates.id, estateId), eq(estates.communityOrgId, communityOrgId)));
      return rows.length > 0;
    },

    /** Locks the user's member row for a change of the member as a whole (注销, consent): null when not registered. */
    async lockByUserId(userId: string, tx: DbOrTx): Promise<{ id: string; communityOrgId: string } | null> {
      const [row] = await tx
        .select({ id: members.id, communityOrgId: members.communityOrgId })
        .from(members)
        .where(eq(members.userId, userId))
        .for('update');
      return row ?? null;
    },

    async consents(memberId: string, tx: DbOrTx = db): Promise<Array<{ version: string; action: 'given' | 'withdrawn'; at: Date }>> {
      return tx
        .select({ version: memberConsents.version, action: memberConsents.action, at: memberConsents.at })
        .from(memberConsents)
        .where(eq(memberConsents.memberId, memberId))
        .orderBy(asc(memberConsents.at), asc(memberConsents.id));
    },

    async recordConsent(memberId: string, version: string, action: 'given' | 'withdrawn', at: Date, tx: DbOrTx = db): Promise<void> {
      await tx.insert(memberConsents).values({ memberId, version, action, at });
    },

    /** 注销's part here: the member row and its consents go. */
    async erase(memberId: string, tx: DbOrTx): Promise<void> {
      await tx.delete(memberConsents).where(eq(memberConsents.memberId, memberId));
      await tx.delete(members).where(eq(members.id, memberId));
    },

    async insert(values: MemberInsert, tx: DbOrTx = db): Promise<MemberRow> {
      const [row] = await tx.insert(members).values(values).returning();
      return row;
    },

    async update(id: string, values: Partial<MemberInsert>, tx: DbOrTx = db): Promise<MemberRow> {
      const [row] = await tx.update(members).set(values).where(eq(members.id, id)).returning();
      return row;
    },

    /** A member's live claims on posts in scope that overlap [from, to), earliest first. */
    async liveClaimsBetween(memberId: string, scope: PostScope, from: Date, to: Date, tx: DbOrTx = db) {
      let inScope: SQL | undefined;
      if (!('all' in scope)) {
        const parts: SQL[] = [];
        if (scope.communityIds.length) parts.push(inArray(tasks.communityOrgId, scope.communityIds));
        if (scope.districtIds.length) parts.push(inArray(partyOrgs.districtId, scope.districtIds));
        if (parts.length === 0) return [];
        inScope = or(...parts);
      }
      return tx
        .select({
          taskId: tasks.id,
          title: tasks.title,
          startsAt: tasks.startsAt,
          endsAt: tasks.endsAt,
          status: claims.status,
          checkedInAt: claims.checkedInAt,
        })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(
          and(
            eq(claims.memberId, memberId),
            inArray(claims.status, [...LIVE_CLAIM_STATUSES]),
            ne(tasks.status, 'cancelled'),
            lt(tasks.startsAt, to),
            gt(tasks.endsAt, from),
            inScope,
          ),
        )
        .orderBy(asc(tasks.startsAt), asc(tasks.id));
    },
  };
}

export type MembersRepository = ReturnType<typeof membersRepositoryFactory>;
