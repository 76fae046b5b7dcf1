import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { POINTS_KIND_LABELS, type PointsEntry } from '@pioneer/shared';
import Icon from '@/components/Icon';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getMyMember } from '@/services/members';
import { getMyPoints, getMyRedemptions, listRewards } from '@/services/records';
import { signedPoints } from '@/utils/records';
import { ROUTES } from '@/utils/routes';
import { formatDateTime } from '@/utils/time';
import './index.scss';

/** 积分: balance and ledger; 爱心超市: the community's rewards (redeemed at the community by showing 先锋码). */
export default function Points() {
  const { ready, user } = useAuthReady();
  const enabled = ready && Boolean(user?.memberId);
  const points = useRequest(() => getMyPoints(), [user?.memberId], enabled);
  const rewards = useRequest(async () => listRewards((await getMyMember()).community.id), [user?.memberId], enabled);
  const redemptions = useRequest(getMyRedemptions, [user?.memberId], enabled);
  const [more, setMore] = useState<{ entries: PointsEntry[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useDidShow(() => {
    if (!points.data) return;
    setMore(null);
    points.reload();
    redemptions.reload();
    rewards.reload();
  });

  const p = points.data;
  const entries = [...(p?.entries ?? []), ...(more?.entries ?? [])];
  const cursor = more ? more.cursor : (p?.nextCursor ?? null);

  const loadMore = async () => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await getMyPoints(cursor);
      setMore((m) => ({ entries: [...(m?.entries ?? []), ...page.entries], cursor: page.nextCursor }));
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setLoadingMore(false);
    }
  };

  const active = (rewards.data ?? []).filter((r) => r.active);

  return (
    <View className="page points">
      <StateView loading={!p && (points.loading || !ready)} error={points.error} onRetry={points.reload}>
        {p ? (
          <View className="card points__head">
            <View className="muted">可用积分</View>
            <View className="points__balance" data-testid="points-balance">
              {p.balance}
            </View>
            <View className="row points__sums">
              <Text>累计获得 {p.earned}</Text>
              <Text>已兑换 {p.spent}</Text>
              <Text>已过期 {p.expired}</Text>
            </View>
            {p.expiring ? (
              <View className="points__expiring">
                {p.expiring.points} 积分将于 {formatDateTime(p.expiring.at)} 过期
              </View>
            ) : null}
            <View className="muted points__tip">服务时长永久记录，不因兑换或过期减少；积分按服务时长获得，可在社区爱心超市兑换。</View>
          </View>
        ) : null}

        <View className="card">
          <View className="row between">
            <View className="card-title">爱心超市</View>
            <Text className="accent" onClick={() => Taro.navigateTo({ url: ROUTES.pioneerCode })}>
              出示先锋码
            </Text>
          </View>
          <View className="muted">到社区党群服务中心出示先锋码，由书记扫码兑换。</View>
          <StateView
            loading={rewards.loading && !rewards.data}
            error={rewards.error}
            onRetry={rewards.reload}
            empty={active.length === 0}
            emptyText="社区暂未上架可兑换的物品"
          >
            {active.map((r) => (
              <View key={r.id} className="points__reward" data-testid="reward">
                <Icon name="gift" color="#c8161d" size={48} />
                <View className="points__reward-main">
                  <View className="points__reward-name">{r.name}</View>
                  {r.description ? <View className="muted">{r.description}</View> : null}
                </View>
                <View className="points__reward-cost">
                  <View>{r.pointsCost} 积分</View>
                  <View className="muted">{r.stock > 0 ? `剩 ${r.stock} 件` : '已兑完'}</View>
                </View>
              </View>
            ))}
          </StateView>
        </View>

        {redemptions.data && redemptions.data.length > 0 ? (
          <View className="card">
            <View className="card-title">我的兑换</View>
            {redemptions.data.map((r) => (
              <View key={r.id} className="points__entry row between" data-testid="redemption">
                <View>
                  <View>{r.rewardName}</View>
                  <View className="muted">{formatDateTime(r.at)}</View>
                </View>
                <Text className="points__minus">-{r.points}</Text>
              </View>
            ))}
          </View>
        ) : null}

        <View className="card">
          <View className="card-title">积分明细</View>
          <StateView empty={entries.length === 0} emptyText="还没有积分，完成服务后自动获得">
            {entries.map((e) => (
              <View key={e.id} className="points__entry row between" data-testid="points-entry">
                <View>
                  <View>
                    {POINTS_KIND_LABELS[e.kind]}
                    {e.note ? ` · ${e.note}` : ''}
                  </View>
                  <View className="muted">{formatDateTime(e.at)}</View>
                </View>
                <Text className={e.amount >= 0 ? 'points__plus' : 'points__minus'}>{signedPoints(e)}</Text>
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
