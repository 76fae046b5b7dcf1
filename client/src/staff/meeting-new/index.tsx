import { useEffect, useState } from 'react';
import { View, Text, Input, Textarea, Picker } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { MEETING_KIND_LABELS, type MeetingKind } from '@pioneer/shared';
import Field from '@/components/Field';
import OrgPicker from '@/components/OrgPicker';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { errorMessage } from '@/services/http';
import { convenerScopes, createMeeting } from '@/services/meetings';
import { getWhistle } from '@/services/whistles';
import { toIsoWithOffset, todayString } from '@/utils/time';
import './index.scss';

const KINDS: MeetingKind[] = ['coordination', 'door_service'];

/**
 * A new 协调会 or 上门服务日: from a whistle (`?whistleId=`: title, place and addressed units
 * pre-filled) or a need (`?needId=`), or from scratch.
 */
export default function MeetingNew() {
  const { ready, user } = useAuthReady();
  const params = useRouter().params;
  const whistleId = params.whistleId ?? '';
  const needId = params.needId ?? '';
  const scopes = convenerScopes(user);
  const [convener, setConvener] = useState<string | null>(null);
  const [kind, setKind] = useState<MeetingKind>('coordination');
  const [title, setTitle] = useState('');
  const [date, setDate] = useState(todayString(1));
  const [time, setTime] = useState('09:30');
  const [location, setLocation] = useState('');
  const [agenda, setAgenda] = useState('通报情况\n明确责任分工和时序进度');
  const [invited, setInvited] = useState<Array<{ id: string; name: string }>>([]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ready || !whistleId) return;
    getWhistle(whistleId)
      .then((d) => {
        setTitle(`${d.whistle.title}现场协调会`.slice(0, 60));
        setLocation(d.whistle.location);
        setInvited(d.assignments.filter((a) => a.status !== 'returned').map((a) => ({ id: a.orgId, name: a.orgName })));
        setAgenda(
          `通报「${d.whistle.title}」情况\n${d.assignments.map((a) => `${a.orgName}说明办理意见`).join('\n')}\n明确责任分工和时序进度`,
        );
        const own = scopes.find((s) => s.orgId === d.whistle.raisedBy.id || s.orgId === d.whistle.districtId);
        if (own) setConvener(own.orgId);
      })
      .catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ready, whistleId]);

  const chosen = convener ?? (scopes.length === 1 ? scopes[0].orgId : null);
  const agendaItems = agenda
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
  const valid = Boolean(chosen && title.trim().length >= 2 && location.trim() && agendaItems.length && invited.length);

  const submit = async () => {
    if (!valid || busy) return;
    setBusy(true);
    try {
      const m = await createMeeting({
        kind,
        title: title.trim(),
        startsAt: toIsoWithOffset(date, time),
        location: location.trim(),
        agenda: agendaItems.map((t) => ({ title: t })),
        invitedOrgIds: invited.map((o) => o.id),
        convenerOrgId: chosen!,
        ...(whistleId ? { whistleIds: [whistleId] } : {}),
        ...(needId ? { needIds: [needId] } : {}),
      });
      Taro.showToast({ title: '已发出邀请', icon: 'success' });
      Taro.redirectTo({ url: `/staff/meeting/index?id=${m.id}` });
    } catch (e) {
      Taro.showModal({ title: '未能创建', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  if (ready && !scopes.length) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">仅社区书记和板块管理员可以召集会议</View>
        </View>
      </View>
    );
  }

  return (
    <View className="page meeting-new">
      <View className="card">
        {whistleId ? <View className="muted meeting-new__from">来自吹哨事项，已带入标题、地点和报到单位</View> : null}
        {needId ? <View className="muted meeting-new__from">来自需求清单</View> : null}
        {scopes.length > 1 ? (
          <Field label="召集方" required>
            <View className="chips">
              {scopes.map((s) => (
                <View key={s.orgId} className={`chip ${chosen === s.orgId ? 'is-active' : ''}`} onClick={() => setConvener(s.orgId)}>
                  {s.role === 'secretary' ? '本社区' : '本板块'}
                </View>
              ))}
            </View>
          </Field>
        ) : null}
        <Field label="类型" required>
          <View className="chips">
            {KINDS.map((k) => (
              <View key={k} className={`chip ${kind === k ? 'is-active' : ''}`} onClick={() => setKind(k)}>
                {MEETING_KIND_LABELS[k]}
              </View>
            ))}
          </View>
        </Field>
        <Field label="会议名称" required>
          <Input
            className="field-input"
            value={title}
            maxlength={60}
            placeholder="如：世茂商圈停车难现场协调会"
            onInput={(e) => setTitle(e.detail.value)}
          />
        </Field>
        <Field label="时间" required>
          <View className="row meeting-new__when">
            <Picker mode="date" value={date} start={todayString()} onChange={(e) => setDate(String(e.detail.value))}>
              <View className="field-input">{date}</View>
            </Picker>
            <Picker mode="time" value={time} onChange={(e) => setTime(String(e.detail.value))}>
              <View className="field-input">{time}</View>
            </Picker>
          </View>
        </Field>
        <Field label="地点" required>
          <Input className="field-input" value={location} maxlength={120} onInput={(e) => setLocation(e.detail.value)} />
        </Field>
        <Field label="议程（每行一项）" required>
          <Textarea className="field-textarea" value={agenda} maxlength={3000} onInput={(e) => setAgenda(e.detail.value)} />
        </Field>
        <Field label="邀请单位" required>
          <View className="chips">
            {invited.map((o) => (
              <View key={o.id} className="chip is-active" onClick={() => setInvited(invited.filter((x) => x.id !== o.id))}>
                {o.name} ✕
              </View>
            ))}
          </View>
          <OrgPicker
            kind="unit"
            value={null}
            placeholder="搜索并添加单位党组织"
            onChange={(org) => {
              if (!invited.some((x) => x.id === org.id)) setInvited([...invited, { id: org.id, name: org.name }]);
            }}
          />
          <Text className="muted">受邀单位的红色代办员和单位管理员会收到通知</Text>
        </Field>
      </View>
      <View className={`btn meeting-new__submit ${valid && !busy ? '' : 'is-disabled'}`} onClick={submit}>
        发出邀请
      </View>
    </View>
  );
}
