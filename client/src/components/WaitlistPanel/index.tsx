import { View } from '@tarojs/components';
import type { ClaimStatus, MyWaitlist, Task } from '@pioneer/shared';
import { useNow } from '@/hooks/use-now';
import { usePanelAction } from '@/hooks/use-panel-action';
import { askSubscribe, SUBSCRIBE_ON } from '@/services/notifications';
import { acceptOffer, declineOffer, joinWaitlist, leaveWaitlist } from '@/services/waitlist';
import { waitlistView } from '@/utils/waitlist';
import './index.scss';

export interface WaitlistPanelProps {
  task: Task;
  myClaimStatus?: ClaimStatus | null;
  myWaitlist: MyWaitlist | null;
  /** After any change: the page reloads the post. */
  onChanged: () => void;
}

/** 候补 on a full post: join, the position, the held offer with its countdown and 接受/放弃. */
export default function WaitlistPanel({ task, myClaimStatus, myWaitlist, onChanged }: WaitlistPanelProps) {
  const offered = myWaitlist?.status === 'offered';
  const now = useNow(1000, offered);
  const { busy, run: act } = usePanelAction(onChanged);
  const view = waitlistView({ task, myClaimStatus, myWaitlist, now: offered ? now : Date.now() });
  if (view.kind === 'none') return null;

  const run = (what: () => Promise<unknown>, done: string, subscribe?: keyof typeof SUBSCRIBE_ON) => {
    if (busy) return;
    // WeChat shows its subscribe dialog only from a tap: asked now, not awaited (the request does not wait).
    if (subscribe) void askSubscribe(SUBSCRIBE_ON[subscribe]);
    return act(async () => {
      await what();
      return { title: done, icon: 'success' };
    });
  };

  return (
    <View className={`card waitlist waitlist--${view.kind}`} data-state={view.kind}>
      <View className="card-title">候补</View>
      <View className="waitlist__text">{view.text}</View>
      <View className="waitlist__actions">
        {view.kind === 'can_join' ? (
          <View className="btn" role="button" onClick={() => run(() => joinWaitlist(task.id), '已加入候补', 'waitlist')}>
            加入候补
          </View>
        ) : null}
        {view.kind === 'waiting' ? (
          <View className="btn btn-gray" role="button" onClick={() => run(() => leaveWaitlist(task.id), '已退出候补')}>
            退出候补
          </View>
        ) : null}
        {view.kind === 'offered' ? (
          <>
            <View className="btn" role="button" onClick={() => run(() => acceptOffer(task.id), '已确认，名额是您的了', 'grab')}>
              接受
            </View>
            <View className="btn btn-gray" role="button" onClick={() => run(() => declineOffer(task.id), '已放弃，名额顺延')}>
              放弃
            </View>
          </>
        ) : null}
      </View>
    </View>
  );
}
