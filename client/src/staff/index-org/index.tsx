import { View, Text } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { INDEX_METRIC_LABELS, type IndexPart } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { getOrgIndex } from '@/services/assessment';
import './index.scss';

function Part({ p }: { p: IndexPart }) {
  const full = p.weight * p.maxScore;
  return (
    <View className="idx__part">
      <View className="idx__part-head">
        <Text className="idx__part-name">{p.name}</Text>
        <Text className="idx__part-score">
          {p.score} / {Math.round(full * 100) / 100}
        </Text>
      </View>
      <View className="idx__bar-track">
        <View className="idx__bar" style={{ width: `${full ? (p.score / full) * 100 : 0}%` }} />
      </View>
      <View className="muted idx__part-line">
        {p.method === 'auto' ? `自动计算 · ${p.metric ? INDEX_METRIC_LABELS[p.metric] : ''}` : '板块评分'}：
        {p.value === null ? '无数据' : p.value}
        {p.weight !== 1 ? ` · 得分 ${p.rawScore} × 权重 ${p.weight}` : ` · 得分 ${p.rawScore}`}
      </View>
      {p.figures.length ? (
        <View className="muted idx__part-line">{p.figures.map((f) => `${f.label} ${f.value ?? '—'}`).join('，')}</View>
      ) : null}
      {p.evidence ? <View className="idx__part-line">依据：{p.evidence}</View> : null}
      {p.note ? <View className="idx__note">{p.note}</View> : null}
    </View>
  );
}

/** One org's score, part by part, with the figures each part was computed from. */
export default function IndexOrg() {
  const { ready } = useAuthReady();
  const { id = '', period } = useRouter().params;
  const res = useRequest(() => getOrgIndex(id, period), [id, period], ready && Boolean(id));
  const e = res.data;
  return (
    <View className="page idx">
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
            </View>
            <View className="card">
              {e.parts.map((p) => (
                <Part key={p.key} p={p} />
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
