import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidHide, useDidShow, usePullDownRefresh } from '@tarojs/taro';
import BottomNav from '@/components/BottomNav';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import TaskCard from '@/components/TaskCard';
import { useLiveCounts, withLive } from '@/hooks/use-live-counts';
import { useRequest } from '@/hooks/use-request';
import { listTasks } from '@/services/tasks';
import { POST_PHASE_LABELS, postPhase, TERMS } from '@pioneer/shared';
import { orderForSecretary } from '@/utils/posts';
import { ROUTES } from '@/utils/routes';
import Icon from '@/components/Icon';
import './index.scss';

function ManageList({ orgId }: { orgId: string }) {
  const [visible, setVisible] = useState(true);
  const list = useRequest(() => listTasks({ communityOrgId: orgId, limit: 100 }), [orgId]);
  const items = orderForSecretary(list.data?.items ?? [], Date.now());
  const live = useLiveCounts(
    items.filter((t) => t.status === 'open').map((t) => t.id),
    visible,
  );

  useDidShow(() => {
    setVisible(true);
    if (list.data) list.reload();
  });
  useDidHide(() => setVisible(false));
  usePullDownRefresh(async () => {
    await list.reload();
    Taro.stopPullDownRefresh();
  });

  const go = (url: string) => Taro.navigateTo({ url });

  return (
    <>
      <View className="manage__actions">
        <View className="manage__action" onClick={() => Taro.redirectTo({ url: ROUTES.verify })}>
          <Icon name="scan" color="#c8161d" size={56} />
          <Text>扫码核验</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.publish)}>
          <Icon name="plus" color="#c8161d" size={56} />
          <Text>发布岗位</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.communityQr)}>
          <Icon name="poster" color="#c8161d" size={56} />
          <Text>报到海报</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.demands)}>
          <Icon name="mail" color="#c8161d" size={56} />
          <Text>居民点单</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.dashboard)}>
          <Icon name="chart" color="#c8161d" size={56} />
          <Text>数据看板</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.meetings)}>
          <Icon name="plus" color="#c8161d" size={56} />
          <Text>共商共办</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.corrections)}>
          <Icon name="edit" color="#c8161d" size={56} />
          <Text>更正审核</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.rewards)}>
          <Icon name="gift" color="#c8161d" size={56} />
          <Text>爱心超市</Text>
        </View>
        <View className="manage__action" onClick={() => go(ROUTES.certificateSettings)}>
          <Icon name="certificate" color="#c8161d" size={56} />
          <Text>证明设置</Text>
        </View>
        <View className="manage__action manage__action--units" onClick={() => go(ROUTES.units)}>
          <Icon name="building" color="#c8161d" size={56} />
          <Text>组织报到</Text>
        </View>
      </View>
      <StateView
        loading={list.loading && !list.data}
        error={list.error}
        onRetry={list.reload}
        empty={items.length === 0}
        emptyText="还没有发布岗位，点击“发布岗位”开始"
      >
        {items.map((raw) => {
          const task = withLive(raw, live);
          const phase = postPhase(task, Date.now());
          return (
            <TaskCard
              key={task.id}
              task={task}
              onClick={() => go(`${ROUTES.claimants}?id=${task.id}`)}
              action={
                <View className={`manage__status manage__status--${task.status} ${phase === 'full' ? 'is-full' : ''}`}>
                  {POST_PHASE_LABELS[phase]}
                </View>
              }
              footer={
                <View className="muted manage__more row">
                  <Text>
                    {TERMS.claimedCount(task.claimed)}
                    {task.waitlisted > 0 ? ` · ${TERMS.waitlistedCount(task.waitlisted)}` : ''} · 查看名单
                  </Text>
                  <Icon name="chevron" color="#bfbfbf" size={24} />
                </View>
              }
            />
          );
        })}
      </StateView>
    </>
  );
}

export default function Manage() {
  return (
    <View className="page manage">
      <SecretaryGate>{(orgId) => <ManageList orgId={orgId} />}</SecretaryGate>
      <BottomNav current="manage" />
    </View>
  );
}
