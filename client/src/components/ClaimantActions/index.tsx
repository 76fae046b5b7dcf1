import { useState } from 'react';
import { View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { Claim } from '@pioneer/shared';
import { errorMessage } from '@/services/http';
import { excuseNoShow, releaseClaim } from '@/services/waitlist';

const RELEASE_REASONS = ['党员临时有事', '岗位人员调整', '重复报名', '其他原因'];
const EXCUSE_REASONS = ['突发疾病', '紧急公务', '家庭急事', '其他原因'];

/** The secretary's release (释放名额) and excuse (免责) for one claimant, with a reason picked from a list. */
export default function ClaimantActions({
  taskId,
  claim,
  open,
  onChanged,
}: {
  taskId: string;
  claim: Claim;
  open: boolean;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const canRelease = open && claim.status === 'claimed';
  const canExcuse = claim.status === 'no_show' && !claim.excused;
  if (!canRelease && !canExcuse) return claim.excused ? <View className="muted">已免责</View> : null;

  const act = async (reasons: string[], run: (reason: string) => Promise<unknown>, done: string) => {
    if (busy) return;
    try {
      const { tapIndex } = await Taro.showActionSheet({ itemList: reasons });
      setBusy(true);
      await run(reasons[tapIndex]);
      Taro.showToast({ title: done, icon: 'success' });
      onChanged();
    } catch (err) {
      // Closing the sheet is not an error worth a toast.
      if (err instanceof Error && /cancel/i.test(err.message)) return;
      if ((err as { errMsg?: string })?.errMsg?.includes('cancel')) return;
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="row" style={{ gap: '12px' }}>
      {canRelease ? (
        <View
          className="btn btn-small btn-gray"
          role="button"
          onClick={() => act(RELEASE_REASONS, (r) => releaseClaim(taskId, claim.id, r), '已释放名额')}
        >
          释放名额
        </View>
      ) : null}
      {canExcuse ? (
        <View
          className="btn btn-small btn-gray"
          role="button"
          onClick={() => act(EXCUSE_REASONS, (r) => excuseNoShow(taskId, claim.id, r), '已免责')}
        >
          免责
        </View>
      ) : null}
    </View>
  );
}
