import { View, Text } from '@tarojs/components';
import type { Standing } from '@pioneer/shared';
import { formatDateTime } from '@/utils/time';

/** The member's standing under the no-show policy on 我的: why and until when, if suspended. */
export default function StandingCard({ standing }: { standing: Standing | null }) {
  if (!standing) return null;
  const suspended = standing.suspendedUntil !== null;
  return (
    <View className="card standing" data-state={suspended ? 'suspended' : 'ok'}>
      <View className="card-title">抢岗资格</View>
      {suspended ? (
        <>
          <View className="accent">暂停抢岗至 {formatDateTime(standing.suspendedUntil!)}</View>
          <View className="muted">原因：近期多次报名后未到岗（未到岗 {standing.noShows} 次）。如有特殊情况，请联系社区书记免责。</View>
        </>
      ) : (
        <View>
          正常 <Text className="muted">· 近期未到岗 {standing.noShows} 次</Text>
        </View>
      )}
    </View>
  );
}
