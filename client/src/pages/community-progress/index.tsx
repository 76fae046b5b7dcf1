import { View, Text } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { ACTION_STATUS_LABELS, MEETING_KIND_LABELS, WHISTLE_STATUS_LABELS, type WhistleStatus } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { getPublicProgress } from '@/services/meetings';
import { formatDay } from '@/utils/time';
import './index.scss';

/**
 * 民意收集—响应处理—跟踪督促—评估评价, for a community's residents: what the meetings decided about
 * its whistles and how far each action is. Units are named; people never.
 */
export default function CommunityProgress() {
  const { ready } = useAuthReady();
  const id = useRouter().params.id ?? '';
  const list = useRequest(() => getPublicProgress(id), [id], ready && Boolean(id));
  return (
    <View className="page progress">
      <StateView
        loading={!ready || (list.loading && !list.data)}
        error={list.error}
        onRetry={list.reload}
        empty={list.data?.items.length === 0}
        emptyText="暂无协调会议定事项"
      >
        {list.data?.items.map((item) => (
          <View key={item.meeting.id} className="card">
            <View className="row between">
              <Text className="tag">{MEETING_KIND_LABELS[item.meeting.kind]}</Text>
              <Text className="muted">{formatDay(item.meeting.startsAt)}</Text>
            </View>
            <View className="progress__title">{item.meeting.title}</View>
            {item.whistles.map((w) => (
              <View key={w.id} className="muted">
                事项：{w.title}（{WHISTLE_STATUS_LABELS[w.status as WhistleStatus] ?? w.status}）
              </View>
            ))}
            {item.meeting.decisions.map((d, i) => (
              <View key={i} className="progress__decision">
                {i + 1}. {d}
              </View>
            ))}
            {item.meeting.handled ? <View className="muted">上门服务解决问题 {item.meeting.handled} 个</View> : null}
            {item.actions.map((a, i) => (
              <View key={i} className="progress__action">
                <View className="row between">
                  <Text>{a.title}</Text>
                  <Text className={a.overdue ? 'progress__late' : 'accent'}>{a.overdue ? '已超期' : ACTION_STATUS_LABELS[a.status]}</Text>
                </View>
                <View className="muted">
                  {a.owner} 牵头 · 时限 {formatDay(a.dueAt)}
                </View>
                <View className="progress__bar">
                  <View className="progress__fill" style={{ width: `${a.progress}%` }} />
                </View>
              </View>
            ))}
            {item.meeting.progress !== null ? <View className="muted">总体进度 {item.meeting.progress}%</View> : null}
          </View>
        ))}
      </StateView>
    </View>
  );
}
