import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh, useRouter } from '@tarojs/taro';
import { CATEGORY_LABELS, MEETING_STATUS_LABELS, NEED_STATUS_LABELS, PROJECT_STATUS_LABELS } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { listNeeds, listProjects, listResources, unitSides, type ListFilter, type UnitSides } from '@/services/units';
import { formatDateTime } from '@/utils/time';
import { orderNeeds, orderProjects, stars } from '@/utils/units-form';
import Agreements from './agreements';
import ClaimForm from './claim-form';
import './index.scss';

type Tab = 'agreements' | 'needs' | 'projects' | 'resources';
const TABS: Array<{ key: Tab; unit: string; community: string }> = [
  { key: 'agreements', unit: '我的协议', community: '报到申请' },
  { key: 'needs', unit: '需求清单', community: '需求清单' },
  { key: 'projects', unit: '我的项目', community: '项目清单' },
  { key: 'resources', unit: '资源清单', community: '单位资源' },
];

const go = (url: string) => Taro.navigateTo({ url });

function Needs({ filter, sides, side }: { filter: ListFilter; sides: UnitSides; side: 'unit' | 'community' }) {
  const list = useRequest(() => listNeeds(filter), [JSON.stringify(filter)]);
  const [claiming, setClaiming] = useState<string | null>(null);
  useDidShow(() => {
    if (list.data) void list.reload();
  });
  const items = orderNeeds(list.data?.items ?? []);
  const unitOrgId = sides.units[0];
  return (
    <StateView
      loading={list.loading && !list.data}
      error={list.error}
      onRetry={list.reload}
      empty={items.length === 0}
      emptyText={side === 'unit' ? '已报到社区暂无需求（报到获确认后可见）' : '暂无需求，点击“发布需求”开始'}
    >
      {items.map((n) => (
        <View key={n.id} className="units__item units__need" data-id={n.id}>
          <View className="row between">
            <Text className="units__title">{n.title}</Text>
            <Text className={`units__status units__status--${n.status}`}>{NEED_STATUS_LABELS[n.status]}</Text>
          </View>
          <View className="muted">
            {n.community.name} · {CATEGORY_LABELS[n.category]}
            {n.peopleNeeded ? ` · 需 ${n.peopleNeeded} 人` : ''}
            {n.dueAt ? ` · ${formatDateTime(n.dueAt)} 前` : ''}
            {n.source ? ` · 来自${n.source.kind === 'demand' ? '居民点单' : '吹哨报到'}` : ''}
          </View>
          <View className="units__desc">{n.description}</View>
          {n.project ? (
            <View className="accent" onClick={() => go(`/staff/project/index?id=${n.project!.id}`)}>
              {n.project.unit.name} 认领 · {PROJECT_STATUS_LABELS[n.project.status]} ›
            </View>
          ) : null}
          {(n.meetings ?? []).map((m) => (
            <View
              key={m.id}
              className={`units__meeting${m.readable ? ' accent' : ' muted'}`}
              data-meeting={m.id}
              onClick={m.readable ? () => go(`/staff/meeting/index?id=${m.id}`) : undefined}
            >
              共商共办 · {m.title} · {MEETING_STATUS_LABELS[m.status]}
              {m.actionCount ? ` · ${m.actionCount} 项任务，进度 ${Math.round(m.progress ?? 0)}%` : ''}
              {m.readable ? ' ›' : ''}
            </View>
          ))}
          {side === 'unit' && unitOrgId && n.status === 'open' ? (
            claiming === n.id ? (
              <ClaimForm need={n} unitOrgId={unitOrgId} onDone={() => (setClaiming(null), void list.reload())} />
            ) : (
              <View className="units__buttons">
                <View className="btn btn-small units__claim-open" onClick={() => setClaiming(n.id)}>
                  认领
                </View>
              </View>
            )
          ) : null}
        </View>
      ))}
    </StateView>
  );
}

function Projects({ filter }: { filter: ListFilter }) {
  const list = useRequest(() => listProjects(filter), [JSON.stringify(filter)]);
  useDidShow(() => {
    if (list.data) void list.reload();
  });
  const items = orderProjects(list.data?.items ?? []);
  return (
    <StateView
      loading={list.loading && !list.data}
      error={list.error}
      onRetry={list.reload}
      empty={items.length === 0}
      emptyText="暂无项目"
    >
      {items.map((p) => (
        <View key={p.id} className="units__item units__project" onClick={() => go(`/staff/project/index?id=${p.id}`)}>
          <View className="row between">
            <Text className="units__title">{p.need.name}</Text>
            <Text className={`units__status units__status--${p.status}`}>{PROJECT_STATUS_LABELS[p.status]}</Text>
          </View>
          <View className="muted">
            {p.unit.name} → {p.community.name} · {p.startsOn} 至 {p.endsOn}
            {p.rating ? ` · ${stars(p.rating)}` : ''}
          </View>
        </View>
      ))}
    </StateView>
  );
}

function Resources({ filter, side }: { filter: ListFilter; side: 'unit' | 'community' }) {
  const list = useRequest(() => listResources(filter), [JSON.stringify(filter)]);
  useDidShow(() => {
    if (list.data) void list.reload();
  });
  const items = list.data?.items ?? [];
  return (
    <StateView
      loading={list.loading && !list.data}
      error={list.error}
      onRetry={list.reload}
      empty={items.length === 0}
      emptyText={side === 'unit' ? '还没有登记资源，点击“登记资源”' : '已报到单位暂未登记资源'}
    >
      {items.map((r) => (
        <View key={r.id} className="units__item units__resource">
          <View className="row between">
            <Text className="units__title">{r.title}</Text>
            <Text className="muted">{CATEGORY_LABELS[r.category]}</Text>
          </View>
          <View className="muted">
            {r.unit.name}
            {r.capacity ? ` · 可提供 ${r.capacity}` : ''}
          </View>
          <View className="units__desc">{r.description}</View>
        </View>
      ))}
    </StateView>
  );
}

/**
 * 组织报到's hub. A unit's admin and liaisons: their agreements (报到社区), the needs of the
 * communities they report to (认领), their projects and resources. A secretary (or district
 * admin): 报到申请 to accept, the community's needs (发布需求), projects to 验收, the units' resources.
 */
export default function Units() {
  const { ready, user, error, retry } = useAuthReady();
  const params = useRouter().params;
  const sides = unitSides(user);
  const both = sides.units.length > 0 && (sides.communities.length > 0 || sides.overseer);
  const [chosen, setChosen] = useState<'unit' | 'community' | null>(null);
  const side: 'unit' | 'community' = chosen ?? (sides.units.length ? 'unit' : 'community');
  const [tab, setTab] = useState<Tab>((params.tab as Tab) || 'agreements');
  const [round, setRound] = useState(0);
  usePullDownRefresh(() => {
    setRound((r) => r + 1);
    Taro.stopPullDownRefresh();
  });

  if (!ready) return <StateView loading error={error} onRetry={retry} />;
  if (!sides.units.length && !sides.communities.length && !sides.overseer) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">组织报到仅供单位党组织、社区书记和各级管理员使用</View>
        </View>
      </View>
    );
  }
  const filter: ListFilter =
    side === 'unit' ? { unitOrgId: sides.units[0] } : sides.communities.length ? { communityOrgId: sides.communities[0] } : {};

  return (
    <View className="page units" key={round}>
      {both ? (
        <View className="chips units__sides">
          <View className={`chip ${side === 'unit' ? 'is-active' : ''}`} onClick={() => setChosen('unit')}>
            本单位
          </View>
          <View className={`chip ${side === 'community' ? 'is-active' : ''}`} onClick={() => setChosen('community')}>
            社区
          </View>
        </View>
      ) : null}
      <View className="units__actions">
        {side === 'unit' && sides.adminUnits.length ? (
          <View className="btn units__propose" onClick={() => go('/staff/agreement-new/index')}>
            报到社区
          </View>
        ) : null}
        {side === 'unit' ? (
          <View className="btn btn-plain units__add-resource" onClick={() => go('/staff/resource-new/index')}>
            登记资源
          </View>
        ) : (
          <View className="btn units__publish-need" onClick={() => go('/staff/need-new/index')}>
            发布需求
          </View>
        )}
        {sides.overseer ? (
          <View className="btn btn-plain units__board" onClick={() => go('/staff/index-ranking/index?board=units')}>
            报到成效
          </View>
        ) : side === 'unit' ? (
          <View className="btn btn-plain units__board" onClick={() => go(`/staff/index-org/index?board=units&id=${sides.units[0]}`)}>
            报到成效
          </View>
        ) : null}
      </View>
      <View className="units__tabs">
        {TABS.map((t) => (
          <View key={t.key} className={`units__tab units__tab--${t.key} ${tab === t.key ? 'is-active' : ''}`} onClick={() => setTab(t.key)}>
            {side === 'unit' ? t.unit : t.community}
          </View>
        ))}
      </View>
      <View className="card">
        {tab === 'agreements' ? <Agreements filter={filter} sides={sides} side={side} /> : null}
        {tab === 'needs' ? <Needs filter={filter} sides={sides} side={side} /> : null}
        {tab === 'projects' ? <Projects filter={filter} /> : null}
        {tab === 'resources' ? <Resources filter={filter} side={side} /> : null}
      </View>
    </View>
  );
}
