import { PHONE_PATTERN } from '@pioneer/shared';
import { AppError, invalid } from '../../lib/errors';
import type { Clock } from '../../lib/clock';

/** Turns the code of WeChat's getPhoneNumber button into the user's own mainland mobile number. */
export interface PhoneNumberProvider {
  exchange(code: string): Promise<string>;
}

interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  errcode?: number;
}

interface PhoneAnswer {
  errcode?: number;
  phone_info?: { purePhoneNumber?: string; countryCode?: string };
}

const ACCESS_TOKEN_EXPIRED = new Set([40001, 42001, 40014]);
const busy = () => new AppError('SERVICE_UNAVAILABLE', '微信服务暂时无法访问，请稍后再试或手动填写手机号', { headers: { 'retry-after': '5' } });

function mainland(phone: string | undefined, countryCode: string | undefined): string {
  if (!phone || (countryCode && countryCode !== '86') || !PHONE_PATTERN.test(phone)) {
    throw invalid('code', 'not a mainland mobile number', '暂不支持该手机号，请手动填写');
  }
  return phone;
}

/**
 * WeChat's `phonenumber.getPhoneNumber` (POST /wxa/business/getuserphonenumber). Its access token
 * comes from `/cgi-bin/stable_token`, which, unlike `/cgi-bin/token`, does not void the token another
 * server process already holds; it is kept until five minutes before it expires and fetched once
 * for concurrent callers.
 */
export function wechatPhoneNumberProvider(opts: {
  appId: string;
  appSecret: string;
  apiBase: string;
  clock: Clock;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}): PhoneNumberProvider {
  const doFetch = opts.fetchImpl ?? fetch;
  const timeout = () => AbortSignal.timeout(opts.timeoutMs ?? 5000);
  let cached: { token: string; until: number } | null = null;
  let inFlight: Promise<string> | null = null;

  const post = async <T>(path: string, body: unknown): Promise<T> => {
    try {
      const res = await doFetch(new URL(path, opts.apiBase), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: timeout(),
      });
      return (await res.json()) as T;
    } catch {
      throw busy();
    }
  };

  const fetchToken = async (): Promise<string> => {
    const answer = await post<TokenAnswer>('/cgi-bin/stable_token', {
      grant_type: 'client_credential',
      appid: opts.appId,
      secret: opts.appSecret,
    });
    if (!answer.access_token) throw busy();
    const lifetimeMs = Math.max((answer.expires_in ?? 7200) - 300, 60) * 1000;
    cached = { token: answer.access_token, until: opts.clock.now().getTime() + lifetimeMs };
    return answer.access_token;
  };

  const accessToken = (): Promise<string> => {
    if (cached && cached.until > opts.clock.now().getTime()) return Promise.resolve(cached.token);
    inFlight ??= fetchToken().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const ask = async (code: string) => {
    const token = await accessToken();
    return post<PhoneAnswer>(`/wxa/business/getuserphonenumber?access_token=${encodeURIComponent(token)}`, { code });
  };

  return {
    async exchange(code) {
      let answer = await ask(code);
      if (answer.errcode !== undefined && ACCESS_TOKEN_EXPIRED.has(answer.errcode)) {
        cached = null;
        answer = await ask(code);
      }
      if (answer.errcode === -1 || (answer.errcode !== undefined && ACCESS_TOKEN_EXPIRED.has(answer.errcode))) throw busy();
      if (answer.errcode || !answer.phone_info) throw new AppError('CODE_INVALID', '手机号授权已失效，请重新点击获取');
      return mainland(answer.phone_info.purePhoneNumber, answer.phone_info.countryCode);
    },
  };
}

const DEV_PHONE_CODE = /^dev:(\d{11})$/;

/** Development stand-in (`dev:<11 digits>`), used exactly when the development sign-in is. */
export const developmentPhoneNumberProvider: PhoneNumberProvider = {
  async exchange(code) {
    const match = DEV_PHONE_CODE.exec(code);
    if (!match) throw new AppError('CODE_INVALID', '开发环境的手机号授权码格式应为 dev:<11 位手机号>');
    return mainland(match[1], '86');
  },
};
