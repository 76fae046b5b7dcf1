import { useState } from 'react';
import { View, Text, Picker } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { DIALOG, type ClaimantList } from '@pioneer/shared';
import Field, { FieldError } from '@/components/Field';
import { errorMessage } from '@/services/http';
import { recordBySecretary } from '@/services/records';
import { CLAIM_STATUS_LABELS } from '@/utils/grab';
import { recordBody, recordDefaults, recordable } from '@/utils/records';
import { beijingDate, formatRange } from '@/utils/time';

type Claimant = ClaimantList['items'][number];

/**
 * 补记: after the post started, the secretary records several members at once who were there but
 * not scanned. Their service runs from the post's start to its end unless the secretary sets other
 * check-in/check-out times (Beijing, on the post's day); the server's refusal is shown under the button.
 */
export default function RecordPanel(props: {
  taskId: string;
  startsAt: string;
  endsAt: string;
  claimants: Claimant[];
  onRecorded: () => void;
}) {
  const [picked, setPicked] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const defaults = recordDefaults(props);
  const [start, setStart] = useState(defaults.start);
  const [end, setEnd] = useState(defaults.end);
  const [error, setError] = useState('');
  const open = props.claimants.filter((c) => recordable(c.claim.status));
  if (open.length === 0) return null;

  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));

  const submit = async () => {
    if (busy || picked.length === 0) return;
    const body = recordBody(picked, props, start, end);
    const range =
      body.checkedInAt && body.checkedOutAt ? formatRange(body.checkedInAt, body.checkedOutAt) : formatRange(props.startsAt, props.endsAt);
    const { confirm } = await Taro.showModal({
      title: '补记服务',
      content: `为 ${picked.length} 名党员记录本岗位服务（${range}），记录会写入修改历史。`,
      confirmText: '确认补记',
      cancelText: DIALOG.keep,
    });
    if (!confirm) return;
    setBusy(true);
    setError('');
    try {
      const items = await recordBySecretary(props.taskId, body);
      Taro.showToast({ title: `已补记 ${items.length} 人`, icon: 'success' });
      setPicked([]);
      props.onRecorded();
    } catch (err) {
      setError(errorMessage(err));
      Taro.showToast({ title: errorMessage(err), icon: 'none', duration: 3000 });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="card claimants__record" data-testid="record-panel">
      <View className="card-title">补记服务</View>
      <View className="muted">到场但未扫码签到签退的党员，勾选后一次补记。</View>
      {open.map(({ claim, member }) => (
        <View key={claim.id} className="row claimants__pick" onClick={() => toggle(member.id)} data-testid="record-pick">
          <View className={`claimants__box ${picked.includes(member.id) ? 'is-on' : ''}`} />
          <Text className="claimants__pick-name">{member.name}</Text>
          <Text className="muted">{CLAIM_STATUS_LABELS[claim.status]}</Text>
        </View>
      ))}
      <View className="row claimants__times">
        <Field label={`签到（${beijingDate(props.startsAt)}）`} className="claimants__time">
          <Picker mode="time" value={start} onChange={(e) => setStart(String(e.detail.value))}>
            <View className="field-input" data-testid="record-start">
              {start}
            </View>
          </Picker>
        </Field>
        <Field label="签退" className="claimants__time">
          <Picker mode="time" value={end} onChange={(e) => setEnd(String(e.detail.value))}>
            <View className="field-input" data-testid="record-end">
              {end}
            </View>
          </Picker>
        </Field>
      </View>
      <View className="muted">默认为岗位的开始与结束时间（北京时间）；签退早于签到视为次日。</View>
      <View data-testid="record-error">
        <FieldError message={error} />
      </View>
      <View className={`btn ${busy || picked.length === 0 ? 'is-disabled' : ''}`} onClick={submit} data-testid="record-submit">
        {busy ? '补记中…' : `补记（${picked.length} 人）`}
      </View>
    </View>
  );
}
