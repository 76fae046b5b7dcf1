import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { WHISTLE_STATUS_LABELS, type WhistleStatus } from '@pioneer/shared';
import Icon from '@/components/Icon';
import StateView from '@/components/StateView';
import WhistleCard from '@/components/WhistleCard';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { listWhistles, raiserScopes } from '@/services/whistles';
import './index.scss';

const FILTERS: Array<WhistleStatus | 'all'> = ['all', 'open', 'answered', 'verified', 'closed', 'rated'];

/** 吹哨报到: the whistles a community or 板块 raised, and the way to raise one. */
export default function Whistles() {
  const { ready, user } = useAuthReady();
  const scopes = raiserScopes(user);
  const [status, setStatus] = useState<WhistleStatus | 'all'>('all');
  const [overdue, setOverdue] = useState(false);
  const list = useRequest(
    () => listWhistles({ status: status === 'all' ? undefined : status, overdue: overdue || undefined, limit: 50 }),
    [status, overdue],
    ready && scopes.length > 0,
  );
  useDidShow(() => {
    if (list.data) list.reload();
  });

  if (ready && scopes.length === 0) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">吹哨报到仅供社区书记和板块管理员使用</View>
        </View>
      </View>
    );
  }

  return (
    <View className="page whistles">
      <View className="btn whistles__raise" onClick={() => Taro.navigateTo({ url: '/pages/whistle-new/index' })}>
        <Icon name="megaphone" color="#fff" size={32} /> 我要吹哨
      </View>
      <View className="chips whistles__filters">
        {FILTERS.map((f) => (
          <View key={f} className={`chip ${status === f ? 'is-active' : ''}`} onClick={() => setStatus(f)}>
            {f === 'all' ? '全部' : WHISTLE_STATUS_LABELS[f]}
          </View>
        ))}
        <View className={`chip ${overdue ? 'is-active' : ''}`} onClick={() => setOverdue(!overdue)}>
          超期
        </View>
      </View>
      <StateView
        loading={!ready || (list.loading && !list.data)}
        error={list.error}
        onRetry={list.reload}
        empty={list.data?.items.length === 0}
        emptyText="还没有吹哨事项"
      >
        {list.data?.items.map((w) => (
          <WhistleCard key={w.id} whistle={w} onClick={() => Taro.navigateTo({ url: `/pages/whistle-detail/index?id=${w.id}` })} />
        ))}
      </StateView>
      <View className="muted whistles__hint">
        <Text>共 {list.data?.items.length ?? 0} 件</Text>
      </View>
    </View>
  );
}
