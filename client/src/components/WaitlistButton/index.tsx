import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { MY_STATE, type MyWaitlist, type TaskListItem } from '@pioneer/shared';
import { useNow } from '@/hooks/use-now';
import { acceptOffer } from '@/services/waitlist';
import { formatOfferLeft } from '@/utils/waitlist';
import { ApiError, errorMessage } from '@/services/http';
import { askSubscribe, SUBSCRIBE_ON } from '@/services/notifications';
import { joinWaitlist } from '@/services/waitlist';
import '@/components/GrabButton/index.scss';

/** The 候补 button on a full post's card (home): joins in place and shows the position. */
export default function WaitlistButton({ task, position: known }: { task: TaskListItem; position?: number | null }) {
  const [position, setPosition] = useState<number | null>(known ?? null);
  const [busy, setBusy] = useState(false);
  if (position !== null) {
    return (
      <View className="grab-btn grab-btn--waiting grab-btn--normal" data-state="waiting" role="button" aria-disabled>
        <Text className="grab-btn__label">{MY_STATE.waiting(position)}</Text>
      </View>
    );
  }
  return (
    <View
      className="grab-btn grab-btn--open grab-btn--normal"
      data-state="can_join"
      role="button"
      aria-disabled={busy}
      onClick={async (e) => {
        e.stopPropagation?.();
        if (busy) return;
        // Inside the tap, not awaited: WeChat refuses the dialog anywhere else.
        void askSubscribe(SUBSCRIBE_ON.waitlist);
        setBusy(true);
        try {
          const entry = await joinWaitlist(task.id);
          setPosition(entry.position);
          Taro.showToast({ title: `已加入候补，第 ${entry.position} 位`, icon: 'none' });
        } catch (err) {
          if (err instanceof ApiError && err.code === 'ALREADY_WAITLISTED') {
            Taro.navigateTo({ url: `/pages/task-detail/index?id=${task.id}` });
          }
          Taro.showToast({ title: errorMessage(err), icon: 'none' });
        } finally {
          setBusy(false);
        }
      }}
    >
      <Text className="grab-btn__label">{busy ? '候补中…' : '候补'}</Text>
    </View>
  );
}

/**
 * A held offer on a list card: 名额为您保留（剩余 mm:ss） with 接受 right there, so the member need
 * not open the post before the deadline. `onAccepted` lets the list mark the card 已抢到.
 */
export function OfferButton({ task, waitlist, onAccepted }: { task: TaskListItem; waitlist: MyWaitlist; onAccepted: () => void }) {
  const now = useNow(1000, true);
  const [busy, setBusy] = useState(false);
  const left = waitlist.offerExpiresAt ? Date.parse(waitlist.offerExpiresAt) - now : 0;
  if (left <= 0) {
    return (
      <View className="grab-btn grab-btn--ended grab-btn--normal" data-state="offer_expired" role="button" aria-disabled>
        <Text className="grab-btn__label">保留已过期</Text>
      </View>
    );
  }
  return (
    <View className="offer-inline" data-state="offered">
      <Text className="offer-inline__text">{MY_STATE.offered(formatOfferLeft(left))}</Text>
      <View
        className="grab-btn grab-btn--open grab-btn--normal"
        role="button"
        aria-disabled={busy}
        onClick={async (e) => {
          e.stopPropagation?.();
          if (busy) return;
          void askSubscribe(SUBSCRIBE_ON.grab);
          setBusy(true);
          try {
            await acceptOffer(task.id);
            Taro.showToast({ title: '已确认，名额是您的了', icon: 'success' });
            onAccepted();
          } catch (err) {
            Taro.showToast({ title: errorMessage(err), icon: 'none' });
          } finally {
            setBusy(false);
          }
        }}
      >
        <Text className="grab-btn__label">{busy ? '确认中…' : '接受'}</Text>
      </View>
    </View>
  );
}
