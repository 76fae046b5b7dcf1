import { View, Text } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { INDEX_METRIC_LABELS, type Indicator, type IndexPart, type User } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { getOrgIndex } from '@/services/assessment';
import { getIndicators } from '@/services/staff';
import { getUnitIndex } from '@/services/units';
import { formatUnitPart } from '@/utils/units-form';
import { describeScoring, formatMetric } from '@/utils/index-explain';
import './index.scss';

function Part({ p, indicator, units }: { p: IndexPart; indicator?: Indicator; units?: boolean }) {
  const full = p.weight * p.maxScore;
  const given = Math.round(p.score * 100) / 100;
  return (
    <View className="idx__part" data-testid={`part-${p.key}`}>
      <View className="idx__part-head">
        <Text className="idx__part-name">{p.name}</Text>
        <Text className="idx__part-score">
          {given} / {Math.round(full * 100) / 100} 分
        </Text>
      </View>
      <View className="idx__bar-track">
        <View className="idx__bar" style={{ width: `${full ? (p.score / full) * 100 : 0}%` }} />
      </View>
      <View className="idx__part-line">
        {units
          ? `${p.name}：${formatUnitPart(p.key, p.value)}`
          : p.method === 'auto'
            ? `${p.metric ? INDEX_METRIC_LABELS[p.metric] : p.name}：${formatMetric(p.metric, p.value)}`
            : `板块评分：${p.value === null ? '尚未评分' : `${p.value} 分`}`}
        {`，本项得 ${Math.round(p.rawScore * 100) / 100}/${p.maxScore} 分`}
        {p.weight !== 1 ? `，乘以权重 ${p.weight} 计 ${given} 分` : ''}。
      </View>
      {p.figures.length ? (
        <View className="muted idx__part-line">计算所用：{p.figures.map((f) => `${f.label} ${f.value ?? '—'}`).join('，')}</View>
      ) : null}
      {indicator ? <View className="muted idx__part-line">计分方法：{describeScoring(indicator)}</View> : null}
      {indicator?.guidance ? <View className="muted idx__part-line">评价要点：{indicator.guidance}</View> : null}
      {p.evidence ? <View className="idx__part-line">评分依据：{p.evidence}</View> : null}
      {p.note ? <View className="idx__note">{p.note}</View> : null}
    </View>
  );
}

/** Who may open a community's 业主信息库 and 居民点单: its secretary, the admin of its district, a city admin (the server's rule). */
function overseesCommunity(user: User | null, org: { id: string; districtId: string }): boolean {
  return (user?.roles ?? []).some(
    (g) =>
      g.role === 'city_admin' ||
      (g.role === 'district_admin' && g.orgId === org.districtId) ||
      (g.role === 'secretary' && g.orgId === org.id),
  );
}

/** One org's score, part by part, with the figures each part was computed from. */
export default function IndexOrg() {
  const { ready, user } = useAuthReady();
  const { id = '', period, board } = useRouter().params;
  // `?board=units`: a unit party org's 单位报到成效 (also read by the unit's own admin and liaisons).
  const units = board === 'units';
  const res = useRequest(() => (units ? getUnitIndex(id, period) : getOrgIndex(id, period)), [id, period, units], ready && Boolean(id));
  const e = res.data;
  // The catalogue carries each indicator's 计分方法 and 评价要点 (readable by every role that sees an explanation).
  const catalogue = useRequest(getIndicators, [], ready && !units);
  const byKey = new Map((catalogue.data ?? []).map((it) => [it.key, it]));
  return (
    <View className={`page idx ${units ? 'idx--units' : ''}`}>
      <StateView loading={res.loading && !e} error={res.error} onRetry={res.reload}>
        {e ? (
          <>
            <View className="card">
              <View className="card-title">
                {e.org.name} · {e.period.replace('-', '年')}月
              </View>
              <View className="idx__summary">
                <View>
                  <Text className="idx__big">{e.score}</Text>
                  <Text className="muted"> / {e.maxScore} 分</Text>
                </View>
                <View className="muted">
                  {e.org.districtName}第 {e.districtRank}/{e.districtTotal} 名 · 全市第 {e.rank}/{e.cityTotal} 名
                </View>
              </View>
              <View className="muted idx__hint">总分 = 下列各项得分之和（各项得分 = 指标得分 × 权重）</View>
              {!units && overseesCommunity(user, e.org) ? (
                <>
                  <View
                    className="btn btn-plain btn-small idx__registry"
                    onClick={() => Taro.navigateTo({ url: `/staff/registry/index?id=${e.org.id}` })}
                  >
                    业主信息库
                  </View>
                  <View
                    className="btn btn-plain btn-small idx__demands"
                    onClick={() => Taro.navigateTo({ url: `/pages/demands/index?id=${e.org.id}` })}
                  >
                    居民点单
                  </View>
                </>
              ) : null}
            </View>
            <View className="card">
              {e.parts.map((p) => (
                <Part key={p.key} p={p} indicator={units ? undefined : byKey.get(p.key)} units={units} />
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
