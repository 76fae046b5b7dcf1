import { useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { DIALOG, type ClaimantList } from '@pioneer/shared';
import { errorMessage } from '@/services/http';
import { recordBySecretary } from '@/services/records';
import { CLAIM_STATUS_LABELS } from '@/utils/grab';
import { recordable } from '@/utils/records';
import { formatRange } from '@/utils/time';

type Claimant = ClaimantList['items'][number];

/**
 * 补记: after the post started, the secretary records several members at once who were there but
 * not scanned; their service runs from the post's start to its end.
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
  const open = props.claimants.filter((c) => recordable(c.claim.status));
  if (open.length === 0) return null;

  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));

  const submit = async () => {
    if (busy || picked.length === 0) return;
    const { confirm } = await Taro.showModal({
      title: '补记服务',
      content: `为 ${picked.length} 名党员记录本岗位服务（${formatRange(props.startsAt, props.endsAt)}），记录会写入修改历史。`,
      confirmText: '确认补记',
      cancelText: DIALOG.keep,
    });
    if (!confirm) return;
    setBusy(true);
    try {
      const items = await recordBySecretary(props.taskId, { memberIds: picked });
      Taro.showToast({ title: `已补记 ${items.length} 人`, icon: 'success' });
      setPicked([]);
      props.onRecorded();
    } catch (err) {
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
      <View className={`btn ${busy || picked.length === 0 ? 'is-disabled' : ''}`} onClick={submit} data-testid="record-submit">
        {busy ? '补记中…' : `补记（${picked.length} 人）`}
      </View>
    </View>
  );
}
