import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import './index.scss';

export interface ChartItem {
  key: string;
  label: string;
  value: number;
  /** What a tap shows: the exact figure with its unit (defaults to the value). */
  detail?: string;
}

/**
 * Charts built from plain views: they render the same in the mini-program and in H5, cost no
 * chart library in the weapp package, and each bar is a tap target showing its exact figure.
 */
export function BarChart({ items, unit = '', emptyText = '暂无数据' }: { items: ChartItem[]; unit?: string; emptyText?: string }) {
  const [picked, setPicked] = useState<string | null>(null);
  const max = Math.max(0, ...items.map((i) => i.value));
  if (items.length === 0 || max === 0) return <View className="chart__empty muted">{emptyText}</View>;
  return (
    <View className="chart-bars">
      {items.map((it) => (
        <View
          key={it.key}
          className={`chart-bars__row ${picked === it.key ? 'is-picked' : ''}`}
          onClick={() => setPicked(picked === it.key ? null : it.key)}
        >
          <Text className="chart-bars__label">{it.label}</Text>
          <View className="chart-bars__track">
            <View className="chart-bars__bar" style={{ width: `${Math.max(1, (it.value / max) * 100)}%` }} />
          </View>
          <Text className="chart-bars__value">
            {formatNumber(it.value)}
            {unit}
          </Text>
          {picked === it.key && it.detail ? <View className="chart-bars__detail">{it.detail}</View> : null}
        </View>
      ))}
    </View>
  );
}

/** Columns over time (weeks): tap a column for its exact figure. */
export function ColumnChart({ items, unit = '', emptyText = '暂无数据' }: { items: ChartItem[]; unit?: string; emptyText?: string }) {
  const [picked, setPicked] = useState<number | null>(null);
  const max = Math.max(0, ...items.map((i) => i.value));
  if (items.length === 0 || max === 0) return <View className="chart__empty muted">{emptyText}</View>;
  const shown = picked === null ? items.length - 1 : picked;
  const current = items[shown];
  return (
    <View className="chart-cols">
      <View className="chart-cols__readout">
        <Text className="muted">{current.label}</Text>
        <Text className="chart-cols__figure">{current.detail ?? `${formatNumber(current.value)}${unit}`}</Text>
      </View>
      <View className="chart-cols__plot">
        {items.map((it, i) => (
          <View key={it.key} className={`chart-cols__col ${i === shown ? 'is-picked' : ''}`} onClick={() => setPicked(i)}>
            <View className="chart-cols__bar" style={{ height: `${Math.max(1, (it.value / max) * 100)}%` }} />
          </View>
        ))}
      </View>
      <View className="chart-cols__axis muted">
        <Text>{items[0].label}</Text>
        <Text>{items[items.length - 1].label}</Text>
      </View>
    </View>
  );
}

/** 12,345 → "12,345"; 123,456 → "12.3万". */
export function formatNumber(n: number): string {
  if (Math.abs(n) >= 100_000) return `${(n / 10_000).toFixed(1)}万`;
  if (Number.isInteger(n)) return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return String(Math.round(n * 100) / 100);
}
