import { INDEX_METRIC_LABELS, type Indicator, type IndexMetric } from '@pioneer/shared';

/** Metrics that are ratios (0…1) are read as percentages; the rest carry their own unit. */
const PERCENT: IndexMetric[] = ['coverage', 'fill_rate', 'no_show_rate', 'whistle_response_rate', 'whistle_close_rate'];
const UNITS: Partial<Record<IndexMetric, string>> = {
  posts_per_month: ' 个/月',
  median_minutes_to_full: ' 分钟',
  participations_per_member: ' 次/人',
  whistle_satisfaction: ' 分（满分 5 分）',
};

const round = (n: number, digits = 1) => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

/** A metric's value as a person reads it: `22.2%`, `1.4 分钟`, `3 个/月`; `无数据` when missing. */
export function formatMetric(metric: IndexMetric | null | undefined, value: number | null): string {
  if (value === null) return '无数据';
  if (!metric) return `${round(value)} 分`;
  if (PERCENT.includes(metric)) return `${round(value * 100)}%`;
  return `${round(value)}${UNITS[metric] ?? ''}`;
}

/** The 计分方法 of an indicator, in words: what earns full marks, what earns none, and the weight. */
export function describeScoring(it: Pick<Indicator, 'method' | 'metric' | 'fullAt' | 'zeroAt' | 'maxScore' | 'weight'>): string {
  const weight = it.weight !== 1 ? `，计入总分时乘以权重 ${it.weight}` : '';
  if (it.method === 'manual' || !it.metric || it.fullAt === undefined || it.zeroAt === undefined) {
    return `板块管理员每月评 0–${it.maxScore} 分并写明依据${weight}。`;
  }
  const label = INDEX_METRIC_LABELS[it.metric];
  const lowerIsBetter = it.fullAt < it.zeroAt;
  return (
    `${label}${lowerIsBetter ? '不高于' : '达到'} ${formatMetric(it.metric, it.fullAt)} 得满分 ${it.maxScore} 分，` +
    `${lowerIsBetter ? '达到' : '不高于'} ${formatMetric(it.metric, it.zeroAt)} 得 0 分，其间按比例计分${weight}。`
  );
}
