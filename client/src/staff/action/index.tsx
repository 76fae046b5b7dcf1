import { useEffect, useState } from 'react';
import { View, Text, Textarea, Slider } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { ACTION_STATUS_LABELS, ROLE_LABELS, type Action } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { confirmAction, getAction, getMeeting, reopenAction, reportDone, reportProgress, convenes } from '@/services/meetings';
import { formatDateTime } from '@/utils/time';
import './index.scss';

const EVENT_LABELS: Record<Action['timeline'][number]['kind'], string> = {
  create: '分派',
  progress: '报告进度',
  done: '报告完成',
  confirm: '确认完成',
  reopen: '退回重办',
  escalate: '超期督办',
};

/** The owner unit reports progress (slider, note, a milestone ticked) or done; the convener confirms or reopens. */
function Controls({ a, owner, convener, onDone }: { a: Action; owner: boolean; convener: boolean; onDone: (a: Action) => void }) {
  const [progress, setProgress] = useState(a.progress);
  const [note, setNote] = useState('');
  const [milestone, setMilestone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => setProgress(a.progress), [a.progress]);
  const run = async (fn: () => Promise<Action>, done: string) => {
    if (busy || !note.trim()) return;
    setBusy(true);
    try {
      onDone(await fn());
      setNote('');
      setMilestone(null);
      Taro.showToast({ title: done, icon: 'success' });
    } catch (e) {
      Taro.showModal({ title: '操作未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  const live = a.status === 'open' || a.status === 'in_progress';
  if (owner && live) {
    return (
      <View className="card">
        <View className="card-title">报告进度</View>
        <View className="row between">
          <Text>完成进度</Text>
          <Text className="accent">{progress}%</Text>
        </View>
        <Slider
          value={progress}
          min={0}
          max={100}
          step={5}
          activeColor="#c8161d"
          onChanging={(e) => setProgress(e.detail.value)}
          onChange={(e) => setProgress(e.detail.value)}
        />
        {a.milestones.some((m) => !m.doneAt) ? (
          <View className="chips action__ms">
            {a.milestones
              .filter((m) => !m.doneAt)
              .map((m) => (
                <View
                  key={m.id}
                  className={`chip ${milestone === m.id ? 'is-active' : ''}`}
                  onClick={() => setMilestone(milestone === m.id ? null : m.id)}
                >
                  {milestone === m.id ? '✓ ' : ''}
                  {m.title}
                </View>
              ))}
          </View>
        ) : null}
        <Textarea
          className="field-textarea"
          value={note}
          maxlength={1000}
          placeholder="进展说明"
          onInput={(e) => setNote(e.detail.value)}
        />
        <View className="row action__buttons">
          <View
            className={`btn btn-small ${note.trim() && !busy ? '' : 'is-disabled'}`}
            onClick={() =>
              run(() => reportProgress(a.id, { progress, note: note.trim(), ...(milestone ? { milestoneDone: milestone } : {}) }), '已报告')
            }
          >
            提交进度
          </View>
          <View
            className={`btn btn-small btn-plain ${note.trim() && !busy ? '' : 'is-disabled'}`}
            onClick={() => run(() => reportDone(a.id, note.trim()), '已报告完成')}
          >
            报告完成
          </View>
        </View>
      </View>
    );
  }
  if (convener && a.status === 'done') {
    return (
      <View className="card">
        <View className="card-title">验收</View>
        <Textarea
          className="field-textarea"
          value={note}
          maxlength={1000}
          placeholder="验收意见"
          onInput={(e) => setNote(e.detail.value)}
        />
        <View className="row action__buttons">
          <View
            className={`btn btn-small ${note.trim() && !busy ? '' : 'is-disabled'}`}
            onClick={() => run(() => confirmAction(a.id, note.trim()), '已确认')}
          >
            确认完成
          </View>
          <View
            className={`btn btn-small btn-plain ${note.trim() && !busy ? '' : 'is-disabled'}`}
            onClick={() => run(() => reopenAction(a.id, note.trim()), '已退回')}
          >
            退回重办
          </View>
        </View>
      </View>
    );
  }
  return null;
}

export default function ActionPage() {
  const { ready, user } = useAuthReady();
  const id = useRouter().params.id ?? '';
  const action = useRequest(() => getAction(id), [id], ready && Boolean(id));
  const a = action.data;
  const meeting = useRequest(() => getMeeting(a!.meetingId), [a?.meetingId], Boolean(a));
  const owner = Boolean(a && user?.roles.some((g) => (g.role === 'unit_liaison' || g.role === 'unit_admin') && g.orgId === a.owner.id));
  const convener = meeting.data ? convenes(user, meeting.data.meeting) : false;

  return (
    <View className="page action">
      <StateView loading={!ready || (action.loading && !a)} error={action.error} onRetry={action.reload}>
        {a ? (
          <>
            <View className="card">
              <View className="row between">
                <Text className="tag">{a.overdue ? '已超期' : ACTION_STATUS_LABELS[a.status]}</Text>
                <Text className="accent">{a.progress}%</Text>
              </View>
              <View className="action__title">{a.title}</View>
              <View className="muted accent-link" onClick={() => Taro.navigateTo({ url: `/staff/meeting/index?id=${a.meetingId}` })}>
                来自：{a.meetingTitle} ›
              </View>
              <View className="muted">牵头：{a.owner.name}</View>
              {a.assists.length ? <View className="muted">协办：{a.assists.map((o) => o.name).join('、')}</View> : null}
              <View className="muted">完成时限：{formatDateTime(a.dueAt)}</View>
              <View className="action__bar">
                <View className="action__fill" style={{ width: `${a.progress}%` }} />
              </View>
            </View>
            {a.milestones.length ? (
              <View className="card">
                <View className="card-title">时序节点</View>
                {a.milestones.map((m) => (
                  <View key={m.id} className={`row between action__milestone ${m.overdue ? 'is-overdue' : ''}`}>
                    <Text>
                      {m.doneAt ? '✓ ' : '○ '}
                      {m.title}
                    </Text>
                    <Text className="muted">
                      {m.doneAt ? `完成于 ${formatDateTime(m.doneAt)}` : `时限 ${formatDateTime(m.dueAt)}${m.overdue ? ' · 超期' : ''}`}
                    </Text>
                  </View>
                ))}
              </View>
            ) : null}
            <Controls a={a} owner={owner} convener={convener} onDone={action.setData} />
            <View className="card">
              <View className="card-title">进度时间线</View>
              {[...a.timeline].reverse().map((e, i) => (
                <View key={i} className="action__event">
                  <View>
                    <Text className="action__event-kind">{EVENT_LABELS[e.kind]}</Text>
                    {e.progress !== null ? <Text className="accent"> {e.progress}%</Text> : null}
                    <Text className="muted"> {e.orgName ?? (e.role ? ROLE_LABELS[e.role] : '系统')}</Text>
                  </View>
                  <View className="muted">{formatDateTime(e.at)}</View>
                  {e.milestone ? <View>完成节点：{e.milestone}</View> : null}
                  {e.note ? <View className="action__note">{e.note}</View> : null}
                </View>
              ))}
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
