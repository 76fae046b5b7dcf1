import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { CATEGORY_LABELS, type Category, type RoleGrant, type StatsDashboard, type StatsOverview, type StatsScope } from '@pioneer/shared';
import BottomNav from '@/components/BottomNav';
import { BarChart, ColumnChart, formatNumber } from '@/components/Charts';
import BuildingCoverage from '@/components/BuildingCoverage';
import StaffTools from '@/components/StaffTools';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { isSecretary } from '@/services/session';
import { getRanking, getOrgIndex } from '@/services/assessment';
import { getDashboard } from '@/services/stats';
import { UnitBoardCard, UnitFigures } from './unit-cards';
import { download } from '@/services/registry';
import { errorMessage } from '@/services/http';
import { currentPeriod, shiftPeriod } from '@/services/assessment';
import { formatHours } from '@/utils/time';
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

/** Minutes from the claim window opening to the last slot going; under a minute is said so, not "0 分钟". */
export function medianToFull(minutes: number | null): { value: string | number; unit: string } {
  if (minutes === null) return { value: '—', unit: '' };
  if (minutes < 1) return { value: '不到 1', unit: '分钟' };
  if (minutes < 120) return { value: Math.round(minutes), unit: '分钟' };
  return { value: (minutes / 60).toFixed(1), unit: '小时' };
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
          <Metric label="满员中位用时" {...medianToFull(s.medianMinutesToFull)} />
        </View>
      </View>
      {s.meetings ? (
        <View className="card" onClick={() => Taro.navigateTo({ url: '/staff/meetings/index' })}>
          <View className="card-title">共商共办</View>
          <View className="dash__grid">
            <Metric label="召开会议" value={s.meetings.held} unit="场" />
            <Metric label="责任任务" value={s.meetings.actions} unit="项" />
            <Metric label="按期完成" value={s.meetings.actionsOnTime} unit="项" />
            <Metric label="超期未办" value={s.meetings.actionsOverdue} unit="项" />
            <Metric label="上门解决问题" value={s.meetings.handled} unit="个" />
          </View>
          <View className="btn btn-plain btn-small dash__more">会议与任务 ›</View>
        </View>
      ) : null}
      <UnitFigures s={s} scope={scope} />
      {s.households > 0 ? (
        <View className="card">
          <View className="card-title">业主覆盖</View>
          <View className="dash__grid">
            <Metric label="业主户数" value={s.households} unit="户" />
            <Metric label="有党员报到" value={s.householdsWithMember} unit="户" />
            <Metric label="覆盖率" value={Math.round((s.householdsWithMember / s.households) * 100)} unit="%" />
          </View>
        </View>
      ) : null}
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

const hours = (minutes: number) => Math.round(minutes / 6) / 10;

function Charts({ d, scope }: { d: StatsDashboard; scope: StatsScope }) {
  const [series, setSeries] = useState<'participations' | 'hours'>('participations');
  const weeks = d.trends.map((t) => ({
    key: t.week,
    label: `${Number(t.week.slice(5, 7))}月${Number(t.week.slice(8, 10))}日当周`,
    value: series === 'participations' ? t.participations : hours(t.serviceMinutes),
    detail: `${t.participations} 人次 · ${hours(t.serviceMinutes)} 小时`,
  }));
  const breakdownTitle = d.breakdown.kind === 'district' ? '各板块参与人次' : '各社区参与人次（前30）';
  return (
    <>
      <View className="card">
        <View className="card-title">每周参与趋势</View>
        <View className="chips dash__series">
          <View className={`chip ${series === 'participations' ? 'is-active' : ''}`} onClick={() => setSeries('participations')}>
            人次
          </View>
          <View className={`chip ${series === 'hours' ? 'is-active' : ''}`} onClick={() => setSeries('hours')}>
            服务时长
          </View>
        </View>
        <ColumnChart items={weeks} unit={series === 'participations' ? ' 人次' : ' 小时'} emptyText="近半年暂无参与记录" />
      </View>
      <View className="card">
        <View className="card-title">八大服务类别</View>
        <BarChart
          unit=" 人次"
          items={d.categories.map((c) => ({
            key: c.category,
            label: CATEGORY_LABELS[c.category as Category] ?? c.category,
            value: c.participations,
            detail: `${c.tasks} 个岗位 · ${c.participations} 人次 · ${hours(c.serviceMinutes)} 小时`,
          }))}
        />
      </View>
      <View className="card">
        <View className="card-title">岗位满员用时分布</View>
        <BarChart
          unit=" 个"
          items={d.timeToFull.map((b) => ({
            key: b.label,
            label: b.label,
            value: b.tasks,
            detail: `${b.tasks} 个岗位在开抢后${b.label}满员`,
          }))}
          emptyText="暂无满员岗位"
        />
      </View>
      {scope === 'city' || scope === 'district' ? (
        <View className="card">
          <View className="card-title">{breakdownTitle}</View>
          <BarChart
            unit=" 人次"
            items={[...d.breakdown.items]
              .sort((a, b) => b.participations - a.participations)
              .map((r) => ({
                key: r.id,
                label: r.name,
                value: r.participations,
                detail: `报到党员 ${formatNumber(r.members)} 人 · 岗位 ${formatNumber(r.tasksPublished)} 个 · 服务 ${formatNumber(hours(r.serviceMinutes))} 小时`,
              }))}
          />
        </View>
      ) : null}
    </>
  );
}

function IndexCard({ scope, id }: { scope: StatsScope; id: string | null }) {
  const staffRanking = scope === 'city' || scope === 'district';
  const ranking = useRequest(() => getRanking({ districtId: scope === 'district' ? id : null, limit: 10 }), [scope, id], staffRanking);
  const own = useRequest(() => getOrgIndex(id!), [id], scope === 'community' && Boolean(id));
  if (!staffRanking && scope !== 'community') return null;
  const open = (url: string) => Taro.navigateTo({ url });
  return (
    <View className="card">
      <View className="card-title">先锋指数+ · 本月</View>
      {staffRanking ? (
        <StateView loading={ranking.loading && !ranking.data} error={ranking.error} onRetry={ranking.reload}>
          {ranking.data ? (
            <>
              <BarChart
                unit=" 分"
                items={ranking.data.items.map((e) => ({
                  key: e.org.id,
                  label: `${e.rank}. ${e.org.name}`,
                  value: e.score,
                  detail: `${e.org.districtName} · ${e.score} / ${ranking.data!.maxScore} 分`,
                }))}
              />
              <View
                className="btn btn-plain btn-small dash__more"
                onClick={() => open(`/staff/index-ranking/index${scope === 'district' && id ? `?districtId=${id}` : ''}`)}
              >
                完整排名与得分说明
              </View>
            </>
          ) : null}
        </StateView>
      ) : (
        <StateView loading={own.loading && !own.data} error={own.error} onRetry={own.reload}>
          {own.data ? (
            <View onClick={() => open(`/staff/index-org/index?id=${id}`)}>
              <View className="dash__grid">
                <Metric label="本月得分" value={own.data.score} unit={`/${own.data.maxScore}`} />
                <Metric label="板块排名" value={`${own.data.districtRank}/${own.data.districtTotal}`} />
                <Metric label="全市排名" value={`${own.data.rank}/${own.data.cityTotal}`} />
              </View>
              <View className="btn btn-plain btn-small dash__more">查看每项得分说明</View>
            </View>
          ) : null}
        </StateView>
      )}
    </View>
  );
}

/** 单位反馈: the unit's members' service in one month, as the XLSX the unit sends back to its members' employers. */
function UnitReport({ unitOrgId }: { unitOrgId: string }) {
  const [month, setMonth] = useState(shiftPeriod(currentPeriod(), -1));
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await download('/exports/unit-report.xlsx', { unitOrgId, month }, `单位反馈-${month}.xlsx`);
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className="card" data-testid="unit-report">
      <View className="card-title">单位反馈报表</View>
      <View className="row between">
        <Text className="accent" onClick={() => setMonth(shiftPeriod(month, -1))}>
          上月
        </Text>
        <Text>{month.replace('-', '年')}月</Text>
        <Text className="accent" onClick={() => setMonth(shiftPeriod(month, 1))}>
          下月
        </Text>
      </View>
      <View className="muted">本单位党员当月在各社区的服务记录，可转发给所在部门。</View>
      <View className={`btn btn-plain btn-small dash__more ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && save()}>
        {busy ? '导出中…' : '导出单位反馈（Excel）'}
      </View>
    </View>
  );
}

export default function Dashboard() {
  const { ready, user } = useAuthReady();
  const options = scopesFor(user?.roles ?? []);
  const [index, setIndex] = useState(0);
  const current = options[index] ?? options[0];
  const stats = useRequest(() => getDashboard(current.scope, current.id), [current?.scope, current?.id], ready && Boolean(current));

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
          <StaffTools user={user} />
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
            {stats.data ? (
              <>
                <Overview s={stats.data.overview} scope={current.scope} />
                {current.scope === 'unit' && current.id ? <UnitReport unitOrgId={current.id} /> : null}
                <IndexCard scope={current.scope} id={current.id} />
                <UnitBoardCard scope={current.scope} id={current.id} />
                <Charts d={stats.data} scope={current.scope} />
              </>
            ) : null}
          </StateView>
          {current.scope === 'community' && current.id ? <BuildingCoverage communityId={current.id} /> : null}
        </>
      )}
      <BottomNav current={isSecretary(user) ? 'manage' : 'dashboard'} />
    </View>
  );
}
