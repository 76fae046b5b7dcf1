import { useState } from 'react';
import { View, Text, Textarea } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import type { Claim, MemberCard } from '@pioneer/shared';
import BottomNav from '../../components/BottomNav';
import SecretaryGate from '../../components/SecretaryGate';
import StateView from '../../components/StateView';
import { useRequest } from '../../hooks/use-request';
import { IS_H5 } from '../../services/config';
import { errorMessage } from '../../services/http';
import { verifyPioneerCode } from '../../services/members';
import { checkIn, checkOut, listTasks } from '../../services/tasks';
import { CLAIM_STATUS_LABELS } from '../../utils/grab';
import { formatRange } from '../../utils/time';
import './index.scss';

function Verify({ orgId, initialTaskId }: { orgId: string; initialTaskId?: string }) {
  const tasks = useRequest(() => listTasks({ communityOrgId: orgId, open: true, limit: 100 }), [orgId]);
  const [taskId, setTaskId] = useState<string | undefined>(initialTaskId);
  const [text, setText] = useState('');
  const [token, setToken] = useState<string | null>(null);
  const [card, setCard] = useState<MemberCard | null>(null);
  const [result, setResult] = useState<Claim | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const verify = async (raw: string) => {
    const value = raw.trim();
    if (!value) {
      setError('请先扫描或粘贴先锋码');
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    setCard(null);
    try {
      setCard(await verifyPioneerCode(value));
      setToken(value);
    } catch (err) {
      setError(errorMessage(err));
      setToken(null);
    } finally {
      setBusy(false);
    }
  };

  const scan = async () => {
    try {
      const res = await Taro.scanCode({ onlyFromCamera: true, scanType: ['qrCode'] });
      await verify(res.result);
    } catch {
      // The secretary closed the scanner; nothing to report.
    }
  };

  const act = async (kind: 'in' | 'out') => {
    if (!token) return;
    if (!taskId) {
      setError('请先选择岗位');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const claim = kind === 'in' ? await checkIn(taskId, token) : await checkOut(taskId, token);
      setResult(claim);
      Taro.showToast({ title: kind === 'in' ? '签到成功' : '签退成功', icon: 'success' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const reset = () => {
    setCard(null);
    setToken(null);
    setResult(null);
    setText('');
    setError(null);
  };

  const items = tasks.data?.items ?? [];

  return (
    <>
      <View className="card">
        <View className="card-title">选择岗位</View>
        <StateView loading={tasks.loading && !tasks.data} error={tasks.error} onRetry={tasks.reload} empty={items.length === 0} emptyText="本社区暂无进行中的岗位">
          {items.map((t) => (
            <View key={t.id} className={`verify__task ${taskId === t.id ? 'is-active' : ''}`} onClick={() => setTaskId(t.id)}>
              <View className="verify__radio">{taskId === t.id ? '●' : '○'}</View>
              <View>
                <View className="verify__task-title">{t.title}</View>
                <View className="muted">
                  {formatRange(t.startsAt, t.endsAt)} · 已报名 {t.claimed}/{t.capacity}
                </View>
              </View>
            </View>
          ))}
        </StateView>
      </View>

      {!card ? (
        <View className="card">
          <View className="card-title">核验先锋码</View>
          {IS_H5 ? (
            <>
              <Textarea
                className="field-textarea"
                value={text}
                maxlength={2048}
                placeholder="粘贴党员先锋码文本"
                onInput={(e) => setText(e.detail.value)}
              />
              <View className={`btn verify__btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && verify(text)}>
                {busy ? '核验中…' : '核验'}
              </View>
            </>
          ) : (
            <View className={`btn verify__btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && scan()}>
              {busy ? '核验中…' : '扫一扫党员先锋码'}
            </View>
          )}
        </View>
      ) : (
        <View className="card verify__card">
          <View className="verify__badge">✓ 身份已核验</View>
          <View className="verify__name">{card.name}</View>
          <View className="verify__kv"><Text className="muted">手机号</Text><Text>{card.phone}</Text></View>
          <View className="verify__kv"><Text className="muted">组织关系</Text><Text>{card.unitOrg.name}</Text></View>
          <View className="verify__kv"><Text className="muted">工作单位</Text><Text>{card.workUnit}</Text></View>
          <View className="verify__kv"><Text className="muted">报到社区</Text><Text>{card.community.name}</Text></View>
          <View className="verify__kv"><Text className="muted">居住小区</Text><Text>{card.estate.name}</Text></View>
          {result ? (
            <View className="verify__result">
              {CLAIM_STATUS_LABELS[result.status]}
              {result.minutes !== null ? `，本次服务 ${result.minutes} 分钟` : ''}
            </View>
          ) : null}
          <View className="row verify__acts">
            <View className={`btn verify__act ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && act('in')}>签到</View>
            <View className={`btn btn-plain verify__act ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && act('out')}>签退</View>
          </View>
          <View className="btn btn-gray verify__next" onClick={reset}>核验下一位</View>
        </View>
      )}
      {error ? <View className="card verify__error">{error}</View> : null}
    </>
  );
}

export default function VerifyPage() {
  const { taskId } = useRouter().params;
  return (
    <View className="page verify">
      <SecretaryGate>{(orgId) => <Verify orgId={orgId} initialTaskId={taskId} />}</SecretaryGate>
      <BottomNav current="verify" />
    </View>
  );
}
