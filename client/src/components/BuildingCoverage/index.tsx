import { View, Text } from '@tarojs/components';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { getCoverage } from '@/services/registry';
import './index.scss';

const percent = (a: number, b: number) => (b ? `${Math.round((a / b) * 100)}%` : '-');

/** Homes of the community's registry with a registered member, in all and per building (业主覆盖率). */
export default function BuildingCoverage({ communityId }: { communityId: string }) {
  const coverage = useRequest(() => getCoverage(communityId), [communityId]);
  const c = coverage.data;
  return (
    <View className="card">
      <View className="card-title">业主覆盖率</View>
      <StateView
        loading={coverage.loading && !c}
        error={coverage.error}
        onRetry={coverage.reload}
        empty={c?.households === 0}
        emptyText="尚未导入业主信息"
      >
        {c ? (
          <>
            <View className="coverage__total">
              <Text className="coverage__big">{percent(c.householdsWithMember, c.households)}</Text>
              <Text className="muted">{`${c.householdsWithMember} / ${c.households} 户有党员报到`}</Text>
            </View>
            {c.buildings.map((b) => (
              <View key={`${b.estate.id}-${b.building}`} className="coverage__building">
                <Text>{`${b.estate.name} ${b.building} 栋`}</Text>
                <View className="coverage__bar">
                  <View className="coverage__fill" style={{ width: percent(b.householdsWithMember, b.households) }} />
                </View>
                <Text className="muted">{`${b.householdsWithMember}/${b.households}`}</Text>
              </View>
            ))}
          </>
        ) : null}
      </StateView>
    </View>
  );
}
