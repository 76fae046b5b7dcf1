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

/** An access token and when it expires (ms since the epoch). */
export interface StoredToken {
  token: string;
  expiresAt: number;
}

/**
 * Where the access token lives, shared by every process (the notifications module's repository,
 * wired in app.ts: lib reaches no module).
 */
export interface WechatTokenStore {
  read(appId: string): Promise<StoredToken | null>;
  /**
   * Runs `refresh` in a transaction holding the app's refresh lock (one refresh at a time across
   * processes), handing it the token stored when the lock was taken. A token it answers is
   * stored and answered; `null` keeps the stored one (another process refreshed meanwhile).
   */
  refreshUnderLock(appId: string, refresh: (stored: StoredToken | null) => Promise<StoredToken | null>): Promise<StoredToken>;
}

/** Refresh this long before WeChat's expiry, so no process uses a token in its last minutes. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const TIMEOUT_MS = 8_000;

/**
 * The one client of WeChat's server API (subscribe messages, content checks, phone numbers). Its
 * access token comes from `stable_token`, which, unlike `/cgi-bin/token`, does not void a token
 * another caller holds. The token lives in PostgreSQL (`wechat_tokens`) so every process shares
 * one; a process refreshes it under an advisory lock when it is within five minutes of expiring,
 * and the others wait and read the new one.
 */
export function wechatClientFactory(deps: { tokens: WechatTokenStore; appId: string; appSecret: string; apiBase: string }): WechatClient {
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

  async function refresh(rejected: string | null): Promise<string> {
    const latest = await deps.tokens.refreshUnderLock(deps.appId, async (now) => {
      // Another process may have refreshed while this one waited for the lock.
      if (fresh(now) && now!.token !== rejected) return null;
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
      return { token, expiresAt: Date.now() + expiresIn * 1000 };
    });
    cached = latest;
    return latest.token;
  }

  async function accessToken(): Promise<string> {
    if (fresh(cached)) return cached!.token;
    const row = await deps.tokens.read(deps.appId);
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
