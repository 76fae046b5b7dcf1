import { useEffect, useState } from 'react';
import { View, Text, Input, Textarea, Picker } from '@tarojs/components';
import Taro, { useRouter, usePullDownRefresh } from '@tarojs/taro';
import {
  HANDLED_CATEGORIES,
  HANDLED_CATEGORY_LABELS,
  MEETING_KIND_LABELS,
  MEETING_STATUS_LABELS,
  ROLE_LABELS,
  type HandledCategory,
  type MeetingDetail,
} from '@pioneer/shared';
import ActionCard from '@/components/ActionCard';
import Field from '@/components/Field';
import Icon from '@/components/Icon';
import OrgPicker from '@/components/OrgPicker';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { addAction, attend, cancelMeeting, closeMeeting, convenes, getMeeting, meetingIdOfToken } from '@/services/meetings';
import { formatClock, formatDateTime, toIsoWithOffset, todayString } from '@/utils/time';
import './index.scss';

const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

/** 纪要: minutes, decisions, and for a 上门服务日 the questions handled by category. */
function CloseForm({ d, onDone }: { d: MeetingDetail; onDone: () => void }) {
  const [minutes, setMinutes] = useState('');
  const [decisions, setDecisions] = useState('');
  const [handled, setHandled] = useState<Partial<Record<HandledCategory, string>>>({});
  const [busy, setBusy] = useState(false);
  const service = d.meeting.kind === 'door_service';
  const submit = async () => {
    if (busy || !minutes.trim()) return;
    setBusy(true);
    try {
      await closeMeeting(d.meeting.id, {
        minutes: minutes.trim(),
        decisions: lines(decisions),
        ...(service
          ? {
              handled: HANDLED_CATEGORIES.flatMap((c) => {
                const n = Number(handled[c] ?? 0);
                return Number.isInteger(n) && n > 0 ? [{ category: c, count: n }] : [];
              }),
            }
          : {}),
      });
      Taro.showToast({ title: '纪要已保存', icon: 'success' });
      onDone();
    } catch (e) {
      Taro.showModal({ title: '未能保存', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className="card">
      <View className="card-title">会议纪要</View>
      <Field label="纪要" required>
        <Textarea className="field-textarea" value={minutes} maxlength={5000} onInput={(e) => setMinutes(e.detail.value)} />
      </Field>
      <Field label="议定事项（每行一条）">
        <Textarea className="field-textarea" value={decisions} maxlength={5000} onInput={(e) => setDecisions(e.detail.value)} />
      </Field>
      {service ? (
        <Field label="解决问题数（按类别）">
          <View className="meeting__handled">
            {HANDLED_CATEGORIES.map((c) => (
              <View key={c} className="meeting__handled-item">
                <Text>{HANDLED_CATEGORY_LABELS[c]}</Text>
                <Input
                  className="field-input meeting__count"
                  type="number"
                  value={handled[c] ?? ''}
                  placeholder="0"
                  onInput={(e) => setHandled({ ...handled, [c]: e.detail.value })}
                />
              </View>
            ))}
          </View>
        </Field>
      ) : null}
      <View className={`btn ${minutes.trim() && !busy ? '' : 'is-disabled'}`} onClick={submit}>
        保存纪要，会议结束
      </View>
    </View>
  );
}

/** 责任分工 editor: title, owner unit, assisting units, due date and milestones (时序进度). */
function ActionEditor({ d, onDone }: { d: MeetingDetail; onDone: () => void }) {
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState<{ id: string; name: string } | null>(null);
  const [assists, setAssists] = useState<Array<{ id: string; name: string }>>([]);
  const [due, setDue] = useState(todayString(14));
  const [milestones, setMilestones] = useState<Array<{ title: string; date: string }>>([]);
  const [busy, setBusy] = useState(false);
  const valid = Boolean(title.trim().length >= 2 && owner && milestones.every((m) => m.title.trim()));
  const submit = async () => {
    if (!valid || busy) return;
    setBusy(true);
    try {
      await addAction(d.meeting.id, {
        title: title.trim(),
        ownerOrgId: owner!.id,
        assistOrgIds: assists.map((a) => a.id),
        dueAt: toIsoWithOffset(due, '18:00'),
        milestones: milestones.map((m) => ({ title: m.title.trim(), dueAt: toIsoWithOffset(m.date, '18:00') })),
      });
      setTitle('');
      setOwner(null);
      setAssists([]);
      setMilestones([]);
      Taro.showToast({ title: '已分派', icon: 'success' });
      onDone();
    } catch (e) {
      Taro.showModal({ title: '未能分派', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className="card">
      <View className="card-title">新增任务（责任分工）</View>
      <Field label="任务" required>
        <Input className="field-input" value={title} maxlength={200} onInput={(e) => setTitle(e.detail.value)} />
      </Field>
      <Field label="牵头单位" required>
        <OrgPicker kind="unit" value={owner} onChange={(o) => setOwner({ id: o.id, name: o.name })} />
      </Field>
      <Field label="协办单位">
        <View className="chips">
          {assists.map((o) => (
            <View key={o.id} className="chip is-active" onClick={() => setAssists(assists.filter((x) => x.id !== o.id))}>
              {o.name} ✕
            </View>
          ))}
        </View>
        <OrgPicker
          kind="unit"
          value={null}
          placeholder="搜索并添加协办单位"
          onChange={(o) => {
            if (!assists.some((x) => x.id === o.id) && o.id !== owner?.id) setAssists([...assists, { id: o.id, name: o.name }]);
          }}
        />
      </Field>
      <Field label="完成时限" required>
        <Picker mode="date" value={due} start={todayString()} onChange={(e) => setDue(String(e.detail.value))}>
          <View className="field-input">{due}</View>
        </Picker>
      </Field>
      <Field label="时序节点">
        {milestones.map((m, i) => (
          <View key={i} className="row meeting__milestone">
            <Input
              className="field-input meeting__milestone-title"
              value={m.title}
              placeholder={`节点 ${i + 1}`}
              onInput={(e) => setMilestones(milestones.map((x, j) => (j === i ? { ...x, title: e.detail.value } : x)))}
            />
            <Picker
              mode="date"
              value={m.date}
              start={todayString()}
              end={due}
              onChange={(e) => setMilestones(milestones.map((x, j) => (j === i ? { ...x, date: String(e.detail.value) } : x)))}
            >
              <View className="field-input">{m.date}</View>
            </Picker>
            <Text className="accent" onClick={() => setMilestones(milestones.filter((_, j) => j !== i))}>
              删除
            </Text>
          </View>
        ))}
        <View className="btn btn-plain btn-small" onClick={() => setMilestones([...milestones, { title: '', date: due }])}>
          添加节点
        </View>
      </Field>
      <View className={`btn ${valid && !busy ? '' : 'is-disabled'}`} onClick={submit}>
        分派任务
      </View>
    </View>
  );
}

/**
 * The meeting page, for everyone concerned: agenda, attendance, minutes, decisions and actions.
 * Opened from a scanned check-in QR (`?token=`), it records the scanner's attendance first.
 */
export default function MeetingPage() {
  const { ready, user } = useAuthReady();
  const params = useRouter().params;
  const token = params.token ? decodeURIComponent(params.token) : '';
  const id = params.id ?? meetingIdOfToken(token);
  const [checked, setChecked] = useState<string | null>(token ? null : 'skip');
  const [mode, setMode] = useState<'none' | 'close' | 'action'>('none');

  useEffect(() => {
    if (!ready || !token || checked) return;
    attend(id, token)
      .then((r) => setChecked(`已签到：${r.attendance.org.name} ${formatClock(r.attendance.at)}`))
      .catch((e) => setChecked(`未能签到：${errorMessage(e)}`));
  }, [ready, token, id, checked]);

  const detail = useRequest(() => getMeeting(id), [id], ready && Boolean(id) && Boolean(checked));
  usePullDownRefresh(async () => {
    await detail.reload();
    Taro.stopPullDownRefresh();
  });
  const d = detail.data;
  const mine = d ? convenes(user, d.meeting) : false;
  const go = (url: string) => Taro.navigateTo({ url });
  const cancel = async () => {
    const ok = await Taro.showModal({ title: '取消会议', content: '受邀单位会收到取消通知' });
    if (!ok.confirm || !d) return;
    try {
      await cancelMeeting(d.meeting.id);
      await detail.reload();
    } catch (e) {
      Taro.showModal({ title: '未能取消', content: errorMessage(e), showCancel: false });
    }
  };

  return (
    <View className="page meeting">
      {checked && checked !== 'skip' ? <View className="card meeting__checked">{checked}</View> : null}
      <StateView loading={!ready || !checked || (detail.loading && !d)} error={detail.error} onRetry={detail.reload}>
        {d ? (
          <>
            <View className="card">
              <View className="row between">
                <Text className="tag">{MEETING_KIND_LABELS[d.meeting.kind]}</Text>
                <Text className="meeting__status">{MEETING_STATUS_LABELS[d.meeting.status]}</Text>
              </View>
              <View className="meeting__title">{d.meeting.title}</View>
              <View className="muted row">
                <Icon name="clock" color="#8c8c8c" size={26} />
                <Text>{formatDateTime(d.meeting.startsAt)}</Text>
              </View>
              <View className="muted row">
                <Icon name="location" color="#8c8c8c" size={26} />
                <Text>{d.meeting.location}</Text>
              </View>
              <View className="muted">召集：{d.meeting.convener.name}</View>
              <View className="muted">邀请：{d.meeting.invited.map((o) => o.name).join('、')}</View>
              {d.meeting.whistles.map((w) => (
                <View key={w.id} className="accent meeting__link" onClick={() => go(`/pages/whistle-detail/index?id=${w.id}`)}>
                  关联吹哨：{w.title} ›
                </View>
              ))}
            </View>

            {mine && d.meeting.status === 'scheduled' ? (
              <View className="row meeting__buttons">
                <View className="btn btn-small" onClick={() => go(`/staff/meeting-qr/index?id=${d.meeting.id}`)}>
                  签到二维码
                </View>
                <View className="btn btn-small btn-plain" onClick={() => setMode(mode === 'close' ? 'none' : 'close')}>
                  填写纪要
                </View>
                <View className="btn btn-small btn-plain" onClick={cancel}>
                  取消会议
                </View>
              </View>
            ) : null}
            {mode === 'close' && d.meeting.status === 'scheduled' ? (
              <CloseForm
                d={d}
                onDone={() => {
                  setMode('none');
                  void detail.reload();
                }}
              />
            ) : null}

            <View className="card">
              <View className="card-title">议程</View>
              {d.meeting.agenda.map((a, i) => (
                <View key={i} className="meeting__agenda">
                  {i + 1}. {a.title}
                </View>
              ))}
            </View>

            <View className="card">
              <View className="card-title">签到（{d.attendance.length}）</View>
              {d.attendance.length === 0 ? <View className="muted">尚无签到</View> : null}
              {d.attendance.map((a, i) => (
                <View key={i} className="row between meeting__attendee">
                  <Text>
                    {a.org.name} · {ROLE_LABELS[a.role]}
                  </Text>
                  <Text className="muted">{formatClock(a.at)}</Text>
                </View>
              ))}
            </View>

            {d.meeting.status === 'held' ? (
              <View className="card">
                <View className="card-title">会议纪要</View>
                <View className="meeting__minutes">{d.meeting.minutes}</View>
                {d.meeting.decisions.length ? <View className="card-title meeting__sub">议定事项</View> : null}
                {d.meeting.decisions.map((x, i) => (
                  <View key={i} className="meeting__agenda">
                    {i + 1}. {x}
                  </View>
                ))}
                {d.meeting.handled.length ? (
                  <View className="muted">
                    解决问题：{d.meeting.handled.map((h) => `${HANDLED_CATEGORY_LABELS[h.category]} ${h.count}`).join('，')}
                  </View>
                ) : null}
              </View>
            ) : null}

            {d.meeting.status === 'held' ? (
              <View className="card">
                <View className="row between">
                  <Text className="card-title">责任分工</Text>
                  <Text className="muted">总进度 {d.meeting.progress ?? 0}%</Text>
                </View>
                {d.actions.length === 0 ? <View className="muted">尚未分派任务</View> : null}
                {d.actions.map((a) => (
                  <ActionCard key={a.id} action={a} onClick={() => go(`/staff/action/index?id=${a.id}`)} />
                ))}
                {mine ? (
                  <View className="btn btn-plain btn-small meeting__add" onClick={() => setMode(mode === 'action' ? 'none' : 'action')}>
                    新增任务
                  </View>
                ) : null}
              </View>
            ) : null}
            {mode === 'action' && mine && d.meeting.status === 'held' ? (
              <ActionEditor
                d={d}
                onDone={() => {
                  setMode('none');
                  void detail.reload();
                }}
              />
            ) : null}
          </>
        ) : null}
      </StateView>
    </View>
  );
}
