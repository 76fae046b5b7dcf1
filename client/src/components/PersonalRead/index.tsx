import { useState } from 'react';
import { View, Text, Textarea } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { errorMessage } from '@/services/http';
import './index.scss';

/** What an audited read shows: the full phone (null when none was left) and the lines of a home or address. */
export interface PersonalDetails {
  phone: string | null;
  lines: string[];
}

interface Props {
  /** The audited read itself; the server records `reason` with every call. */
  read: (reason: string) => Promise<PersonalDetails>;
}

const REASON_MIN = 2;
const REASON_MAX = 200;

/**
 * 查看完整信息: a masked phone and home stay masked until a staff member writes why they need them
 * (the server audits each read with that reason); then the full phone, with 拨打, and the home.
 */
export default function PersonalRead({ read }: Props) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<PersonalDetails | null>(null);
  const trimmed = reason.trim();
  const ready = trimmed.length >= REASON_MIN && !busy;

  const submit = async () => {
    if (!ready) return;
    setBusy(true);
    try {
      setShown(await read(trimmed));
      setOpen(false);
    } catch (e) {
      Taro.showToast({ title: errorMessage(e), icon: 'none' });
    } finally {
      setBusy(false);
    }
  };

  if (shown)
    return (
      <View className="personal-read personal-read--shown">
        {shown.phone ? (
          <View className="row between">
            <Text className="personal-read__phone">{shown.phone}</Text>
            <Text
              className="accent personal-read__call"
              onClick={() => void Taro.makePhoneCall({ phoneNumber: shown.phone! }).catch(() => undefined)}
            >
              拨打
            </Text>
          </View>
        ) : (
          <View className="muted">未留手机号</View>
        )}
        {shown.lines.map((l) => (
          <View key={l} className="personal-read__line">
            {l}
          </View>
        ))}
      </View>
    );

  if (!open)
    return (
      <Text className="accent personal-read__open" onClick={() => setOpen(true)}>
        查看完整信息
      </Text>
    );

  return (
    <View className="personal-read">
      <View className="muted personal-read__hint">每次查看都会留痕，请写明事由</View>
      <Textarea
        className="field-textarea personal-read__reason"
        value={reason}
        maxlength={REASON_MAX}
        placeholder="如：上门核实住址、电话联系服务安排"
        onInput={(e) => setReason(e.detail.value)}
      />
      <View className="row personal-read__actions">
        <View className={`btn btn-small ${ready ? '' : 'is-disabled'}`} onClick={submit}>
          {busy ? '查询中…' : '确定'}
        </View>
        <View
          className="btn btn-small btn-plain"
          onClick={() => {
            setOpen(false);
            setReason('');
          }}
        >
          取消
        </View>
      </View>
    </View>
  );
}
