import { useEffect, useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, PointsRulesSchema, STAR_LABELS, type PointsRules } from '@pioneer/shared';
import Field from '@/components/Field';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getPointsRules, putPointsRules } from '@/services/records';
import { rulesForm, rulesFromForm, type RulesForm } from '@/utils/records';
import './index.scss';
import { isCityAdmin } from '@/services/session';

function Rules() {
  const current = useRequest(getPointsRules, []);
  const [form, setForm] = useState<RulesForm | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (current.data) setForm(rulesForm(current.data));
  }, [current.data]);

  const save = async () => {
    if (!form || busy) return;
    const built = rulesFromForm(form);
    if (built.error) return setError(built.error);
    const parsed = PointsRulesSchema.safeParse(built.rules);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    setError(undefined);
    setBusy(true);
    try {
      const saved: PointsRules = await putPointsRules(parsed.data);
      current.setData(saved);
      Taro.showToast({ title: '已保存', icon: 'success' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const set = (patch: Partial<RulesForm>) => setForm((f) => (f ? { ...f, ...patch } : f));

  return (
    <StateView loading={!form && current.loading} error={current.error} onRetry={current.reload}>
      {form ? (
        <>
          <View className="card">
            <View className="card-title">积分</View>
            <View className="muted">积分 = 服务分钟 × 每小时积分 × 类别倍数 ÷ 60，取整。服务时长永久记录，积分可兑换、可过期。</View>
            <Field label="每小时积分">
              <Input
                className="field-input rules__per-hour"
                type="number"
                value={form.pointsPerHour}
                onInput={(e) => set({ pointsPerHour: e.detail.value })}
              />
            </Field>
            <Field label="有效期（月，留空为不过期）">
              <Input
                className="field-input rules__expiry"
                type="number"
                value={form.expiryMonths}
                onInput={(e) => set({ expiryMonths: e.detail.value })}
              />
            </Field>
            <Field label="类别倍数">
              {CATEGORY_KEYS.map((k) => (
                <View key={k} className="row between rules__multiplier">
                  <Text>{CATEGORY_LABELS[k]}</Text>
                  <Input
                    className="field-input rules__small"
                    type="digit"
                    value={form.multipliers[k] ?? ''}
                    placeholder="1"
                    onInput={(e) => set({ multipliers: { ...form.multipliers, [k]: e.detail.value } })}
                  />
                </View>
              ))}
            </Field>
          </View>
          <View className="card">
            <View className="card-title">星级门槛（累计服务小时）</View>
            {form.thresholds.map((h, i) => (
              <View key={STAR_LABELS[i + 1]} className="row between rules__multiplier">
                <Text>{STAR_LABELS[i + 1]}</Text>
                <Input
                  className="field-input rules__small rules__threshold"
                  type="number"
                  value={h}
                  onInput={(e) => set({ thresholds: form.thresholds.map((x, j) => (j === i ? e.detail.value : x)) })}
                />
              </View>
            ))}
          </View>
          {error ? (
            <View className="field-error rules__error" role="alert">
              {error}
            </View>
          ) : null}
          <View className={`btn rules__save ${busy ? 'is-disabled' : ''}`} onClick={save} data-testid="rules-save">
            {busy ? '保存中…' : '保存'}
          </View>
        </>
      ) : null}
    </StateView>
  );
}

export default function PointsRulesPage() {
  const { ready, user, error, retry } = useAuthReady();
  const allowed = isCityAdmin(user);
  return (
    <View className="page rules">
      {!ready ? (
        <StateView loading error={error} onRetry={retry} />
      ) : allowed ? (
        <Rules />
      ) : (
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">积分规则由市级管理员设置</View>
        </View>
      )}
    </View>
  );
}
