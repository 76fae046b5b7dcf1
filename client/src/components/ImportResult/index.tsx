import './index.scss';
import { View, Text } from '@tarojs/components';
import { formatDateTime } from '@/utils/time';

interface Rejection {
  row: number;
  reason: string;
  sheet?: string;
}

interface Props {
  dryRun: boolean;
  figures: Array<[string, number]>;
  rejected: Rejection[];
  /** A recorded import (the weapp's view): its time as the title; it kept the first rows of `rejectedTotal`. */
  at?: string;
  rejectedTotal?: number;
}

/** What an import did (or, for a dry run, would do), and every rejected row with its sheet and row number. */
export default function ImportResult({ dryRun, figures, rejected, at, rejectedTotal = rejected.length }: Props) {
  const shown = Math.min(rejected.length, 200);
  return (
    <View className="card import-result">
      <View className="card-title">{at ? `${formatDateTime(at)} 导入` : dryRun ? '试导入结果（未写入）' : '导入完成'}</View>
      <View className="import-result__figures">
        {figures.map(([label, n]) => (
          <View key={label} className="import-result__figure">
            <Text className="import-result__num">{n}</Text>
            <Text className="muted">{label}</Text>
          </View>
        ))}
        <View className="import-result__figure">
          <Text className={`import-result__num${rejectedTotal ? ' accent' : ''}`}>{rejectedTotal}</Text>
          <Text className="muted">有误行</Text>
        </View>
      </View>
      {rejected.length ? (
        <View className="import-result__rows">
          {rejected.slice(0, 200).map((r) => (
            <View key={`${r.sheet ?? ''}-${r.row}`} className="import-result__row">
              <Text className="muted">
                {r.sheet ? `「${r.sheet}」` : ''}第 {r.row} 行
              </Text>
              <Text>{r.reason}</Text>
            </View>
          ))}
          {rejectedTotal > shown ? <View className="muted">…… 另有 {rejectedTotal - shown} 行</View> : null}
        </View>
      ) : null}
    </View>
  );
}
