import { View, Text } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { DEMAND_STATUS_LABELS } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { myDemands } from '@/services/demands';
import { formatDateTime } from '@/utils/time';
import './index.scss';

/** 我的点单: what became of each demand the caller sent. */
export default function MyDemands() {
  const { ready } = useAuthReady();
  const list = useRequest(myDemands, [], ready);
  useDidShow(() => {
    if (list.data) list.reload();
  });
  return (
    <View className="page my-demands">
      <StateView
        loading={!ready || (list.loading && !list.data)}
        error={list.error}
        onRetry={list.reload}
        empty={list.data?.items.length === 0}
        emptyText="还没有点单"
      >
        {list.data?.items.map((d) => (
          <View key={d.id} className="card">
            <View className="row between">
              <Text className="muted">{d.community.name}</Text>
              <Text className={`my-demands__status my-demands__status--${d.status}`}>{DEMAND_STATUS_LABELS[d.status]}</Text>
            </View>
            <View className="my-demands__text">{d.text}</View>
            <View className="muted">{formatDateTime(d.createdAt)}</View>
            {d.task ? (
              <View className="accent" onClick={() => Taro.navigateTo({ url: `/pages/task-detail/index?id=${d.task!.id}` })}>
                已发布岗位：{d.task.name} ›
              </View>
            ) : null}
            {d.whistle ? <View className="accent">已吹哨：{d.whistle.name}</View> : null}
            {d.note ? <View className="my-demands__note">社区回复：{d.note}</View> : null}
          </View>
        ))}
      </StateView>
    </View>
  );
}
