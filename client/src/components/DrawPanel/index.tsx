import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { MyEntry, Task, TaskListItem } from '@pioneer/shared';
import { usePanelAction } from '@/hooks/use-panel-action';
import { askSubscribe, SUBSCRIBE_ON } from '@/services/notifications';
import { enterDraw, withdrawDraw } from '@/services/waitlist';
import { newNonce, ticketOf } from '@/utils/ticket';
import { drawView } from '@/utils/waitlist';
import './index.scss';

/** The line a draw post carries everywhere: 抽签中 · 已有 N 人报名 · 开奖时间. */
export function DrawLine({ task }: { task: Pick<TaskListItem, 'allocation' | 'drawAt' | 'drawnAt' | 'entered' | 'status'> }) {
  const view = drawView({ task, now: Date.now() });
  if (view.kind === 'not_draw') return null;
  return <View className="draw-line">{view.line}</View>;
}

export interface DrawPanelProps {
  task: Task;
  memberId: string | null;
  myEntry: MyEntry | null;
  onChanged: () => void;
}

/**
 * Entering a draw: the app picks the nonce and computes its own ticket, then checks the
 * server's answer names the same ticket (so a member can find it in the public list).
 */
export default function DrawPanel({ task, memberId, myEntry, onChanged }: DrawPanelProps) {
  const { busy, run } = usePanelAction(onChanged);
  const [mismatch, setMismatch] = useState(false);
  const view = drawView({ task, myEntry, now: Date.now() });
  if (view.kind === 'not_draw') return null;

  const enter = async () => {
    if (!memberId) {
      Taro.showModal({ title: '请先报到', content: '扫描社区报到二维码完成报到后即可报名抽签', showCancel: false });
      return;
    }
    // Inside the tap, not awaited: the draw result and the reminders may then reach WeChat.
    void askSubscribe(SUBSCRIBE_ON.entry);
    await run(async () => {
      const nonce = newNonce();
      const mine = ticketOf(task.id, memberId, nonce);
      const entry = await enterDraw(task.id, nonce);
      setMismatch(entry.ticket !== mine);
      return { title: `已参与抽签，签号 ${mine}`, icon: 'none' };
    });
  };

  const withdraw = () =>
    run(async () => {
      await withdrawDraw(task.id);
      return { title: '已退出抽签', icon: 'none' };
    });

  return (
    <View className={`card draw draw--${view.kind}`} data-state={view.kind}>
      <View className="card-title">抽签</View>
      <View className="draw-line">{view.line}</View>
      {task.drawCommitment ? (
        <View className="muted draw__commit">承诺值 {task.drawCommitment.slice(0, 16)}…（开奖后可公开验证）</View>
      ) : null}
      {view.result ? <View className={`draw__result draw__result--${view.kind}`}>{view.result}</View> : null}
      {mismatch ? <View className="draw__warn">签号与本机计算不一致，请联系社区</View> : null}
      {view.kind === 'open' ? (
        <View className={`btn ${busy ? 'is-disabled' : ''}`} role="button" onClick={() => !busy && enter()}>
          报名抽签
        </View>
      ) : null}
      {view.kind === 'entered' ? (
        <View className={`btn btn-gray ${busy ? 'is-disabled' : ''}`} role="button" onClick={() => !busy && withdraw()}>
          退出抽签
        </View>
      ) : null}
      {view.kind === 'entered' ? <Text className="muted">开奖后自动公布结果，中签即获得名额</Text> : null}
    </View>
  );
}
