import { DIALOG, TERMS } from '@pioneer/shared';
import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import ClaimantActions from '@/components/ClaimantActions';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import TaskCard from '@/components/TaskCard';
import { useLiveCounts, withLive } from '@/hooks/use-live-counts';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { cancelTask, getTask, listClaimants } from '@/services/tasks';
import { CLAIM_STATUS_LABELS } from '@/utils/grab';
import { formatDateTime } from '@/utils/time';
import { ROUTES } from '@/utils/routes';
import RecordPanel from './record-panel';
import './index.scss';

function Claimants({ id }: { id: string }) {
  const detail = useRequest(() => getTask(id), [id]);
  const claimants = useRequest(() => listClaimants(id), [id]);
  const live = useLiveCounts([id]);
  const [busy, setBusy] = useState(false);
  const task = detail.data ? withLive(detail.data.task, live) : null;
  const claimedNow = task?.claimed;

  // A live change in the count means someone claimed or cancelled: fetch the names again.
  const [seen, setSeen] = useState<number | undefined>(undefined);
  if (claimedNow !== undefined && claimedNow !== seen) {
    if (seen !== undefined) claimants.reload();
    setSeen(claimedNow);
  }

  const cancel = async () => {
    const { confirm } = await Taro.showModal({
      title: '取消岗位',
      content: '取消后已抢到的党员和候补的党员都会收到岗位取消的通知，且不能恢复。',
      confirmText: DIALOG.confirmCancelPost,
      cancelText: DIALOG.keep,
    });
    if (!confirm) return;
    setBusy(true);
    try {
      await cancelTask(id);
      Taro.showToast({ title: '岗位已取消', icon: 'success' });
      detail.reload();
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setBusy(false);
    }
  };

  const items = (claimants.data ?? []).filter((c) => c.claim.status !== 'cancelled' && c.claim.status !== 'released');

  return (
    <StateView loading={detail.loading && !detail.data} error={detail.error} onRetry={detail.retryable ? detail.reload : undefined}>
      {task ? <TaskCard task={task} /> : null}
      <View className="card">
        <View className="card-title">
          报名党员 <Text className="muted">（{items.length} 人）</Text>
        </View>
        {task && task.waitlisted > 0 ? (
          <View className="muted">{TERMS.waitlistedCount(task.waitlisted)}，有名额空出时按顺序自动顺延</View>
        ) : null}
        {task ? (
          <View className="btn btn-plain claimants__queue" onClick={() => Taro.navigateTo({ url: `${ROUTES.waitlistQueue}?id=${id}` })}>
            查看候补队列{task.waitlisted > 0 ? `（${task.waitlisted} 人）` : ''}
          </View>
        ) : null}
        <StateView
          loading={claimants.loading && !claimants.data}
          error={claimants.error}
          onRetry={claimants.reload}
          empty={items.length === 0}
          emptyText="暂无党员报名"
        >
          {items.map(({ claim, member }) => (
            <View key={claim.id} className="claimants__row">
              <View>
                <View className="claimants__name">
                  {member.name} <Text className="muted">{member.phone}</Text>
                </View>
                <View className="muted">
                  {member.unitOrg.name} · {member.estate.name}
                </View>
                <View className="muted">报名于 {formatDateTime(claim.claimedAt)}</View>
              </View>
              <View>
                <Text className={`claimants__status claimants__status--${claim.status}`}>
                  {CLAIM_STATUS_LABELS[claim.status]}
                  {claim.minutes ? ` ${claim.minutes}分钟` : ''}
                </Text>
                <ClaimantActions taskId={id} claim={claim} open={task?.status === 'open'} onChanged={claimants.reload} />
              </View>
            </View>
          ))}
        </StateView>
      </View>
      {task && task.status !== 'cancelled' && Date.now() >= Date.parse(task.startsAt) && claimants.data ? (
        <RecordPanel taskId={id} startsAt={task.startsAt} endsAt={task.endsAt} claimants={claimants.data} onRecorded={claimants.reload} />
      ) : null}
      {task?.status === 'open' ? (
        <View className="claimants__actions">
          <View className="btn" onClick={() => Taro.navigateTo({ url: `${ROUTES.verify}?taskId=${id}` })}>
            扫码签到 / 签退
          </View>
          {Date.now() < Date.parse(task.startsAt) ? (
            <View className="btn btn-plain" onClick={() => Taro.navigateTo({ url: `${ROUTES.publish}?id=${id}` })}>
              编辑岗位
            </View>
          ) : null}
          <View className={`btn btn-gray ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && cancel()}>
            取消岗位
          </View>
        </View>
      ) : null}
    </StateView>
  );
}

export default function ClaimantsPage() {
  const id = useRouter().params.id ?? '';
  return (
    <View className="page claimants">
      <SecretaryGate>{() => <Claimants id={id} />}</SecretaryGate>
    </View>
  );
}
