import { TERMS, WAITLIST_STATE_LABELS, type User, type WaitlistQueueItem } from '@pioneer/shared';
import { View, Text } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import StateView from '@/components/StateView';
import TaskCard from '@/components/TaskCard';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { secretaryOrgId } from '@/services/session';
import { getTask, listTasks, type TaskFilter } from '@/services/tasks';
import { ROUTES } from '@/utils/routes';
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

/**
 * The posts whose queue a caller may read, as the server lets it (`GET /tasks/:id/waitlist`): a
 * secretary its community's, a district admin its 板块's, a city admin every one. Null: none.
 */
export function queueScope(user: User | null): TaskFilter | null {
  const community = secretaryOrgId(user);
  if (community) return { communityOrgId: community };
  const district = user?.roles.find((g) => g.role === 'district_admin' && g.orgId)?.orgId;
  if (district) return { districtId: district };
  if (user?.roles.some((g) => g.role === 'city_admin')) return {};
  return null;
}

/** The open posts in scope, those with members waiting first: an admin's way to a post's queue from its landing. */
export function QueuePosts({ scope }: { scope: TaskFilter }) {
  const list = useRequest(() => listTasks({ ...scope, open: true, limit: 50 }), [JSON.stringify(scope)]);
  const items = [...(list.data?.items ?? [])].sort((a, b) => b.waitlisted - a.waitlisted);
  return (
    <StateView
      loading={list.loading && !list.data}
      error={list.error}
      onRetry={list.reload}
      empty={items.length === 0}
      emptyText="暂无招募中的岗位"
    >
      <View className="muted wq__hint">选择岗位查看候补队列</View>
      {items.map((task) => (
        <TaskCard
          key={task.id}
          task={task}
          onClick={() => Taro.navigateTo({ url: `${ROUTES.waitlistQueue}?id=${task.id}` })}
          footer={
            <View className="wq__count" data-testid="queue-post-count">
              {task.waitlisted > 0 ? TERMS.waitlistedCount(task.waitlisted) : '无人候补'}
            </View>
          }
        />
      ))}
    </StateView>
  );
}

/** A post's queue (`?id=`), or without one the posts to choose from. */
export default function WaitlistQueuePage() {
  const id = useRouter().params.id ?? '';
  const { ready, user, error, retry } = useAuthReady();
  const scope = queueScope(user);
  return (
    <View className="page wq">
      {!ready ? (
        <StateView loading error={error} onRetry={retry} />
      ) : !scope ? (
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">候补队列仅供社区书记和板块、市级管理员查看</View>
        </View>
      ) : id ? (
        <WaitlistQueue id={id} />
      ) : (
        <QueuePosts scope={scope} />
      )}
    </View>
  );
}
