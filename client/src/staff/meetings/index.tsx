import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { MEETING_KIND_LABELS, MEETING_STATUS_LABELS, type Meeting } from '@pioneer/shared';
import ActionCard from '@/components/ActionCard';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { checkinTokenOf, convenerScopes, listActions, listMeetings } from '@/services/meetings';
import { unitOrgIds } from '@/services/whistles';
import { formatDateTime } from '@/utils/time';
import './index.scss';

function MeetingRow({ m, onClick }: { m: Meeting; onClick: () => void }) {
  return (
    <View className="meetings__item" onClick={onClick}>
      <View className="row between">
        <Text className="meetings__title">{m.title}</Text>
        <Text className={`meetings__status meetings__status--${m.status}`}>{MEETING_STATUS_LABELS[m.status]}</Text>
      </View>
      <View className="muted">
        {MEETING_KIND_LABELS[m.kind]} · {formatDateTime(m.startsAt)} · {m.location}
      </View>
      <View className="muted">
        {m.convener.name} 召集 · 邀请 {m.invited.length} 家 · 签到 {m.attendanceCount} 人
        {m.actionCount ? ` · 任务 ${m.actionCount} 项，总进度 ${m.progress ?? 0}%` : ''}
      </View>
    </View>
  );
}

/**
 * 共商共办's hub: conveners see their meetings and start a new one; units see 我的任务 (their
 * action items, overdue first) and the meetings they are invited to.
 */
export default function Meetings() {
  const { ready, user } = useAuthReady();
  const conveners = convenerScopes(user);
  const units = unitOrgIds(user);
  const [tab, setTab] = useState<'tasks' | 'meetings'>(units.length ? 'tasks' : 'meetings');
  const meetings = useRequest(() => listMeetings({ limit: 50 }), [user?.id], ready && tab === 'meetings');
  const actions = useRequest(() => listActions(), [user?.id], ready && units.length > 0 && tab === 'tasks');
  const reload = () => (tab === 'tasks' ? actions.reload() : meetings.reload());
  useDidShow(() => {
    if (meetings.data || actions.data) void reload();
  });
  usePullDownRefresh(async () => {
    await reload();
    Taro.stopPullDownRefresh();
  });
  const go = (url: string) => Taro.navigateTo({ url });
  /** In the mini-program the meeting's QR (a `/m/<token>` link) is scanned here and opens the meeting page, which signs in. */
  const scanToAttend = async () => {
    let raw: string;
    try {
      raw = (await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] })).result;
    } catch {
      return;
    }
    const token = checkinTokenOf(raw);
    if (!token) {
      Taro.showModal({ title: '无法识别', content: '这不是会议签到二维码', showCancel: false });
      return;
    }
    go(`/staff/meeting/index?token=${encodeURIComponent(token)}`);
  };

  if (ready && !conveners.length && !units.length && !user?.roles.some((g) => g.role === 'city_admin')) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">共商共办仅供社区书记、板块管理员和单位红色代办员使用</View>
        </View>
      </View>
    );
  }

  return (
    <View className="page meetings">
      {conveners.length ? (
        <View className="btn meetings__new" onClick={() => go('/staff/meeting-new/index')}>
          召开协调会 / 上门服务
        </View>
      ) : null}
      {units.length ? (
        <View className="btn btn-plain meetings__new" onClick={scanToAttend}>
          扫码签到
        </View>
      ) : null}
      {units.length ? (
        <View className="meetings__tabs">
          <View className={`meetings__tab ${tab === 'tasks' ? 'is-active' : ''}`} onClick={() => setTab('tasks')}>
            我的任务
          </View>
          <View className={`meetings__tab ${tab === 'meetings' ? 'is-active' : ''}`} onClick={() => setTab('meetings')}>
            会议
          </View>
        </View>
      ) : null}
      {tab === 'tasks' ? (
        <View className="card">
          <StateView
            loading={!ready || (actions.loading && !actions.data)}
            error={actions.error}
            onRetry={actions.reload}
            empty={actions.data?.items.length === 0}
            emptyText="暂无任务"
          >
            {actions.data?.items.map((a) => (
              <ActionCard key={a.id} action={a} onClick={() => go(`/staff/action/index?id=${a.id}`)} />
            ))}
          </StateView>
        </View>
      ) : (
        <View className="card">
          <StateView
            loading={!ready || (meetings.loading && !meetings.data)}
            error={meetings.error}
            onRetry={meetings.reload}
            empty={meetings.data?.items.length === 0}
            emptyText="暂无会议"
          >
            {meetings.data?.items.map((m) => (
              <MeetingRow key={m.id} m={m} onClick={() => go(`/staff/meeting/index?id=${m.id}`)} />
            ))}
          </StateView>
        </View>
      )}
    </View>
  );
}
