import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { auditLog } from '../db/schema';

export interface AuditEntry {
  at: Date;
  actorUserId: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  /** Never clear personal data, codes or tokens. */
  data?: Record<string, unknown>;
}

/**
 * The action of every list or export that carries members' homes (building, unit, room) to their
 * community's staff: `data` says how (`via`), the scope and how many members (`rows`).
 */
export const HOME_READ_AUDIT = 'member.home_read';

export async function writeAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({ ...entry, data: entry.data ?? {} });
}

/** The latest entries of one action on one entity (or on none), newest first; found through the (entity, entity_id) index. */
export async function recentAudits(tx: DbOrTx, action: string, entity: string, entityId: string | null, limit: number) {
  return tx
    .select({ at: auditLog.at, data: auditLog.data })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.entity, entity),
        entityId === null ? isNull(auditLog.entityId) : eq(auditLog.entityId, entityId),
        eq(auditLog.action, action),
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
}

/** Every entry about one entity, oldest first (a member's own export). */
export async function auditAbout(tx: DbOrTx, entity: string, entityId: string) {
  const rows = await tx
    .select({ at: auditLog.at, action: auditLog.action, actorUserId: auditLog.actorUserId, data: auditLog.data })
    .from(auditLog)
    .where(and(eq(auditLog.entity, entity), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.at), asc(auditLog.id));
  return rows.map((r) => ({ ...r, data: r.data as Record<string, unknown> }));
}

/**
 * 注销's part of the trail: entries about the member lose their personal data and point at the
 * anonymous id its past claims now carry; the member's own acts on its own record (registering,
 * updating) lose their actor too, acts on anything else keep it.
 */
export async function anonymiseAuditAbout(tx: DbOrTx, memberId: string, anonymous: string, userId: string): Promise<void> {
  await tx
    .update(auditLog)
    .set({
      entityId: anonymous,
      data: {},
      actorUserId: sql`case when ${auditLog.actorUserId} = ${userId}::uuid then null else ${auditLog.actorUserId} end`,
    })
    .where(and(eq(auditLog.entity, 'member'), eq(auditLog.entityId, memberId)));
}
