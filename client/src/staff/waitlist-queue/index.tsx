import { TERMS, WAITLIST_STATE_LABELS, type WaitlistQueueItem } from '@pioneer/shared';
import { View, Text } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import TaskCard from '@/components/TaskCard';
import { useRequest } from '@/hooks/use-request';
import { getTask } from '@/services/tasks';
import { getWaitlistQueue } from '@/services/waitlist';
import { formatCountdown, formatDateTime } from '@/utils/time';
import './index.scss';

function Row({ item, now }: { item: WaitlistQueueItem; now: number }) {
  const left = item.offerExpiresAt ? Date.parse(item.offerExpiresAt) - now : null;
  return (
    <View className={`wq__row wq__row--${item.status}`}>
      <View className="wq__pos">{item.position ?? '—'}</View>
      <View className="wq__who">
        <View className="wq__name">
          {item.member.name} <Text className="muted">{item.member.phone}</Text>
        </View>
        <View className="muted">候补于 {formatDateTime(item.joinedAt)}</View>
        {item.offerExpiresAt ? (
          <View className="wq__deadline">
            {`保留至 ${formatDateTime(item.offerExpiresAt)}${left !== null && left > 0 ? `（剩余 ${formatCountdown(left)}）` : ''}`}
          </View>
        ) : null}
      </View>
      <Text className="wq__status">{WAITLIST_STATE_LABELS[item.status]}</Text>
    </View>
  );
}

/** A post's 候补 queue for its secretary (and the admins above): offers with deadlines, the waiting order, closed entries. */
export function WaitlistQueue({ id }: { id: string }) {
  const detail = useRequest(() => getTask(id), [id]);
  const queue = useRequest(() => getWaitlistQueue(id), [id]);
  const now = Date.now();
  const items = queue.data?.items ?? [];
  const active = items.filter((i) => i.status === 'waiting' || i.status === 'offered');
  const closed = items.filter((i) => i.status !== 'waiting' && i.status !== 'offered');
  return (
    <StateView loading={detail.loading && !detail.data} error={detail.error} onRetry={detail.retryable ? detail.reload : undefined}>
      {detail.data ? <TaskCard task={detail.data.task} /> : null}
      <StateView loading={queue.loading && !queue.data} error={queue.error} onRetry={queue.reload}>
        <View className="card">
          <View className="card-title">
            候补队列{' '}
            <Text className="muted">
              （{TERMS.waitlistedCount(queue.data?.waiting ?? 0)}
              {queue.data?.offered ? `，${queue.data.offered} 个名额保留中` : ''}）
            </Text>
          </View>
          <View className="muted">有名额空出时，按顺序为排在最前的党员保留名额，过期未接受则顺延给下一位。</View>
          {active.length === 0 ? <View className="state-box muted">暂无党员候补</View> : null}
          {active.map((item, i) => (
            <Row key={`a${i}`} item={item} now={now} />
          ))}
          <View className="btn btn-plain wq__reload" onClick={() => queue.reload()}>
            刷新
          </View>
        </View>
        {closed.length > 0 ? (
          <View className="card">
            <View className="card-title">已结束的候补</View>
            {closed.map((item, i) => (
              <Row key={`c${i}`} item={item} now={now} />
            ))}
          </View>
        ) : null}
      </StateView>
    </StateView>
  );
}

export default function WaitlistQueuePage() {
  const id = useRouter().params.id ?? '';
  return (
    <View className="page wq">
      <SecretaryGate>{() => <WaitlistQueue id={id} />}</SecretaryGate>
    </View>
  );
}
