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
