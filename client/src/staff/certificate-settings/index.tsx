import { useEffect, useState } from 'react';
import { View, Text, Input, Image } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CertificateSettingsBodySchema } from '@pioneer/shared';
import Field from '@/components/Field';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getCertificateSettings, pickSealBytes, putCertificateSettings } from '@/services/records';
import { sealProblem, toBase64 } from '@/utils/records';
import { formatDateTime } from '@/utils/time';
import './index.scss';

/** What the community's certificates carry: 负责人, 经办人 and the seal (PNG, at most 200 KB). */
function Settings({ orgId }: { orgId: string }) {
  const current = useRequest(() => getCertificateSettings(orgId), [orgId]);
  const [leader, setLeader] = useState('');
  const [handler, setHandler] = useState('');
  const [seal, setSeal] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  // The inputs mount once the stored values are in the state: a value changed right after Taro's
  // H5 input mounts reaches it before its inner input exists (a TypeError in its watcher).
  const [filled, setFilled] = useState(false);
  useEffect(() => {
    if (!current.data) return;
    setLeader(current.data.leader);
    setHandler(current.data.handler);
    setFilled(true);
  }, [current.data]);

  const chooseSeal = async () => {
    const bytes = await pickSealBytes();
    if (!bytes) return;
    const problem = sealProblem(bytes);
    setError(problem ?? undefined);
    setSeal(problem ? null : toBase64(bytes));
  };

  const save = async () => {
    if (busy) return;
    const parsed = CertificateSettingsBodySchema.safeParse({ leader, handler, sealPng: seal ?? undefined });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path[0] === 'leader' ? '负责人' : issue?.path[0] === 'handler' ? '经办人' : '';
      setError(field ? `请填写${field}` : issue?.message);
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      current.setData(await putCertificateSettings(orgId, parsed.data));
      setSeal(null);
      Taro.showToast({ title: '已保存', icon: 'success' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <StateView loading={!filled && !current.error} error={current.error} onRetry={current.reload}>
      <View className="card">
        <View className="card-title">志愿服务记录证明</View>
        <View className="muted">本社区出具的证明上写明负责人、经办人，并加盖社区印章。</View>
        <Field label="负责人" required>
          <Input className="field-input cert-settings__leader" value={leader} maxlength={30} onInput={(e) => setLeader(e.detail.value)} />
        </Field>
        <Field label="经办人" required>
          <Input
            className="field-input cert-settings__handler"
            value={handler}
            maxlength={30}
            onInput={(e) => setHandler(e.detail.value)}
          />
        </Field>
        <Field label="社区印章（PNG，不超过 200 KB）">
          <View className="row cert-settings__seal">
            {seal ? <Image className="cert-settings__preview" src={`data:image/png;base64,${seal}`} mode="aspectFit" /> : null}
            <Text className="muted" data-testid="seal-state">
              {seal ? '新印章待保存' : current.data?.hasSeal ? '已设置印章' : '未设置印章'}
            </Text>
            <View className="btn btn-plain btn-small" onClick={chooseSeal} data-testid="seal-choose">
              {current.data?.hasSeal || seal ? '更换印章' : '上传印章'}
            </View>
          </View>
        </Field>
        {error ? (
          <View className="field-error" role="alert">
            {error}
          </View>
        ) : null}
        {current.data?.updatedAt ? <View className="muted">上次保存：{formatDateTime(current.data.updatedAt)}</View> : null}
      </View>
      <View className={`btn cert-settings__save ${busy ? 'is-disabled' : ''}`} onClick={save} data-testid="settings-save">
        {busy ? '保存中…' : '保存'}
      </View>
    </StateView>
  );
}

export default function CertificateSettingsPage() {
  return (
    <View className="page cert-settings">
      <SecretaryGate>{(orgId) => <Settings orgId={orgId} />}</SecretaryGate>
    </View>
  );
}
