import { useCallback, useEffect, useState } from 'react';
import { View, Text, ScrollView, Input } from '@tarojs/components';
import Taro, { usePullDownRefresh, useReachBottom, useDidShow } from '@tarojs/taro';
import {
  CATEGORY_KEYS,
  CATEGORY_LABELS,
  CLAIM_STATE_LABELS,
  MY_STATE,
  TERMS,
  type Category,
  type ClaimStatus,
  type MyClaims,
  type TaskListEntry,
} from '@pioneer/shared';
import BottomNav from '@/components/BottomNav';
import GrabButton from '@/components/GrabButton';
import StateView from '@/components/StateView';
import TaskCard from '@/components/TaskCard';
import WaitlistButton, { OfferButton } from '@/components/WaitlistButton';
import { DrawLine } from '@/components/DrawPanel';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useLiveCounts, withLive } from '@/hooks/use-live-counts';
import { useRequest } from '@/hooks/use-request';
import { useGrab } from '@/hooks/use-grab';
import { errorMessage } from '@/services/http';
import { getMyClaims, getMyMember } from '@/services/members';
import { isAdmin, isLiaisonOnly, secretaryOrgId } from '@/services/session';
import { landingFor, ROUTES } from '@/utils/routes';
import { audienceRefusal } from '@/utils/grab';
import { listTasks } from '@/services/tasks';
import { formatRange, todayString } from '@/utils/time';
import './index.scss';

type Tab = Category | 'all';
type When = 'all' | 'today' | 'tomorrow' | 'week';

const WHEN_LABELS: Record<When, string> = { all: '全部日期', today: '今天', tomorrow: '明天', week: '7天内' };

/** The list's date filter as the server's China-time days. */
function daysOf(when: When): { from?: string; to?: string } {
  if (when === 'today') return { from: todayString(), to: todayString() };
  if (when === 'tomorrow') return { from: todayString(1), to: todayString(1) };
  if (when === 'week') return { from: todayString(), to: todayString(6) };
  return {};
}

const UPCOMING: ClaimStatus[] = ['claimed', 'checked_in'];

export default function Home() {
  const { ready, user, error: authError, retry } = useAuthReady();
  const [tab, setTab] = useState<Tab>('all');
  const [when, setWhen] = useState<When>('all');
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<TaskListEntry[]>([]);
  const [records, setRecords] = useState<MyClaims['items']>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [mine, setMine] = useState<Record<string, ClaimStatus>>({});

  // Staff who are not members have nothing to grab: their work is on their own landing page.
  const staffOnly = ready && !user?.memberId && (Boolean(secretaryOrgId(user)) || isAdmin(user) || isLiaisonOnly(user));
  useEffect(() => {
    if (staffOnly) Taro.redirectTo({ url: landingFor(user) });
  }, [staffOnly, user]);

  const member = useRequest(() => (user?.memberId ? getMyMember() : Promise.resolve(null)), [user?.memberId], ready && !staffOnly);
  const communityId = member.data?.community.id ?? null;
  const communityName = member.data?.community.name ?? items[0]?.communityName;

  const loadMine = useCallback(async () => {
    if (!user?.memberId) return;
    try {
      const res = await getMyClaims();
      const map: Record<string, ClaimStatus> = {};
      res.items.forEach(({ task, claim }) => {
        if (claim.status !== 'cancelled' && claim.status !== 'released') map[task.id] = claim.status;
      });
      setMine(map);
      setRecords(res.items);
    } catch {
      // The list still works without it; the server answers ALREADY_CLAIMED if needed.
    }
  }, [user?.memberId]);

  const load = useCallback(
    async (reset: boolean) => {
      if (!communityId) return;
      setLoading(true);
      setError(null);
      // A new list (another category, a refresh) never shows the old cards as if they were its own.
      if (reset) {
        setItems([]);
        setCursor(null);
      }
      try {
        const res = await listTasks({
          communityOrgId: communityId,
          open: true,
          category: tab === 'all' ? undefined : tab,
          q: query || undefined,
          ...daysOf(when),
          cursor: reset ? undefined : (cursor ?? undefined),
        });
        setItems((prev) => (reset ? res.items : [...prev, ...res.items]));
        setCursor(res.nextCursor);
      } catch (err) {
        setError(errorMessage(err));
        if (!reset) Taro.showToast({ title: errorMessage(err), icon: 'none' });
      } finally {
        setLoading(false);
      }
    },
    [communityId, tab, cursor, query, when],
  );

  useEffect(() => {
    if (ready && communityId) {
      load(true);
      loadMine();
    } else if (ready && !member.loading) {
      setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, communityId, tab, when, query, member.loading]);

  useDidShow(() => {
    if (ready && communityId) loadMine();
  });

  usePullDownRefresh(async () => {
    await Promise.all([load(true), loadMine()]);
    Taro.stopPullDownRefresh();
  });

  useReachBottom(() => {
    if (cursor && !loading) load(false);
  });

  const live = useLiveCounts(items.map((t) => t.id));

  const { grab: claim, pending } = useGrab(user);
  const grab = async (task: TaskListEntry) => {
    const outcome = await claim(task.id);
    if (outcome.kind === 'claimed') {
      const { claim: mine, remaining } = outcome.result;
      setMine((m) => ({ ...m, [task.id]: mine.status }));
      setItems((list) => list.map((t) => (t.id === task.id ? { ...t, remaining, claimed: t.capacity - remaining } : t)));
    } else if (outcome.kind === 'refused' && outcome.code === 'ALREADY_CLAIMED') {
      setMine((m) => ({ ...m, [task.id]: 'claimed' }));
    } else if (outcome.kind === 'refused' && outcome.code === 'TASK_FULL') {
      setItems((list) => list.map((t) => (t.id === task.id ? { ...t, remaining: 0, claimed: t.capacity } : t)));
    }
  };

  /** The member's own state first (已抢到, 候补第 N 位, a held offer), then what the post allows. */
  const actionFor = (task: TaskListEntry) => {
    const own = task.mine;
    const claimStatus = mine[task.id] ?? own?.claimStatus ?? undefined;
    const w = own?.waitlist;
    if (!claimStatus && w?.status === 'offered') {
      return <OfferButton task={task} waitlist={w} onAccepted={() => setMine((m) => ({ ...m, [task.id]: 'claimed' }))} />;
    }
    if (!claimStatus && w?.status === 'waiting') return <WaitlistButton task={task} position={w.position} />;
    if (task.allocation === 'draw' && !task.drawnAt) {
      return (
        <View className="btn btn-small" onClick={() => Taro.navigateTo({ url: `${ROUTES.taskDetail}?id=${task.id}` })}>
          {own?.entry?.status === 'entered' ? '已参与抽签' : '抽签'}
        </View>
      );
    }
    if (task.remaining <= 0 && !claimStatus && task.status === 'open' && Date.now() < Date.parse(task.startsAt)) {
      return (
        <View className="home__full">
          <Text className="muted">{MY_STATE.full}</Text>
          <WaitlistButton task={task} />
        </View>
      );
    }
    return (
      <GrabButton
        outsideAudience={Boolean(audienceRefusal(task, member.data?.unitOrg?.id))}
        status={task.status}
        remaining={task.remaining}
        claimOpensAt={task.claimOpensAt}
        endsAt={task.endsAt}
        myClaimStatus={claimStatus}
        pending={pending[task.id]}
        onGrab={() => grab(task)}
      />
    );
  };

  // 我的近期岗位: live claims not yet over, soonest first.
  const upcoming = records
    .filter(({ task, claim }) => UPCOMING.includes(claim.status) && Date.parse(task.endsAt) > Date.now())
    .sort((a, b) => Date.parse(a.task.startsAt) - Date.parse(b.task.startsAt))
    .slice(0, 3);

  const needsRegister = ready && !staffOnly && !member.loading && !member.error && !communityId;

  return (
    <View className="page home">
      <View className="home__banner">
        <View className="home__banner-title">{communityName ?? '先锋领航·码上到'}</View>
        <View className="home__banner-sub">在职党员回社区 · 亮身份 · 做表率</View>
      </View>

      {authError ? <StateView error={authError} onRetry={retry} /> : null}
      {member.error ? <StateView error={member.error} onRetry={member.reload} /> : null}

      {needsRegister ? (
        <View className="card home__register">
          <View className="card-title">您还未到社区报到</View>
          <View className="muted">扫描所在社区张贴的报到二维码，或按名称查找社区，填写信息后即可参与社区服务岗位。</View>
          {process.env.TARO_ENV !== 'h5' ? (
            <View
              className="btn"
              style={{ marginTop: '24px' }}
              onClick={async () => {
                try {
                  const res = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
                  const match = res.result.match(/\/r\/([^/?#]+)/);
                  if (!match) throw new Error('not a register code');
                  Taro.navigateTo({ url: `${ROUTES.register}?code=${encodeURIComponent(match[1])}` });
                } catch {
                  Taro.showToast({ title: '未识别到社区报到二维码', icon: 'none' });
                }
              }}
            >
              扫码报到
            </View>
          ) : null}
          <View
            className={`btn ${process.env.TARO_ENV !== 'h5' ? 'btn-plain' : ''}`}
            style={{ marginTop: '24px' }}
            onClick={() => Taro.navigateTo({ url: ROUTES.findCommunity })}
          >
            查找我的社区
          </View>
        </View>
      ) : staffOnly || member.error ? null : (
        <>
          {upcoming.length > 0 ? (
            <View className="card home__upcoming" data-testid="upcoming">
              <View className="card-title">{TERMS.upcoming}</View>
              {upcoming.map(({ task, claim }) => (
                <View
                  key={task.id}
                  className="home__upcoming-item row between"
                  onClick={() => Taro.navigateTo({ url: `${ROUTES.taskDetail}?id=${task.id}` })}
                >
                  <View className="home__upcoming-main">
                    <View className="home__upcoming-title">{task.title}</View>
                    <View className="muted">{formatRange(task.startsAt, task.endsAt)}</View>
                  </View>
                  <Text className="accent">{CLAIM_STATE_LABELS[claim.status]}</Text>
                </View>
              ))}
            </View>
          ) : null}
          <View className="home__search row">
            <Input
              className="home__search-input"
              placeholder="搜索岗位名称"
              value={search}
              confirmType="search"
              onInput={(e) => setSearch(e.detail.value)}
              onConfirm={() => setQuery(search.trim())}
            />
            <View className="btn btn-small" onClick={() => setQuery(search.trim())}>
              搜索
            </View>
          </View>
          <ScrollView scrollX className="home__tabs" enableFlex>
            {(Object.keys(WHEN_LABELS) as When[]).map((key) => (
              <View key={key} className={`home__tab ${when === key ? 'is-active' : ''}`} onClick={() => setWhen(key)}>
                {WHEN_LABELS[key]}
              </View>
            ))}
          </ScrollView>
          <ScrollView scrollX className="home__tabs" enableFlex>
            {(['all', ...CATEGORY_KEYS] as Tab[]).map((key) => (
              <View key={key} className={`home__tab ${tab === key ? 'is-active' : ''}`} onClick={() => setTab(key)}>
                {key === 'all' ? '全部' : CATEGORY_LABELS[key]}
              </View>
            ))}
          </ScrollView>

          <StateView
            loading={loading && items.length === 0}
            error={items.length === 0 ? error : null}
            empty={!loading && items.length === 0}
            emptyText={query || when !== 'all' ? '没有符合条件的岗位' : '暂时没有可抢的岗位，稍后再来看看'}
            onRetry={() => load(true)}
          >
            {items.map((raw) => {
              const task = withLive(raw, live);
              return (
                <TaskCard
                  key={task.id}
                  task={task}
                  onClick={() => Taro.navigateTo({ url: `${ROUTES.taskDetail}?id=${task.id}` })}
                  footer={<DrawLine task={task} />}
                  action={actionFor(task)}
                />
              );
            })}
            {items.length > 0 ? (
              <View className="muted home__more">{loading ? '加载中…' : cursor ? '上拉加载更多' : '没有更多了'}</View>
            ) : null}
          </StateView>
        </>
      )}
      <Text className="home__spacer" />
      <BottomNav current="home" />
    </View>
  );
}
