import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import type { RoleGrant, StatsOverview, StatsScope } from '@pioneer/shared';
import BottomNav from '../../components/BottomNav';
import StateView from '../../components/StateView';
import { useAuthReady } from '../../hooks/use-auth-ready';
import { useRequest } from '../../hooks/use-request';
import { isSecretary } from '../../services/session';
import { getOverview } from '../../services/stats';
import { formatHours } from '../../utils/time';
import './index.scss';

interface ScopeOption {
  scope: StatsScope;
  id: string | null;
  label: string;
}

function scopesFor(roles: RoleGrant[]): ScopeOption[] {
  const out: ScopeOption[] = [];
  roles.forEach((g) => {
    if (g.role === 'city_admin') out.push({ scope: 'city', id: null, label: '全市' });
    if (g.role === 'district_admin' && g.orgId) out.push({ scope: 'district', id: g.orgId, label: '本板块' });
    if (g.role === 'secretary' && g.orgId) out.push({ scope: 'community', id: g.orgId, label: '本社区' });
    if (g.role === 'unit_admin' && g.orgId) out.push({ scope: 'unit', id: g.orgId, label: '本单位党员' });
  });
  return out;
}

function Metric({ label, value, unit }: { label: string; value: string | number; unit?: string }) {
  return (
    <View className="dash__metric">
      <View>
        <Text className="dash__value">{value}</Text>
        {unit ? <Text className="dash__unit">{unit}</Text> : null}
      </View>
      <Text className="muted">{label}</Text>
    </View>
  );
}

function Overview({ s, scope }: { s: StatsOverview; scope: StatsScope }) {
  const fillRate = s.tasksPublished ? Math.round((s.tasksFilled / s.tasksPublished) * 100) : 0;
  return (
    <>
      <View className="card">
        <View className="card-title">党员报到</View>
        <View className="dash__grid">
          <Metric label="报到党员" value={s.members} unit="人" />
          <Metric label="参与人次" value={s.participations} unit="次" />
          <Metric label="服务时长" value={formatHours(s.serviceMinutes)} unit="小时" />
        </View>
      </View>
      <View className="card">
        <View className="card-title">岗位认领</View>
        <View className="dash__grid">
          <Metric label="发布岗位" value={s.tasksPublished} unit="个" />
          <Metric label="满员岗位" value={s.tasksFilled} unit="个" />
          <Metric label="满员率" value={fillRate} unit="%" />
          <Metric label="满员中位用时" value={s.medianMinutesToFull === null ? '—' : Math.round(s.medianMinutesToFull)} unit={s.medianMinutesToFull === null ? '' : '分钟'} />
        </View>
      </View>
      {scope !== 'community' ? (
        <View className="card">
          <View className="card-title">组织覆盖</View>
          <View className="dash__grid">
            {scope === 'city' ? <Metric label="板块" value={s.districts} unit="个" /> : null}
            {scope === 'unit' ? (
              <Metric label="党员居住社区" value={s.communityOrgs} unit="个" />
            ) : (
              <>
                <Metric label="社区党组织已启用" value={`${s.communityOrgsOnboarded}/${s.communityOrgs}`} />
                <Metric label="单位党组织已报到" value={`${s.unitOrgsOnboarded}/${s.unitOrgs}`} />
              </>
            )}
          </View>
        </View>
      ) : null}
    </>
  );
}

export default function Dashboard() {
  const { ready, user } = useAuthReady();
  const options = scopesFor(user?.roles ?? []);
  const [index, setIndex] = useState(0);
  const current = options[index] ?? options[0];
  const stats = useRequest(
    () => getOverview(current.scope, current.id),
    [current?.scope, current?.id],
    ready && Boolean(current),
  );

  usePullDownRefresh(async () => {
    await stats.reload();
    Taro.stopPullDownRefresh();
  });

  return (
    <View className="page dash">
      {!ready ? (
        <StateView loading />
      ) : !current ? (
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">数据看板仅供社区书记、单位和各级管理员使用</View>
        </View>
      ) : (
        <>
          {options.length > 1 ? (
            <View className="chips dash__scopes">
              {options.map((o, i) => (
                <View key={`${o.scope}-${o.id}`} className={`chip ${i === index ? 'is-active' : ''}`} onClick={() => setIndex(i)}>
                  {o.label}
                </View>
              ))}
            </View>
          ) : null}
          <StateView loading={stats.loading && !stats.data} error={stats.error} onRetry={stats.reload}>
            {stats.data ? <Overview s={stats.data} scope={current.scope} /> : null}
          </StateView>
        </>
      )}
      <BottomNav current={isSecretary(user) ? 'manage' : 'dashboard'} />
    </View>
  );
}
