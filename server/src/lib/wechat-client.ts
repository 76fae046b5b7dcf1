import type pg from 'pg';
import { inTransaction } from '../db/transaction';

/** WeChat could not be reached, or answered something that is not its JSON. */
export class WechatUnavailableError extends Error {}

/** errcodes saying the access token is invalid or expired. */
export const INVALID_TOKEN_ERRCODES: readonly number[] = [40001, 40014, 42001];

/** A WeChat server API answer: errors come as HTTP 200 with an `errcode`. */
export type WechatAnswer = Record<string, unknown> & { errcode?: number };

export interface WechatClient {
  /** The access token every process shares. */
  accessToken(): Promise<string>;
  /**
   * POSTs `body` as JSON to `path` with the access token. An answer saying the token is invalid
   * refreshes it (forced) and asks once more. Throws WechatUnavailableError when WeChat cannot be
   * reached or does not answer JSON.
   */
  call(path: string, body: unknown, opts?: { timeoutMs?: number }): Promise<WechatAnswer>;
}

/** Refresh this long before WeChat's expiry, so no process uses a token in its last minutes. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const TIMEOUT_MS = 8_000;
/** Advisory lock namespace of token refreshes (one refresh at a time across processes). */
const TOKEN_LOCK = 7262013;

/**
 * The one client of WeChat's server API (subscribe messages, content checks, phone numbers). Its
 * access token comes from `stable_token`, which, unlike `/cgi-bin/token`, does not void a token
 * another caller holds. The token lives in PostgreSQL (`wechat_tokens`) so every process shares
 * one; a process refreshes it under an advisory lock when it is within five minutes of expiring,
 * and the others wait and read the new one.
 */
export function wechatClientFactory(deps: { pool: pg.Pool; appId: string; appSecret: string; apiBase: string }): WechatClient {
  let cached: { token: string; expiresAt: number } | null = null;
  const fresh = (t: { expiresAt: number } | null) => t !== null && t.expiresAt - Date.now() > REFRESH_MARGIN_MS;

  async function postJson(path: string, body: unknown, timeoutMs = TIMEOUT_MS): Promise<WechatAnswer> {
    let res: Response;
    try {
      res = await fetch(new URL(path, deps.apiBase), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      // The URL carries the access token: never let it reach an error message or a log.
      throw new WechatUnavailableError('WeChat unreachable');
    }
    if (!res.ok) throw new WechatUnavailableError(`WeChat answered HTTP ${res.status}`);
    let answer: unknown;
    try {
      answer = await res.json();
    } catch {
      throw new WechatUnavailableError('WeChat answered a body that is not JSON');
    }
    if (!answer || typeof answer !== 'object') throw new WechatUnavailableError('WeChat answered a body that is not an object');
    const errcode = (answer as { errcode?: unknown }).errcode;
    // Some answers carry errcode as a string.
    return errcode === undefined ? (answer as WechatAnswer) : { ...(answer as WechatAnswer), errcode: Number(errcode) };
  }

  async function stored(q: pg.Pool | pg.PoolClient) {
    const { rows } = await q.query<{ access_token: string; expires_at: Date }>(
      'select access_token, expires_at from wechat_tokens where app_id = $1',
      [deps.appId],
    );
    return rows[0] ? { token: rows[0].access_token, expiresAt: rows[0].expires_at.getTime() } : null;
  }

  async function refresh(rejected: string | null): Promise<string> {
    const latest = await inTransaction(deps.pool, async (client) => {
      await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [TOKEN_LOCK, deps.appId]);
      // Another process may have refreshed while this one waited for the lock.
      const now = await stored(client);
      if (fresh(now) && now!.token !== rejected) return now!;
      const answer = await postJson('/cgi-bin/stable_token', {
        grant_type: 'client_credential',
        appid: deps.appId,
        secret: deps.appSecret,
        force_refresh: rejected !== null,
      });
      const token = answer.access_token;
      const expiresIn = answer.expires_in;
      if (typeof token !== 'string' || typeof expiresIn !== 'number') {
        throw new WechatUnavailableError(`stable_token failed (errcode ${String(answer.errcode ?? 'none')})`);
      }
      const expiresAt = Date.now() + expiresIn * 1000;
      await client.query(
        `insert into wechat_tokens (app_id, access_token, expires_at, refreshed_at) values ($1, $2, $3, now())
         on conflict (app_id) do update set access_token = excluded.access_token, expires_at = excluded.expires_at, refreshed_at = now()`,
        [deps.appId, token, new Date(expiresAt)],
      );
      return { token, expiresAt };
    });
    cached = latest;
    return latest.token;
  }

  async function accessToken(): Promise<string> {
    if (fresh(cached)) return cached!.token;
    const row = await stored(deps.pool);
    if (fresh(row)) {
      cached = row;
      return row!.token;
    }
    return refresh(null);
  }

  const withToken = (path: string, token: string) => `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;

  return {
    accessToken,
    async call(path, body, opts = {}) {
      const token = await accessToken();
      const answer = await postJson(withToken(path, token), body, opts.timeoutMs);
      if (answer.errcode === undefined || !INVALID_TOKEN_ERRCODES.includes(answer.errcode)) return answer;
      cached = null;
      return postJson(withToken(path, await refresh(token)), body, opts.timeoutMs);
    },
  };
}
