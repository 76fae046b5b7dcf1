import { AppError } from '../../lib/errors';

/** Turns a `wx.login` code into the user's openid. */
export interface WechatProvider {
  readonly kind: 'wechat' | 'development';
  exchange(code: string): Promise<{ openid: string }>;
}

interface Code2SessionAnswer {
  openid?: string;
  session_key?: string;
  unionid?: string;
  errcode?: number;
  errmsg?: string;
}

/**
 * WeChat's code2session. The session_key it returns is dropped here on purpose:
 * nothing in this system needs it, so it is never stored nor logged.
 */
export function wechatCode2SessionProvider(opts: {
  appId: string;
  appSecret: string;
  apiBase: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}): WechatProvider {
  const doFetch = opts.fetchImpl ?? fetch;
  return {
    kind: 'wechat',
    async exchange(code) {
      const url = new URL('/sns/jscode2session', opts.apiBase);
      url.search = new URLSearchParams({
        appid: opts.appId,
        secret: opts.appSecret,
        js_code: code,
        grant_type: 'authorization_code',
      }).toString();
      let answer: Code2SessionAnswer;
      try {
        const res = await doFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
        answer = (await res.json()) as Code2SessionAnswer;
      } catch {
        throw new AppError('SERVICE_UNAVAILABLE', '微信服务暂时无法访问，请稍后再试');
      }
      if (answer.errcode === -1) throw new AppError('SERVICE_UNAVAILABLE', '微信服务繁忙，请稍后再试');
      if (answer.errcode === 45011) throw new AppError('RATE_LIMITED', '登录太频繁，请稍后再试', { headers: { 'retry-after': '60' } });
      if (answer.errcode || !answer.openid) throw new AppError('WECHAT_LOGIN_FAILED');
      return { openid: answer.openid };
    },
  };
}

const DEV_CODE = /^dev:([A-Za-z0-9_-]{1,32})$/;

/** Development sign-in (`dev:<name>` → openid `dev_<name>`); config makes it unreachable in production. */
export const developmentProvider: WechatProvider = {
  kind: 'development',
  async exchange(code) {
    const match = DEV_CODE.exec(code);
    if (!match) throw new AppError('WECHAT_LOGIN_FAILED', '开发登录码格式应为 dev:<name>');
    return { openid: `dev_${match[1]}` };
  },
};
