import { PHONE_PATTERN } from '@pioneer/shared';
import { AppError, invalid } from '../../lib/errors';
import { INVALID_TOKEN_ERRCODES, WechatUnavailableError, type WechatClient } from '../../lib/wechat-client';

/** Turns the code of WeChat's getPhoneNumber button into the user's own mainland mobile number. */
export interface PhoneNumberProvider {
  exchange(code: string): Promise<string>;
}

interface PhoneAnswer {
  errcode?: number;
  phone_info?: { purePhoneNumber?: string; countryCode?: string };
}

/** On a request's path: a user waits for it. */
const TIMEOUT_MS = 5000;
const busy = () =>
  new AppError('SERVICE_UNAVAILABLE', '微信服务暂时无法访问，请稍后再试或手动填写手机号', { headers: { 'retry-after': '5' } });

function mainland(phone: string | undefined, countryCode: string | undefined): string {
  if (!phone || (countryCode && countryCode !== '86') || !PHONE_PATTERN.test(phone)) {
    throw invalid('code', 'not a mainland mobile number', '暂不支持该手机号，请手动填写');
  }
  return phone;
}

/** WeChat's `phonenumber.getPhoneNumber` (POST /wxa/business/getuserphonenumber) through the WeChat client. */
export function wechatPhoneNumberProvider(client: WechatClient): PhoneNumberProvider {
  return {
    async exchange(code) {
      let answer: PhoneAnswer;
      try {
        answer = (await client.call('/wxa/business/getuserphonenumber', { code }, { timeoutMs: TIMEOUT_MS })) as PhoneAnswer;
      } catch (e) {
        if (e instanceof WechatUnavailableError) throw busy();
        throw e;
      }
      if (answer.errcode === -1 || (answer.errcode !== undefined && INVALID_TOKEN_ERRCODES.includes(answer.errcode))) throw busy();
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
