import { useEffect, useState } from 'react';
import { View, Text, Input, Textarea } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { INDEX_METRIC_LABELS, type Indicator } from '@pioneer/shared';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getIndicators, putIndicators } from '@/services/staff';
import { describeScoring } from '@/utils/index-explain';
import './index.scss';
import { isCityAdmin } from '@/services/session';

/**
 * 先锋指数+ catalogue (city admin): which indicators are admitted (考核内容准入), their weights and
 * full marks, and the 评价要点 / 计分方法 every explanation shows. Saved as one list.
 */
export default function Indicators() {
  const { ready, user } = useAuthReady();
  const cityAdmin = isCityAdmin(user);
  const list = useRequest(getIndicators, [], ready && cityAdmin);
  const [items, setItems] = useState<Indicator[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (list.data) setItems(list.data);
  }, [list.data]);

  if (ready && !cityAdmin) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">指标管理仅供市级管理员使用</View>
        </View>
      </View>
    );
  }

  const change = (key: string, patch: Partial<Indicator>) =>
    setItems((all) => all.map((it) => (it.key === key ? { ...it, ...patch } : it)));
  const totalWeight = items.filter((i) => i.admitted).reduce((sum, i) => sum + i.weight * i.maxScore, 0);

  const save = async () => {
    setBusy(true);
    try {
      setItems(await putIndicators(items));
      Taro.showToast({ title: '指标已保存', icon: 'success' });
    } catch (e) {
      Taro.showModal({ title: '保存未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page indicators">
      <StateView loading={!ready || (list.loading && !list.data)} error={list.error} onRetry={list.reload}>
        <View className="card">
          <View className="muted">
            准入的指标计入先锋指数+，满分合计 <Text className="accent">{Math.round(totalWeight * 10) / 10}</Text> 分（各项权重 ×
            满分之和）。
          </View>
        </View>
        {items.map((it) => (
          <View key={it.key} className={`card indicator ${it.admitted ? '' : 'is-off'}`} data-testid={`indicator-${it.key}`}>
            <View className="row between">
              <Text className="card-title">{it.name}</Text>
              <View className="chips">
                <View className={`chip ${it.admitted ? 'is-active' : ''}`} onClick={() => change(it.key, { admitted: true })}>
                  准入
                </View>
                <View className={`chip ${!it.admitted ? 'is-active' : ''}`} onClick={() => change(it.key, { admitted: false })}>
                  不准入
                </View>
              </View>
            </View>
            <View className="muted">
              {it.method === 'auto'
                ? `自动计算 · ${it.metric ? INDEX_METRIC_LABELS[it.metric] : ''}`
                : '人工评分（板块管理员按月评分并附依据）'}
            </View>
            <View className="muted indicator__rule">计分方法：{describeScoring(it)}</View>
            <View className="row indicator__numbers">
              <View className="indicator__number">
                <Text className="muted">权重</Text>
                <Input
                  className="field-input"
                  type="digit"
                  value={String(it.weight)}
                  onInput={(e) => change(it.key, { weight: Number(e.detail.value) || 0 })}
                />
              </View>
              <View className="indicator__number">
                <Text className="muted">满分</Text>
                <Input
                  className="field-input"
                  type="digit"
                  value={String(it.maxScore)}
                  onInput={(e) => change(it.key, { maxScore: Number(e.detail.value) || 0 })}
                />
              </View>
            </View>
            <Text className="muted">评价要点</Text>
            <Textarea
              className="field-textarea"
              value={it.guidance}
              maxlength={500}
              onInput={(e) => change(it.key, { guidance: e.detail.value })}
            />
          </View>
        ))}
        <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && save()}>
          {busy ? '保存中…' : '保存指标'}
        </View>
      </StateView>
    </View>
  );
}
