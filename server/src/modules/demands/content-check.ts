import { AppError } from '../../lib/errors';

/** Screens user text before it is stored; WeChat's msgSecCheck when credentials exist. */
export interface ContentCheck {
  readonly kind: 'wechat' | 'none';
  /** Throws 400 VALIDATION_FAILED (details path `field`) for risky text. */
  check(text: string, openid: string, field: string): Promise<void>;
}

export const noContentCheck: ContentCheck = { kind: 'none', async check() {} };

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  access_token?: string;
  expires_in?: number;
  result?: { suggest?: string; label?: number };
}

const TOKEN_INVALID = new Set([40001, 40014, 42001]);
/** msg_sec_check scene 3: forum-like text a user posts for others to read. */
const SCENE_FORUM = 3;

/**
 * WeChat `security.msgSecCheck` (v2) with a cached `client_credential` access token, refreshed
 * once when WeChat says it is invalid or expired. Unreachable or busy WeChat is 503: the text is
 * never stored unchecked.
 */
export function wechatContentCheck(opts: { appId: string; appSecret: string; apiBase: string; fetchImpl?: typeof fetch; timeoutMs?: number }): ContentCheck {
  const doFetch = opts.fetchImpl ?? fetch;
  const timeout = opts.timeoutMs ?? 5000;
  let cached: { token: string; expiresAt: number } | null = null;
  let pending: Promise<string> | null = null;

  const unavailable = () => new AppError('SERVICE_UNAVAILABLE', '内容安全检查暂时无法完成，请稍后再试', { headers: { 'retry-after': '5' } });

  async function call(url: URL, init?: RequestInit): Promise<WechatAnswer> {
    try {
      const res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeout) });
      return (await res.json()) as WechatAnswer;
    } catch {
      throw unavailable();
    }
  }

  async function fetchToken(): Promise<string> {
    const url = new URL('/cgi-bin/token', opts.apiBase);
    url.search = new URLSearchParams({ grant_type: 'client_credential', appid: opts.appId, secret: opts.appSecret }).toString();
    const answer = await call(url);
    if (!answer.access_token) throw unavailable();
    // Renew five minutes early.
    cached = { token: answer.access_token, expiresAt: Date.now() + Math.max(60, (answer.expires_in ?? 7200) - 300) * 1000 };
    return answer.access_token;
  }

  async function token(force: boolean): Promise<string> {
    if (!force && cached && cached.expiresAt > Date.now()) return cached.token;
    // One refresh at a time: concurrent callers share it.
    pending ??= fetchToken().finally(() => {
      pending = null;
    });
    return pending;
  }

  async function check(content: string, openid: string, retry: boolean): Promise<WechatAnswer> {
    const url = new URL('/wxa/msg_sec_check', opts.apiBase);
    url.search = new URLSearchParams({ access_token: await token(retry) }).toString();
    const answer = await call(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content, version: 2, scene: SCENE_FORUM, openid }),
    });
    if (!retry && answer.errcode !== undefined && TOKEN_INVALID.has(answer.errcode)) return check(content, openid, true);
    return answer;
  }

  return {
    kind: 'wechat',
    async check(text, openid, field) {
      const answer = await check(text, openid, false);
      // 87014: v1's "risky content"; v2 answers errcode 0 with result.suggest.
      if (answer.errcode === 87014 || answer.result?.suggest === 'risky') {
        throw new AppError('VALIDATION_FAILED', '内容含有违规信息，请修改后再提交', { details: [{ path: field, reason: 'content_risky' }] });
      }
      if (answer.errcode !== 0 && answer.errcode !== undefined) throw unavailable();
    },
  };
}
