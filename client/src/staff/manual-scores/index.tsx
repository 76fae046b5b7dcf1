import { useState } from 'react';
import { View, Text, Input, Textarea } from '@tarojs/components';
import Taro from '@tarojs/taro';
import StateView from '@/components/StateView';
import Field from '@/components/Field';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { currentPeriod, getRanking, shiftPeriod } from '@/services/assessment';
import { errorMessage } from '@/services/http';
import { getIndicators, putScore } from '@/services/staff';
import { describeScoring } from '@/utils/index-explain';
import './index.scss';

/**
 * A district admin's manual 先锋指数+ scores: one community, one manual indicator, one month, a
 * score and the evidence it rests on (shown in every explanation of that score).
 */
export default function ManualScores() {
  const { ready, user } = useAuthReady();
  const districtId = user?.roles.find((g) => g.role === 'district_admin')?.orgId ?? null;
  const [period, setPeriod] = useState(currentPeriod());
  const ranking = useRequest(() => getRanking({ period, districtId, limit: 500 }), [period, districtId], ready && Boolean(districtId));
  const catalogue = useRequest(getIndicators, [], ready && Boolean(districtId));
  const manual = (catalogue.data ?? []).filter((it) => it.method === 'manual' && it.admitted);
  const [orgId, setOrgId] = useState<string | null>(null);
  const [key, setKey] = useState<string | null>(null);
  const [score, setScore] = useState('');
  const [evidence, setEvidence] = useState('');
  const [busy, setBusy] = useState(false);

  if (ready && !districtId) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">人工评分仅供板块管理员使用</View>
        </View>
      </View>
    );
  }

  const indicator = manual.find((it) => it.key === key) ?? null;
  const current = (id: string, k: string) =>
    ranking.data?.items.find((e) => e.org.id === id)?.parts.find((p) => p.key === k)?.value ?? null;

  const submit = async () => {
    if (!orgId || !indicator) return Taro.showToast({ title: '请选择社区和指标', icon: 'none' });
    const value = Number(score);
    if (score.trim() === '' || Number.isNaN(value) || value < 0 || value > indicator.maxScore) {
      return Taro.showToast({ title: `请填写 0–${indicator.maxScore} 的分数`, icon: 'none' });
    }
    if (!evidence.trim()) return Taro.showToast({ title: '请写明评分依据', icon: 'none' });
    setBusy(true);
    try {
      await putScore({ period, orgId, key: indicator.key, score: value, evidence: evidence.trim() });
      Taro.showToast({ title: '评分已保存', icon: 'success' });
      setScore('');
      setEvidence('');
      ranking.reload();
    } catch (e) {
      Taro.showModal({ title: '评分未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page scores">
      <View className="card row between">
        <Text className="accent" onClick={() => setPeriod(shiftPeriod(period, -1))}>
          上月
        </Text>
        <Text className="card-title">{period.replace('-', '年')}月</Text>
        <Text className="accent" onClick={() => setPeriod(shiftPeriod(period, 1))}>
          下月
        </Text>
      </View>
      <StateView
        loading={!ready || ((ranking.loading || catalogue.loading) && !ranking.data)}
        error={ranking.error ?? catalogue.error}
        onRetry={ranking.reload}
        empty={manual.length === 0 && Boolean(catalogue.data)}
        emptyText="当前没有准入的人工评分指标"
      >
        <View className="card">
          <Field label="指标" required>
            <View className="chips">
              {manual.map((it) => (
                <View key={it.key} className={`chip ${key === it.key ? 'is-active' : ''}`} onClick={() => setKey(it.key)}>
                  {it.name}
                </View>
              ))}
            </View>
          </Field>
          {indicator ? (
            <>
              <View className="muted scores__rule">计分方法：{describeScoring(indicator)}</View>
              {indicator.guidance ? <View className="muted scores__rule">评价要点：{indicator.guidance}</View> : null}
            </>
          ) : null}
          <Field label="社区" required>
            <View className="chips">
              {(ranking.data?.items ?? []).map((e) => (
                <View key={e.org.id} className={`chip ${orgId === e.org.id ? 'is-active' : ''}`} onClick={() => setOrgId(e.org.id)}>
                  {e.org.name}
                  {key && current(e.org.id, key) !== null ? `（${current(e.org.id, key)}分）` : ''}
                </View>
              ))}
            </View>
          </Field>
          <Field label={indicator ? `分数（0–${indicator.maxScore}）` : '分数'} required>
            <Input className="field-input" type="digit" value={score} placeholder="如：8" onInput={(e) => setScore(e.detail.value)} />
          </Field>
          <Field label="评分依据" required>
            <Textarea
              className="field-textarea"
              value={evidence}
              maxlength={2000}
              placeholder="如：3月组织共建活动2次，有签到表和照片"
              onInput={(e) => setEvidence(e.detail.value)}
            />
          </Field>
          <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
            {busy ? '保存中…' : '保存评分'}
          </View>
        </View>
      </StateView>
    </View>
  );
}
