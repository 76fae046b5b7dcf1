import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { StatsOverview, StatsScope } from '@pioneer/shared';
import { BarChart } from '@/components/Charts';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { getUnitIndex, getUnitRanking } from '@/services/units';

/** The 数据看板's 组织报到 cards: the units' figures from the statistics, and 单位报到成效. */

function Metric({ label, value, unit }: { label: string; value: string | number; unit?: string }) {
  return (
    <View className="dash__metric">
      <View>
        <Text className="dash__value">{value}</Text>
        {unit ? <Text className="dash__unit">{unit}</Text> : null}
      </View>
      <Text className="muted">{label}</Text>
    </View>
  );
}

/** 组织报到's figures (contract v3 statistics): a unit's own, or the needs and projects of an area. */
export function UnitFigures({ s: u, scope }: { s: StatsOverview; scope: StatsScope }) {
  if (u.needsClaimed === undefined && u.agreements === undefined) return null;
  return (
    <View className="card dash__units" onClick={() => Taro.navigateTo({ url: '/staff/units/index' })}>
      <View className="card-title">组织报到</View>
      <View className="dash__grid">
        {scope === 'unit' ? (
          <>
            <Metric label="共建协议" value={u.agreements ?? 0} unit="份" />
            <Metric label="认领需求" value={u.needsClaimed ?? 0} unit="项" />
            <Metric label="已交付项目" value={u.projectsDelivered ?? 0} unit="个" />
            <Metric label="已验收项目" value={u.projectsAccepted ?? 0} unit="个" />
            <Metric label="项目评价" value={u.projectRating ?? '—'} unit={u.projectRating ? '分' : ''} />
          </>
        ) : (
          <>
            <Metric label="待认领需求" value={u.needsOpen ?? 0} unit="项" />
            <Metric label="已认领需求" value={u.needsClaimed ?? 0} unit="项" />
            <Metric label="已验收项目" value={u.projectsAccepted ?? 0} unit="个" />
          </>
        )}
      </View>
      <View className="btn btn-plain btn-small dash__more">需求与项目 ›</View>
    </View>
  );
}

/** 单位报到成效: the month's top units (city and district admins), or the unit's own score (its admin). */
export function UnitBoardCard({ scope, id }: { scope: StatsScope; id: string | null }) {
  const board = scope === 'city' || scope === 'district';
  // The card shows the top ten: a page of ten, not the whole board.
  const ranking = useRequest(() => getUnitRanking({ districtId: scope === 'district' ? id : null, limit: 10 }), [scope, id], board);
  const own = useRequest(() => getUnitIndex(id!), [id], scope === 'unit' && Boolean(id));
  if (!board && scope !== 'unit') return null;
  const open = (url: string) => Taro.navigateTo({ url });
  const res = board ? ranking : own;
  return (
    <View className="card dash__unit-board" data-testid="unit-board">
      <View className="card-title">单位报到成效 · 本月</View>
      <StateView loading={res.loading && !res.data} error={res.error} onRetry={res.reload}>
        {board && ranking.data ? (
          <>
            <BarChart
              unit=" 分"
              items={ranking.data.items.slice(0, 10).map((e) => ({
                key: e.org.id,
                label: `${e.rank}. ${e.org.name}`,
                value: e.score,
                detail: `${e.org.districtName} · ${e.score} / ${ranking.data!.maxScore} 分`,
              }))}
              emptyText="本月暂无单位数据"
            />
            <View
              className="btn btn-plain btn-small dash__more"
              onClick={() => open(`/staff/index-ranking/index?board=units${scope === 'district' && id ? `&districtId=${id}` : ''}`)}
            >
              完整排名、得分说明与导出
            </View>
          </>
        ) : null}
        {!board && own.data ? (
          <View onClick={() => open(`/staff/index-org/index?board=units&id=${id}`)}>
            <View className="dash__grid">
              <Metric label="本月得分" value={own.data.score} unit={`/${own.data.maxScore}`} />
              <Metric label="板块排名" value={`${own.data.districtRank}/${own.data.districtTotal}`} />
              <Metric label="全市排名" value={`${own.data.rank}/${own.data.cityTotal}`} />
            </View>
            <View className="btn btn-plain btn-small dash__more">查看每项得分说明</View>
          </View>
        ) : null}
      </StateView>
    </View>
  );
}
