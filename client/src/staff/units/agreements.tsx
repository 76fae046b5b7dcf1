import { useState } from 'react';
import { View, Text, Textarea } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { AGREEMENT_STATUS_LABELS, type Agreement } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import {
  acceptAgreement,
  chinaDay,
  endAgreement,
  listAgreements,
  rejectAgreement,
  type ListFilter,
  type UnitSides,
} from '@/services/units';
import { formatDateTime } from '@/utils/time';

/** 共建协议: a unit's own (state, 终止) or a community's inbox (确认报到, 退回). */

const toast = (title: string) => Taro.showToast({ title, icon: 'none' });

/** A reason typed inline (退回, 终止): showModal cannot take text on every platform. */
function ReasonBox({ label, onSubmit, onCancel }: { label: string; onSubmit: (reason: string) => Promise<void>; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <View className="units__form">
      <Textarea
        className="field-textarea units__reason"
        value={reason}
        maxlength={500}
        placeholder={`${label}的原因`}
        onInput={(e) => setReason(e.detail.value)}
      />
      <View className="units__buttons">
        <View
          className={`btn btn-small units__reason-submit ${busy ? 'is-disabled' : ''}`}
          onClick={async () => {
            if (busy) return;
            if (!reason.trim()) return toast(`请填写${label}的原因`);
            setBusy(true);
            try {
              await onSubmit(reason.trim());
            } finally {
              setBusy(false);
            }
          }}
        >
          确认{label}
        </View>
        <View className="btn btn-plain btn-small" onClick={onCancel}>
          再想想
        </View>
      </View>
    </View>
  );
}

function AgreementRow({ a, sides, onChanged }: { a: Agreement; sides: UnitSides; onChanged: () => void }) {
  const [asking, setAsking] = useState<'reject' | 'end' | null>(null);
  const community = sides.communities.includes(a.community.id) || sides.overseer;
  const unit = sides.adminUnits.includes(a.unit.id);
  const run = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      toast(done);
      setAsking(null);
      onChanged();
    } catch (e) {
      Taro.showModal({ title: '操作未成功', content: errorMessage(e), showCancel: false });
    }
  };
  return (
    <View className="units__item units__agreement" data-id={a.id}>
      <View className="row between">
        <Text className="units__title">{community && !unit ? a.unit.name : a.community.name}</Text>
        <Text className={`units__status units__status--${a.status}`}>{AGREEMENT_STATUS_LABELS[a.status]}</Text>
      </View>
      <View className="muted">
        {a.unit.name} → {a.community.name} · {a.startsOn} 至 {a.endsOn}
      </View>
      <View className="muted">共建承诺：{a.commitments}</View>
      <View className="muted">
        联系人：{a.contactName} {a.contactPhone} · 提交于 {formatDateTime(a.proposedAt)}
      </View>
      {a.status === 'active' && a.startsOn > chinaDay() ? <View className="accent">协议自 {a.startsOn} 起生效</View> : null}
      {a.reason ? <View className="muted">说明：{a.reason}</View> : null}
      {asking ? (
        <ReasonBox
          label={asking === 'reject' ? '退回' : '终止'}
          onCancel={() => setAsking(null)}
          onSubmit={(reason) =>
            run(
              () => (asking === 'reject' ? rejectAgreement(a.id, reason) : endAgreement(a.id, reason)),
              asking === 'reject' ? '已退回' : '已终止',
            )
          }
        />
      ) : (
        <View className="units__buttons">
          {community && a.status === 'proposed' ? (
            <>
              <View className="btn btn-small units__accept" onClick={() => run(() => acceptAgreement(a.id), '已确认报到')}>
                确认报到
              </View>
              <View className="btn btn-plain btn-small units__reject" onClick={() => setAsking('reject')}>
                退回
              </View>
            </>
          ) : null}
          {(community || unit) && a.status === 'active' ? (
            <View className="btn btn-plain btn-small units__end" onClick={() => setAsking('end')}>
              终止协议
            </View>
          ) : null}
        </View>
      )}
    </View>
  );
}

export default function Agreements({ filter, sides, side }: { filter: ListFilter; sides: UnitSides; side: 'unit' | 'community' }) {
  const list = useRequest(() => listAgreements(filter), [JSON.stringify(filter)]);
  useDidShow(() => {
    if (list.data) void list.reload();
  });
  const items = [...(list.data?.items ?? [])].sort((a, b) => Number(b.status === 'proposed') - Number(a.status === 'proposed'));
  return (
    <StateView
      loading={list.loading && !list.data}
      error={list.error}
      onRetry={list.reload}
      empty={items.length === 0}
      emptyText={side === 'unit' ? '还没有报到社区，点击“报到社区”提交共建协议' : '暂无单位报到申请'}
    >
      {items.map((a) => (
        <AgreementRow key={a.id} a={a} sides={sides} onChanged={list.reload} />
      ))}
    </StateView>
  );
}
