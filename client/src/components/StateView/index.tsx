import { View, Text } from '@tarojs/components';
import type { ReactNode } from 'react';

interface Props {
  loading?: boolean;
  error?: string | null;
  empty?: boolean;
  emptyText?: string;
  onRetry?: () => void;
  children?: ReactNode;
}

/** One place for loading, error and empty states so every page reads the same. */
export default function StateView({ loading, error, empty, emptyText = '暂无内容', onRetry, children }: Props) {
  if (error) {
    return (
      <View className="state-box">
        <View>{error}</View>
        {onRetry ? (
          <View className="btn btn-plain btn-small" style={{ display: 'inline-flex', marginTop: '24px' }} onClick={onRetry}>
            重试
          </View>
        ) : null}
      </View>
    );
  }
  if (loading) {
    return (
      <View className="state-box">
        <Text>加载中…</Text>
      </View>
    );
  }
  if (empty) {
    return (
      <View className="state-box">
        <Text>{emptyText}</Text>
      </View>
    );
  }
  return <>{children}</>;
}
