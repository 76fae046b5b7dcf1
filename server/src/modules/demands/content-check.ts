import { AppError } from '../../lib/errors';
import { WechatUnavailableError, type WechatClient } from '../../lib/wechat-client';

/** Screens user text before it is stored; WeChat's msgSecCheck when credentials exist. */
export interface ContentCheck {
  readonly kind: 'wechat' | 'none';
  /** Throws 400 VALIDATION_FAILED (details path `field`) for risky text. */
  check(text: string, openid: string, field: string): Promise<void>;
}

export const noContentCheck: ContentCheck = { kind: 'none', async check() {} };

/** msg_sec_check scene 3: forum-like text a user posts for others to read. */
const SCENE_FORUM = 3;
/** On a request's path: a user waits for it. */
const TIMEOUT_MS = 5000;

/**
 * WeChat `security.msgSecCheck` (v2) through the WeChat client. Unreachable or busy WeChat is
 * 503: the text is never stored unchecked.
 */
export function wechatContentCheck(client: WechatClient): ContentCheck {
  const unavailable = () =>
    new AppError('SERVICE_UNAVAILABLE', '内容安全检查暂时无法完成，请稍后再试', { headers: { 'retry-after': '5' } });
  return {
    kind: 'wechat',
    async check(text, openid, field) {
      let answer;
      try {
        answer = await client.call(
          '/wxa/msg_sec_check',
          { content: text, version: 2, scene: SCENE_FORUM, openid },
          { timeoutMs: TIMEOUT_MS },
        );
      } catch (e) {
        if (e instanceof WechatUnavailableError) throw unavailable();
        throw e;
      }
      const result = answer.result as { suggest?: string } | undefined;
      // 87014: v1's "risky content"; v2 answers errcode 0 with result.suggest.
      if (answer.errcode === 87014 || result?.suggest === 'risky') {
        throw new AppError('VALIDATION_FAILED', '内容含有违规信息，请修改后再提交', {
          details: [{ path: field, reason: 'content_risky' }],
        });
      }
      if (answer.errcode !== 0 && answer.errcode !== undefined) throw unavailable();
    },
  };
}
