import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { TaskListItem } from '@pioneer/shared';
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
        <Text className="grab-btn__label">候补第 {position} 位</Text>
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
