import { INVALID_TOKEN_ERRCODES, WechatUnavailableError, type WechatClient } from '../../lib/wechat-client';

export { WechatUnavailableError };

/** WeChat errcodes the pipeline tells apart. */
export const WX = {
  OK: 0,
  BUSY: -1,
  /** The user holds no subscription for this template (any more). */
  NO_SUBSCRIPTION: 43101,
  INVALID_TOKEN: INVALID_TOKEN_ERRCODES,
} as const;

interface SubscribeMessage {
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

/** `subscribeMessage.send` through the WeChat client (its shared access token, one forced refresh on an invalid-token answer). */
export function wechatSenderFactory(deps: { client: WechatClient; miniprogramState: 'formal' | 'trial' | 'developer' }): WechatSender {
  return {
    accessToken: () => deps.client.accessToken(),
    async send(m) {
      const answer = await deps.client.call('/cgi-bin/message/subscribe/send', {
        touser: m.openid,
        template_id: m.templateId,
        page: m.page,
        data: m.data,
        miniprogram_state: deps.miniprogramState,
        lang: 'zh_CN',
      });
      const errcode = answer.errcode ?? 0;
      if (!Number.isFinite(errcode)) throw new WechatUnavailableError('WeChat answered without an errcode');
      return { errcode };
    },
  };
}
