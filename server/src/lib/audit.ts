import { and, desc, eq, isNull } from 'drizzle-orm';
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
