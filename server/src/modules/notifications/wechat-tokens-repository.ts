import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { wechatTokens } from '../../db/schema';
import { transaction } from '../../db/transaction';
import type { StoredToken, WechatTokenStore } from '../../lib/wechat-client';

/** Advisory lock namespace of token refreshes (one refresh at a time across processes). */
const TOKEN_LOCK = 7262013;

async function read(on: DbOrTx, appId: string): Promise<StoredToken | null> {
  const [row] = await on
    .select({ token: wechatTokens.accessToken, expiresAt: wechatTokens.expiresAt })
    .from(wechatTokens)
    .where(eq(wechatTokens.appId, appId));
  return row ? { token: row.token, expiresAt: row.expiresAt.getTime() } : null;
}

/** WeChat's access token in PostgreSQL, shared by every process: the store lib/wechat-client.ts is handed. */
export function wechatTokensRepositoryFactory(db: DbOrTx): WechatTokenStore {
  return {
    read: (appId) => read(db, appId),
    refreshUnderLock: (appId, refresh) =>
      transaction(db, async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${TOKEN_LOCK}, hashtext(${appId}))`);
        const stored = await read(tx, appId);
        const next = await refresh(stored);
        if (!next) {
          if (!stored) throw new Error('no stored WeChat token to keep');
          return stored;
        }
        const row = { accessToken: next.token, expiresAt: new Date(next.expiresAt), refreshedAt: sql`now()` };
        await tx
          .insert(wechatTokens)
          .values({ appId, ...row })
          .onConflictDoUpdate({ target: wechatTokens.appId, set: row });
        return next;
      }),
  };
}
