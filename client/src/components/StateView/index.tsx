import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { ReactNode } from 'react';
import Icon from '@/components/Icon';
import { getSession } from '@/services/session';
import { landingFor } from '@/utils/routes';

interface Props {
  loading?: boolean;
  error?: string | null;
  empty?: boolean;
  emptyText?: string;
  /** Offered for failures that another try can fix; without it an error leads back to the start. */
  onRetry?: () => void;
  children?: ReactNode;
}

/** One place for loading, error and empty states so every page reads the same. */
export default function StateView({ loading, error, empty, emptyText = '暂无内容', onRetry, children }: Props) {
  if (error) {
    return (
      <View className="state-box" role="alert" data-testid="state-error">
        <Icon name="alert" color="#bfbfbf" size={72} />
        <View className="state-box__text">{error}</View>
        {onRetry ? (
          <View className="btn btn-plain btn-small state-box__btn" onClick={onRetry}>
            重试
          </View>
        ) : (
          <View className="btn btn-plain btn-small state-box__btn" onClick={() => Taro.reLaunch({ url: landingFor(getSession().user) })}>
            返回首页
          </View>
        )}
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
