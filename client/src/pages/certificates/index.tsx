import { useState } from 'react';
import { View, Text, Picker } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CERTIFICATE_STATE_LABELS, CertificateCreateBodySchema, formatMinutes, type Certificate } from '@pioneer/shared';
import Field from '@/components/Field';
import Icon from '@/components/Icon';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getMyCertificates, openCertificatePdf, requestCertificate } from '@/services/records';
import { formatDateTime, todayString } from '@/utils/time';
import './index.scss';

function CertificateCard({ c }: { c: Certificate }) {
  const [opening, setOpening] = useState(false);
  const open = async () => {
    if (opening) return;
    setOpening(true);
    try {
      await openCertificatePdf(c.no);
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setOpening(false);
    }
  };
  return (
    <View className="certificates__item" data-testid="certificate">
      <View className="row between">
        <Text className="certificates__no">{c.no}</Text>
        <Text className={`certificates__state certificates__state--${c.status}`}>{CERTIFICATE_STATE_LABELS[c.status]}</Text>
      </View>
      <View className="muted">
        {c.from} 至 {c.to} · {c.items.length} 次服务 · 共 {formatMinutes(c.totalMinutes)}
      </View>
      <View className="muted">
        {c.issuer.name} 出具 · {formatDateTime(c.issuedAt)}
      </View>
      {c.status === 'revoked' ? (
        <View className="certificates__revoked">记录已更正，此证明已作废，请重新申请</View>
      ) : (
        <View className={`btn btn-plain btn-small certificates__open ${opening ? 'is-disabled' : ''}`} onClick={open}>
          <Icon name="download" color="#c8161d" size={32} />
          <Text>{opening ? '打开中…' : '查看 PDF'}</Text>
        </View>
      )}
    </View>
  );
}

/** 我的证明: 志愿服务记录证明 asked for a date range and opened as the signed PDF. */
export default function Certificates() {
  const { ready, user } = useAuthReady();
  const list = useRequest(getMyCertificates, [user?.memberId], ready && Boolean(user?.memberId));
  const [from, setFrom] = useState(() => todayString(-365));
  const [to, setTo] = useState(() => todayString());
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const ask = async () => {
    if (busy) return;
    const parsed = CertificateCreateBodySchema.safeParse({ from, to });
    if (!parsed.success) {
      setError(parsed.error.issues[0]?.message);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const certificate = await requestCertificate(parsed.data);
      list.setData((items) => [certificate, ...(items ?? []).filter((c) => c.no !== certificate.no)]);
      Taro.showToast({ title: '证明已出具', icon: 'success' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page certificates">
      <View className="card">
        <View className="card-title">申请志愿服务记录证明</View>
        <View className="muted">按《志愿服务记录与证明出具办法（试行）》，由组织服务的社区出具，免费，可扫码核验真伪。</View>
        <View className="row certificates__range">
          <Field label="开始日期" className="certificates__day">
            <Picker mode="date" value={from} end={to} onChange={(e) => setFrom(String(e.detail.value))}>
              <View className="field-input">{from}</View>
            </Picker>
          </Field>
          <Field label="结束日期" className="certificates__day">
            <Picker mode="date" value={to} start={from} end={todayString()} onChange={(e) => setTo(String(e.detail.value))}>
              <View className="field-input">{to}</View>
            </Picker>
          </Field>
        </View>
        {error ? (
          <View className="field-error" role="alert">
            {error}
          </View>
        ) : null}
        <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={ask} data-testid="certificate-request">
          {busy ? '出具中…' : '申请证明'}
        </View>
      </View>
      <View className="card">
        <View className="card-title">已出具的证明</View>
        <StateView
          loading={!list.data && (list.loading || !ready)}
          error={list.error}
          onRetry={list.reload}
          empty={list.data?.length === 0}
          emptyText="还没有申请过证明"
        >
          {list.data?.map((c) => (
            <CertificateCard key={c.no} c={c} />
          ))}
        </StateView>
      </View>
    </View>
  );
}
