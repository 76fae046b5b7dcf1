import type pg from 'pg';

/** WeChat errcodes the pipeline tells apart. */
export const WX = {
  OK: 0,
  BUSY: -1,
  /** The user holds no subscription for this template (any more). */
  NO_SUBSCRIPTION: 43101,
  INVALID_TOKEN: [40001, 40014, 42001] as readonly number[],
} as const;

export interface SubscribeMessage {
  openid: string;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
}

export interface WechatSender {
  /** WeChat's errcode (0: sent). Throws only when WeChat could not be reached or answered garbage. */
  send(message: SubscribeMessage): Promise<{ errcode: number }>;
  /** The current access token (exposed for tests of the cache). */
  accessToken(): Promise<string>;
}

/** Refresh this long before WeChat's expiry, so no process uses a token in its last minutes. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const HTTP_TIMEOUT_MS = 8_000;
/** Advisory lock namespace of token refreshes (one refresh at a time across processes). */
const TOKEN_LOCK = 7262013;

export class WechatUnavailableError extends Error {}

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch {
    // The URL carries the access token: never let it reach an error message or a log.
    throw new WechatUnavailableError('WeChat unreachable');
  }
  if (!res.ok) throw new WechatUnavailableError(`WeChat answered HTTP ${res.status}`);
  try {
    return (await res.json()) as Record<string, unknown>;
  } catch {
    throw new WechatUnavailableError('WeChat answered a body that is not JSON');
  }
}

/**
 * `subscribeMessage.send` with an access token from `stable_token`. The token lives in PostgreSQL
 * (`wechat_tokens`) so every process shares one; a process refreshes it under an advisory lock
 * when it is within five minutes of expiring, and the others wait and read the new one. A send
 * that WeChat answers with an invalid-token code refreshes with `force_refresh` and tries once more.
 */
export function wechatSenderFactory(deps: {
  pool: pg.Pool;
  appId: string;
  appSecret: string;
  apiBase: string;
  miniprogramState: 'formal' | 'trial' | 'developer';
}): WechatSender {
  let cached: { token: string; expiresAt: number } | null = null;
  const fresh = (t: { expiresAt: number } | null) => t !== null && t.expiresAt - Date.now() > REFRESH_MARGIN_MS;

  async function stored(q: pg.Pool | pg.PoolClient) {
    const { rows } = await q.query<{ access_token: string; expires_at: Date }>(
      'select access_token, expires_at from wechat_tokens where app_id = $1',
      [deps.appId],
    );
    return rows[0] ? { token: rows[0].access_token, expiresAt: rows[0].expires_at.getTime() } : null;
  }

  async function refresh(rejected: string | null): Promise<string> {
    const client = await deps.pool.connect();
    try {
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [TOKEN_LOCK, deps.appId]);
      // Another process may have refreshed while this one waited for the lock.
      const now = await stored(client);
      if (fresh(now) && now!.token !== rejected) {
        await client.query('commit');
        cached = now;
        return now!.token;
      }
      const answer = await postJson(`${deps.apiBase}/cgi-bin/stable_token`, {
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
      await client.query('commit');
      cached = { token, expiresAt };
      return token;
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
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

  async function sendWith(token: string, m: SubscribeMessage): Promise<number> {
    const answer = await postJson(`${deps.apiBase}/cgi-bin/message/subscribe/send?access_token=${encodeURIComponent(token)}`, {
      touser: m.openid,
      template_id: m.templateId,
      page: m.page,
      data: m.data,
      miniprogram_state: deps.miniprogramState,
      lang: 'zh_CN',
    });
    const code = typeof answer.errcode === 'number' ? answer.errcode : Number(answer.errcode ?? 0);
    if (!Number.isFinite(code)) throw new WechatUnavailableError('WeChat answered without an errcode');
    return code;
  }

  return {
    accessToken,
    async send(m) {
      const token = await accessToken();
      let errcode = await sendWith(token, m);
      if (WX.INVALID_TOKEN.includes(errcode)) {
        cached = null;
        errcode = await sendWith(await refresh(token), m);
      }
      return { errcode };
    },
  };
}
