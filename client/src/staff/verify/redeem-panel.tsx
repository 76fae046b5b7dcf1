import { useRef, useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { DIALOG, type Reward } from '@pioneer/shared';
import { useRequest } from '@/hooks/use-request';
import { ApiError, errorMessage, newIdempotencyKey } from '@/services/http';
import { listRewards, redeemReward } from '@/services/records';

function redeemMessage(err: unknown): string {
  if (err instanceof ApiError && err.code === 'INSUFFICIENT_POINTS') return '该党员积分不足，无法兑换';
  if (err instanceof ApiError && err.code === 'OUT_OF_STOCK') return '该物品已兑完';
  if (err instanceof ApiError && err.code === 'CODE_EXPIRED') return '先锋码已过期，请党员刷新后重新扫码';
  return errorMessage(err);
}

/**
 * 兑换 on the scan page: when the community's 爱心超市 has rewards, the verified member's 先锋码
 * redeems one of them (one Idempotency-Key per confirmed tap, so a retry never redeems twice).
 */
export default function RedeemPanel(props: {
  orgId: string;
  token: string;
  memberName: string;
  onNotice: (kind: 'ok' | 'error', text: string) => void;
}) {
  const rewards = useRequest(() => listRewards(props.orgId), [props.orgId]);
  const [busy, setBusy] = useState(false);
  const keys = useRef(new Map<string, string>());
  const items = (rewards.data ?? []).filter((r) => r.active);
  if (items.length === 0) return null;

  const redeem = async (r: Reward) => {
    if (busy || r.stock <= 0) return;
    const { confirm } = await Taro.showModal({
      title: '兑换',
      content: `为 ${props.memberName} 兑换「${r.name}」，扣除 ${r.pointsCost} 积分。`,
      confirmText: '确认兑换',
      cancelText: DIALOG.keep,
    });
    if (!confirm) return;
    const key = keys.current.get(r.id) ?? newIdempotencyKey();
    keys.current.set(r.id, key);
    setBusy(true);
    try {
      const answer = await redeemReward(r.id, props.token, key);
      keys.current.delete(r.id);
      rewards.setData((list) => (list ?? []).map((x) => (x.id === r.id ? { ...x, stock: answer.stock } : x)));
      props.onNotice('ok', `已为 ${props.memberName} 兑换「${r.name}」，剩余积分 ${answer.balance}`);
    } catch (err) {
      // A refusal is final for this key; a lost answer keeps it so the retry redeems once.
      if (err instanceof ApiError && err.status > 0) keys.current.delete(r.id);
      props.onNotice('error', redeemMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="verify__redeem" data-testid="redeem-panel">
      <View className="verify__section">爱心超市兑换</View>
      {items.map((r) => (
        <View
          key={r.id}
          className={`verify__task ${r.stock <= 0 || busy ? 'is-disabled' : ''}`}
          onClick={() => redeem(r)}
          data-testid="redeem-reward"
        >
          <View className="verify__task-main">
            <View className="verify__task-title">{r.name}</View>
            <View className="muted">{r.stock > 0 ? `库存 ${r.stock}` : '已兑完'}</View>
          </View>
          <Text className="accent">{r.pointsCost} 积分 · 兑换</Text>
        </View>
      ))}
    </View>
  );
}
