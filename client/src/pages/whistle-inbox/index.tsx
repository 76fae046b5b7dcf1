import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import type { AssignmentStatus } from '@pioneer/shared';
import BottomNav from '@/components/BottomNav';
import StateView from '@/components/StateView';
import WhistleCard from '@/components/WhistleCard';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { listWhistles, unitOrgIds } from '@/services/whistles';
import { ROUTES } from '@/utils/routes';
import './index.scss';

const TABS: Array<{ key: AssignmentStatus; label: string }> = [
  { key: 'pending', label: '待签收' },
  { key: 'signed', label: '办理中' },
  { key: 'answered', label: '已办结' },
];

/** The unit's inbox (红色代办员 and unit admins): whistles addressed to it, by its own assignment's state. */
export default function WhistleInbox() {
  const { ready, user } = useAuthReady();
  const units = unitOrgIds(user);
  const unitOrgId = units[0];
  const [tab, setTab] = useState<AssignmentStatus>('pending');
  const list = useRequest(
    () => listWhistles({ scope: 'unit', id: unitOrgId, assignmentStatus: tab, limit: 50 }),
    [unitOrgId, tab],
    ready && Boolean(unitOrgId),
  );
  useDidShow(() => {
    if (list.data) list.reload();
  });

  if (ready && !unitOrgId) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">吹哨待办仅供单位红色代办员和单位管理员使用</View>
        </View>
        <BottomNav current="whistles" />
      </View>
    );
  }

  return (
    <View className="page whistle-inbox">
      <View className="card whistle-inbox__meetings" onClick={() => Taro.navigateTo({ url: ROUTES.meetings })}>
        <Text>共商共办 · 我的任务</Text>
        <Text className="accent">会议分派的任务与进度 ›</Text>
      </View>
      <View className="card whistle-inbox__units" onClick={() => Taro.navigateTo({ url: ROUTES.units })}>
        <Text>组织报到 · 需求认领</Text>
        <Text className="accent">共建协议、社区需求、我的项目 ›</Text>
      </View>
      <View className="whistle-inbox__tabs">
        {TABS.map((t) => (
          <View key={t.key} className={`whistle-inbox__tab ${tab === t.key ? 'is-active' : ''}`} onClick={() => setTab(t.key)}>
            {t.label}
          </View>
        ))}
      </View>
      <StateView
        loading={!ready || (list.loading && !list.data)}
        error={list.error}
        onRetry={list.reload}
        empty={list.data?.items.length === 0}
        emptyText="暂无事项"
      >
        {list.data?.items.map((w) => (
          <WhistleCard
            key={w.id}
            whistle={w}
            unitOrgId={unitOrgId}
            onClick={() => Taro.navigateTo({ url: `/pages/whistle-detail/index?id=${w.id}` })}
          />
        ))}
      </StateView>
      <BottomNav current="whistles" />
    </View>
  );
}
