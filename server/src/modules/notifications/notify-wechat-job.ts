import type PgBoss from 'pg-boss';
import type { PipelineRepository } from './pipeline-repository';
import { SENDING_STALE_SECONDS } from './pipeline-queues';
import { WX, WechatUnavailableError, type WechatSender } from './wechat-sender';

type WechatJob = PgBoss.JobWithMetadata<{ messageId: string }>;

/**
 * The `notify-wechat` job: one delivery sent by subscribeMessage. The delivery is taken by one
 * sender at a time (a sender that died is taken over after SENDING_STALE_SECONDS), so a member is
 * sent a message at least once and shown it once; WeChat's answer decides what happens to the
 * member's subscription credit.
 */
export function notifyWechatJobFactory(deps: { repo: PipelineRepository; sender: WechatSender | null }) {
  const { repo } = deps;

  /** Sends one delivery; throws to have pg-boss retry it later. */
  async function deliver(job: WechatJob): Promise<void> {
    const sender = deps.sender;
    const messageId = job.data.messageId;
    if (!sender) throw new Error('no WeChat sender in this process');
    const d = await repo.takeDelivery(messageId, SENDING_STALE_SECONDS);
    if (d === null) return;
    if (d === 'busy') throw new Error('delivery in flight elsewhere');
    const lastTry = job.retryCount >= job.retryLimit;
    let errcode: number;
    try {
      ({ errcode } = await sender.send({ openid: d.openid, templateId: d.templateId, page: d.page, data: d.data }));
    } catch (e) {
      if (!(e instanceof WechatUnavailableError)) {
        await repo.finishDelivery(messageId, 'queued', 'internal error', 'keep');
        throw e;
      }
      errcode = WX.BUSY;
    }
    if (errcode === WX.OK) return repo.finishDelivery(messageId, 'sent', null, 'keep');
    // WeChat has no subscription left for this user and template: spend nothing more on it.
    if (errcode === WX.NO_SUBSCRIPTION) return repo.finishDelivery(messageId, 'refused', String(errcode), 'zero');
    if (errcode === WX.BUSY && !lastTry) {
      await repo.finishDelivery(messageId, 'queued', String(errcode), 'keep');
      throw new Error(`WeChat busy (${errcode})`);
    }
    // Given up (or refused for the message itself): WeChat did not use the user's subscription.
    await repo.finishDelivery(messageId, 'failed', String(errcode), 'refund');
  }

  return { deliver };
}
