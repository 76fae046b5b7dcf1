import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { currentPeriod, getRanking, shiftPeriod } from '@/services/assessment';
import { errorMessage } from '@/services/http';
import { download } from '@/services/registry';
import { getUnitRanking } from '@/services/units';
import '@/staff/index-org/index.scss';

/** The unit board's page size: its first page, then 加载更多 asks for the next (a province has thousands of units). */
export const UNIT_PAGE = 100;

/** The month's ranking of a district (or the city); tap a row for the org's score explained. */
export default function IndexRanking() {
  const { ready } = useAuthReady();
  const params = useRouter().params;
  const districtId = params.districtId ?? null;
  // `?board=units`: 单位报到成效, the unit party orgs' board (same shape, its own figures).
  const units = params.board === 'units';
  const [period, setPeriod] = useState(currentPeriod());
  const ranking = useRequest(
    () => (units ? getUnitRanking({ period, districtId, limit: UNIT_PAGE }) : getRanking({ period, districtId, limit: 500 })),
    [period, districtId, units],
    ready,
  );
  const [loadingMore, setLoadingMore] = useState(false);
  /** The unit board's next page, appended to the rows shown (a period changed meanwhile: dropped). */
  const loadMore = async () => {
    const shown = ranking.data;
    if (!shown || loadingMore) return;
    setLoadingMore(true);
    try {
      const next = await getUnitRanking({ period, districtId, limit: UNIT_PAGE, offset: shown.items.length });
      ranking.setData((now) => (now === shown ? { ...shown, total: next.total, items: [...shown.items, ...next.items] } : now));
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' });
    } finally {
      setLoadingMore(false);
    }
  };
  const exported = units
    ? { path: '/exports/unit-index.xlsx', name: `单位报到成效_${period}.xlsx` }
    : { path: '/exports/index.xlsx', name: `先锋指数_${period}.xlsx` };
  usePullDownRefresh(async () => {
    await ranking.reload();
    Taro.stopPullDownRefresh();
  });
  const thisMonth = currentPeriod();
  return (
    <View className={`page idx ${units ? 'idx--units' : ''}`}>
      <View className="card idx__period">
        <View className="btn btn-plain btn-small" onClick={() => setPeriod(shiftPeriod(period, -1))}>
          上月
        </View>
        <Text className="idx__month">{period.replace('-', '年')}月</Text>
        <View
          className={`btn btn-plain btn-small ${period >= thisMonth ? 'is-disabled' : ''}`}
          onClick={() => period < thisMonth && setPeriod(shiftPeriod(period, 1))}
        >
          下月
        </View>
      </View>
      <StateView
        loading={ranking.loading && !ranking.data}
        error={ranking.error}
        onRetry={ranking.reload}
        empty={ranking.data?.items.length === 0}
      >
        {ranking.data ? (
          <View className="card">
            <View className="muted idx__hint">
              共 {ranking.data.total} 个{units ? '单位' : '社区'}党组织，满分 {ranking.data.maxScore} 分；点击查看每项得分
            </View>
            <View
              className="btn btn-plain btn-small"
              onClick={() =>
                download(exported.path, { period, districtId: districtId ?? undefined }, exported.name).catch((e) =>
                  Taro.showToast({ title: errorMessage(e), icon: 'none' }),
                )
              }
            >
              导出 Excel
            </View>
            {ranking.data.items.map((e) => (
              <View
                key={e.org.id}
                className="idx__row"
                onClick={() =>
                  Taro.navigateTo({ url: `/staff/index-org/index?id=${e.org.id}&period=${period}${units ? '&board=units' : ''}` })
                }
              >
                <Text className={`idx__rank ${e.rank <= 3 ? 'is-top' : ''}`}>{e.rank}</Text>
                <View className="idx__org">
                  <Text>{e.org.name}</Text>
                  <Text className="muted idx__district">{e.org.districtName}</Text>
                </View>
                <View className="idx__bar-track">
                  <View
                    className="idx__bar"
                    style={{ width: `${ranking.data!.maxScore ? (e.score / ranking.data!.maxScore) * 100 : 0}%` }}
                  />
                </View>
                <Text className="idx__score">{e.score}</Text>
              </View>
            ))}
            {units && ranking.data.items.length < ranking.data.total ? (
              <View className={`btn btn-plain btn-small ${loadingMore ? 'is-disabled' : ''}`} onClick={loadMore}>
                {loadingMore ? '加载中…' : `加载更多（已显示 ${ranking.data.items.length} / ${ranking.data.total}）`}
              </View>
            ) : null}
          </View>
        ) : null}
      </StateView>
    </View>
  );
}
