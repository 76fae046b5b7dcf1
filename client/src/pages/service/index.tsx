import { View, Text } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { CORRECTION_KIND_LABELS, CORRECTION_STATE_LABELS, RECORD_SOURCE_LABELS, formatMinutes, type Records } from '@pioneer/shared';
import { useState } from 'react';
import Icon from '@/components/Icon';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getMyCorrections, getRecords } from '@/services/records';
import { CLAIM_STATUS_LABELS } from '@/utils/grab';
import { starView } from '@/utils/records';
import { ROUTES } from '@/utils/routes';
import { formatDateTime, formatRange } from '@/utils/time';
import './index.scss';

type Item = Records['items'][number];

const go = (url: string) => Taro.navigateTo({ url });

function correctionUrl(item: Item) {
  const { task, claim } = item;
  const q = [
    'kind=correct',
    `taskId=${task.id}`,
    `title=${encodeURIComponent(task.title)}`,
    `from=${encodeURIComponent(claim.checkedInAt ?? task.startsAt)}`,
    `to=${encodeURIComponent(claim.checkedOutAt ?? task.endsAt)}`,
  ];
  return `${ROUTES.correctionNew}?${q.join('&')}`;
}

function StarCard({ records }: { records: Records }) {
  const star = starView(records.totals.star);
  return (
    <View className="card service__star" data-testid="service-star">
      <View className="row between">
        <View className="row service__badge">
          <Icon name="star" color={records.totals.star.level > 0 ? '#faad14' : '#bfbfbf'} size={56} />
          <Text className="service__level">{star.label}</Text>
        </View>
        <View className="service__hours" data-testid="service-hours">
          {formatMinutes(records.totals.minutes)}
        </View>
      </View>
      <View className="service__bar">
        <View className="service__bar-fill" style={{ width: `${star.percent}%` }} />
      </View>
      <View className="muted">
        {star.next} · 共服务 {records.totals.tasks} 次
      </View>
    </View>
  );
}

export default function Service() {
  const { ready, user } = useAuthReady();
  const enabled = ready && Boolean(user?.memberId);
  const records = useRequest(() => getRecords(), [user?.memberId], enabled);
  const corrections = useRequest(getMyCorrections, [user?.memberId], enabled);
  const [more, setMore] = useState<{ items: Item[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useDidShow(() => {
    if (records.data) {
      setMore(null);
      records.reload();
      corrections.reload();
    }
  });

  const items = [...(records.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.cursor : (records.data?.nextCursor ?? null);

  const loadMore = async () => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await getRecords({ cursor });
      setMore((m) => ({ items: [...(m?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setLoadingMore(false);
    }
  };

  if (ready && !user?.memberId) {
    return (
      <View className="page service">
        <View className="card state-box">
          <View className="card-title">还未报到</View>
          <View className="muted">完成报到并参加服务后，这里会记录您的服务时长。</View>
        </View>
      </View>
    );
  }

  return (
    <View className="page service">
      <StateView loading={!records.data && (records.loading || !ready)} error={records.error} onRetry={records.reload}>
        {records.data ? <StarCard records={records.data} /> : null}
        <View className="service__links row">
          <View className="service__link" onClick={() => go(ROUTES.certificates)}>
            <Icon name="certificate" color="#c8161d" size={48} />
            <Text>我的证明</Text>
          </View>
          <View className="service__link" onClick={() => go(ROUTES.points)}>
            <Icon name="gift" color="#c8161d" size={48} />
            <Text>积分兑换</Text>
          </View>
          <View className="service__link" onClick={() => go(`${ROUTES.correctionNew}?kind=supplement`)} data-testid="service-supplement">
            <Icon name="edit" color="#c8161d" size={48} />
            <Text>申请补录</Text>
          </View>
        </View>

        {corrections.data && corrections.data.length > 0 ? (
          <View className="card">
            <View className="card-title">我的更正与补录申请</View>
            {corrections.data.map((c) => (
              <View key={c.id} className="service__correction" data-testid="my-correction">
                <View className="row between">
                  <Text>
                    {CORRECTION_KIND_LABELS[c.kind]} · {c.taskTitle}
                  </Text>
                  <Text className={`service__state service__state--${c.status}`}>{CORRECTION_STATE_LABELS[c.status]}</Text>
                </View>
                <View className="muted">
                  {formatRange(c.checkedInAt, c.checkedOutAt)} · {formatMinutes(c.approvedMinutes ?? c.minutes)}
                </View>
                {c.note ? <View className="muted">书记意见：{c.note}</View> : null}
              </View>
            ))}
          </View>
        ) : null}

        <View className="card">
          <View className="card-title">服务记录</View>
          <StateView empty={items.length === 0} emptyText="还没有服务记录，去首页抢个岗位吧">
            {items.map((item) => (
              <View key={item.claim.id} className="service__record" data-testid="service-record">
                <View className="row between">
                  <Text className="service__title">{item.task.title}</Text>
                  <Text className="service__minutes">{formatMinutes(item.record.minutes)}</Text>
                </View>
                <View className="muted">{formatRange(item.task.startsAt, item.task.endsAt)}</View>
                <View className="row between service__meta">
                  <View className="row">
                    <Text className="tag">{RECORD_SOURCE_LABELS[item.record.source]}</Text>
                    {item.record.amended ? <Text className="tag service__amended">已更正</Text> : null}
                    {item.claim.status !== 'completed' ? <Text className="muted">{CLAIM_STATUS_LABELS[item.claim.status]}</Text> : null}
                  </View>
                  <View className="row service__acts">
                    <Text
                      className="accent"
                      onClick={() => go(`${ROUTES.record}?id=${item.record.id}&title=${encodeURIComponent(item.task.title)}`)}
                    >
                      修改历史
                    </Text>
                    {/* A correction is for service done: a post that has not started has nothing to correct yet. */}
                    {Date.now() >= Date.parse(item.task.startsAt) ? (
                      <Text className="accent" onClick={() => go(correctionUrl(item))}>
                        申请更正
                      </Text>
                    ) : null}
                  </View>
                </View>
                {item.claim.checkedOutAt ? <View className="muted">签退于 {formatDateTime(item.claim.checkedOutAt)}</View> : null}
              </View>
            ))}
          </StateView>
          {cursor ? (
            <View className={`btn btn-plain btn-small ${loadingMore ? 'is-disabled' : ''}`} onClick={loadMore}>
              {loadingMore ? '加载中…' : '加载更多'}
            </View>
          ) : null}
        </View>
      </StateView>
    </View>
  );
}
