import { useCallback, useState } from 'react';
import Taro from '@tarojs/taro';
import type { ClaimCreateResponse, User } from '@pioneer/shared';
import { ApiError, errorMessage, type ClientErrorCode } from '@/services/http';
import { askSubscribe, SUBSCRIBE_ON } from '@/services/notifications';
import { claimTask } from '@/services/tasks';

/** How a 抢 ended: the claim, the server's refusal (already shown), or a failure to reach it. */
export type GrabOutcome =
  | { kind: 'claimed'; result: ClaimCreateResponse }
  | { kind: 'refused'; code: ClientErrorCode }
  | { kind: 'failed' }
  | { kind: 'not_member' };

/**
 * 抢 as every page does it: only a registered member may; WeChat's subscribe dialog is asked
 * from the tap; the button shows 抢中… for that post until the answer; the answer is a toast.
 * The page decides what the outcome changes on it.
 */
export function useGrab(user: User | null) {
  const [pending, setPending] = useState<Record<string, boolean>>({});

  const grab = useCallback(
    async (taskId: string): Promise<GrabOutcome> => {
      if (!user?.memberId) {
        Taro.showModal({ title: '请先报到', content: '扫描社区报到二维码完成报到后即可抢岗位', showCancel: false });
        return { kind: 'not_member' };
      }
      // WeChat shows its subscribe dialog only from a tap: asked now, not awaited (the claim does not wait).
      void askSubscribe(SUBSCRIBE_ON.grab);
      setPending((p) => ({ ...p, [taskId]: true }));
      try {
        const result = await claimTask(taskId);
        Taro.showToast({ title: '抢到了！', icon: 'success' });
        return { kind: 'claimed', result };
      } catch (err) {
        Taro.showToast({ title: errorMessage(err), icon: 'none' });
        return err instanceof ApiError ? { kind: 'refused', code: err.code } : { kind: 'failed' };
      } finally {
        setPending((p) => ({ ...p, [taskId]: false }));
      }
    },
    [user?.memberId],
  );

  return { grab, pending };
}
