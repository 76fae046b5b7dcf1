import { useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CORRECTION_KIND_LABELS, CORRECTION_STATE_LABELS, formatMinutes, type Correction, type CorrectionStatus } from '@pioneer/shared';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { approveCorrection, listCorrections, rejectCorrection } from '@/services/records';
import { approveMinutes } from '@/utils/records';
import { formatDateTime, formatRange } from '@/utils/time';
import './index.scss';

const TABS: CorrectionStatus[] = ['pending', 'approved', 'rejected'];

function Decide({ c, onDone }: { c: Correction; onDone: (c: Correction) => void }) {
  const [minutes, setMinutes] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async (kind: 'approve' | 'reject') => {
    if (busy) return;
    const m = approveMinutes(minutes);
    if (kind === 'approve' && m.error) return setError(m.error);
    if (kind === 'reject' && !note.trim()) return setError('驳回时请写明原因');
    setError(undefined);
    setBusy(true);
    try {
      const done =
        kind === 'approve'
          ? await approveCorrection(c.id, { minutes: m.minutes, note: note.trim() || undefined })
          : await rejectCorrection(c.id, note.trim());
      Taro.showToast({ title: kind === 'approve' ? '已通过' : '已驳回', icon: 'success' });
      onDone(done);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="corrections__decide">
      <View className="row corrections__inputs">
        <Input
          className="field-input corrections__minutes"
          type="number"
          value={minutes}
          placeholder={`分钟数（默认 ${c.minutes}）`}
          onInput={(e) => setMinutes(e.detail.value)}
        />
        <Input
          className="field-input corrections__note"
          value={note}
          maxlength={500}
          placeholder="审核意见（驳回必填）"
          onInput={(e) => setNote(e.detail.value)}
        />
      </View>
      {error ? (
        <View className="field-error" role="alert">
          {error}
        </View>
      ) : null}
      <View className="row corrections__acts">
        <View className={`btn btn-small ${busy ? 'is-disabled' : ''}`} onClick={() => run('approve')} data-testid="correction-approve">
          通过
        </View>
        <View
          className={`btn btn-plain btn-small ${busy ? 'is-disabled' : ''}`}
          onClick={() => run('reject')}
          data-testid="correction-reject"
        >
          驳回
        </View>
      </View>
    </View>
  );
}

function Inbox({ orgId }: { orgId: string }) {
  const [status, setStatus] = useState<CorrectionStatus>('pending');
  const list = useRequest(() => listCorrections(orgId, status), [orgId, status]);
  const drop = (done: Correction) => list.setData((items) => (items ?? []).filter((c) => c.id !== done.id));

  return (
    <>
      <View className="chips corrections__tabs">
        {TABS.map((s) => (
          <Text key={s} className={`chip ${s === status ? 'is-active' : ''}`} onClick={() => setStatus(s)}>
            {CORRECTION_STATE_LABELS[s]}
          </Text>
        ))}
      </View>
      <StateView
        loading={list.loading && !list.data}
        error={list.error}
        onRetry={list.reload}
        empty={list.data?.length === 0}
        emptyText={status === 'pending' ? '没有待审核的申请' : '暂无记录'}
      >
        {list.data?.map((c) => (
          <View key={c.id} className="card corrections__item" data-testid="correction">
            <View className="row between">
              <Text className="corrections__who">
                {c.memberName} · 申请{CORRECTION_KIND_LABELS[c.kind]}
              </Text>
              <Text className="muted">{formatDateTime(c.createdAt)}</Text>
            </View>
            <View className="corrections__task">{c.taskTitle}</View>
            <View className="muted">
              申请时间：{formatRange(c.checkedInAt, c.checkedOutAt)} · {formatMinutes(c.minutes)}
            </View>
            <View className="corrections__reason">原因：{c.reason}</View>
            {c.status === 'pending' ? (
              <Decide c={c} onDone={drop} />
            ) : (
              <View className="muted">
                {CORRECTION_STATE_LABELS[c.status]}
                {c.decidedAt ? ` · ${formatDateTime(c.decidedAt)}` : ''}
                {c.approvedMinutes !== null ? ` · 记 ${formatMinutes(c.approvedMinutes)}` : ''}
                {c.note ? ` · ${c.note}` : ''}
              </View>
            )}
          </View>
        ))}
      </StateView>
    </>
  );
}

export default function CorrectionsPage() {
  return (
    <View className="page corrections">
      <SecretaryGate>{(orgId) => <Inbox orgId={orgId} />}</SecretaryGate>
    </View>
  );
}
