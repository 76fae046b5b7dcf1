import { useEffect, useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { RewardCreateBodySchema, type CommunityRedemption, type Reward } from '@pioneer/shared';
import Field from '@/components/Field';
import Icon from '@/components/Icon';
import SecretaryGate from '@/components/SecretaryGate';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { createReward, getCommunityRedemptions, listRewards, patchReward } from '@/services/records';
import { wholeNumber } from '@/utils/records';
import { formatDateTime } from '@/utils/time';
import { ROUTES } from '@/utils/routes';
import './index.scss';

function NewReward({ orgId, onCreated }: { orgId: string; onCreated: (r: Reward) => void }) {
  const [name, setName] = useState('');
  const [cost, setCost] = useState('');
  const [stock, setStock] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    if (busy) return;
    const c = wholeNumber(cost, 1, 1_000_000);
    const s = wholeNumber(stock, 0, 1_000_000);
    if (!name.trim()) return setError('请填写物品名称');
    if (c.error) return setError(`所需积分${c.error}`);
    if (s.error) return setError(`库存${s.error}`);
    const parsed = RewardCreateBodySchema.safeParse({ name, pointsCost: c.value, stock: s.value, description: description || undefined });
    if (!parsed.success) return setError(parsed.error.issues[0]?.message);
    setError(undefined);
    setBusy(true);
    try {
      onCreated(await createReward(orgId, parsed.data));
      setName('');
      setCost('');
      setStock('');
      setDescription('');
      Taro.showToast({ title: '已上架', icon: 'success' });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="card rewards__new">
      <View className="card-title">上架新物品</View>
      <Field label="名称" required>
        <Input
          className="field-input rewards__name"
          value={name}
          maxlength={60}
          placeholder="如：洗衣液一瓶"
          onInput={(e) => setName(e.detail.value)}
        />
      </Field>
      <View className="row rewards__nums">
        <Field label="所需积分" required className="rewards__num">
          <Input className="field-input rewards__cost" type="number" value={cost} onInput={(e) => setCost(e.detail.value)} />
        </Field>
        <Field label="库存" required className="rewards__num">
          <Input className="field-input rewards__stock" type="number" value={stock} onInput={(e) => setStock(e.detail.value)} />
        </Field>
      </View>
      <Field label="说明">
        <Input className="field-input" value={description} maxlength={500} onInput={(e) => setDescription(e.detail.value)} />
      </Field>
      {error ? (
        <View className="field-error" role="alert">
          {error}
        </View>
      ) : null}
      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={submit} data-testid="reward-create">
        上架
      </View>
    </View>
  );
}

function RewardRow({ r, onChanged }: { r: Reward; onChanged: (r: Reward) => void }) {
  const [stock, setStock] = useState(String(r.stock));
  const [busy, setBusy] = useState(false);
  // A redemption elsewhere (扫码核验) moved the stock: the field follows the list when it reloads.
  useEffect(() => setStock(String(r.stock)), [r.stock]);
  const change = async (body: { stock?: number; active?: boolean }) => {
    if (busy) return;
    setBusy(true);
    try {
      onChanged(await patchReward(r.id, body));
      Taro.showToast({ title: '已更新', icon: 'success' });
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    } finally {
      setBusy(false);
    }
  };
  const saveStock = () => {
    const s = wholeNumber(stock, 0, 1_000_000);
    if (s.error) return Taro.showToast({ title: `库存${s.error}`, icon: 'none' });
    if (s.value !== r.stock) change({ stock: s.value });
  };
  return (
    <View className={`rewards__item ${r.active ? '' : 'is-off'}`} data-testid="reward-row">
      <View className="row between">
        <Text className="rewards__item-name">{r.name}</Text>
        <Text className="accent">{r.pointsCost} 积分</Text>
      </View>
      {r.description ? <View className="muted">{r.description}</View> : null}
      <View className="row between rewards__item-acts">
        <View className="row rewards__stock-edit">
          <Text className="muted">库存</Text>
          <Input
            className="field-input rewards__stock-input"
            type="number"
            value={stock}
            onInput={(e) => setStock(e.detail.value)}
            onBlur={saveStock}
          />
        </View>
        <Text className="accent" onClick={() => change({ active: !r.active })}>
          {r.active ? '下架' : '重新上架'}
        </Text>
      </View>
      {r.active ? null : <View className="muted">已下架，党员看不到</View>}
    </View>
  );
}

/** What went out of the 爱心超市 and to whom (names masked), newest first: the secretary's ledger. */
function Redemptions({ items }: { items: CommunityRedemption[] }) {
  return (
    <>
      {items.map((r) => (
        <View key={r.id} className="rewards__redemption" data-testid="redemption-row">
          <View className="row between">
            <Text>{`${r.memberName} · ${r.rewardName}`}</Text>
            <Text className="muted">{`-${r.points} 积分`}</Text>
          </View>
          <View className="muted">{formatDateTime(r.at)}</View>
        </View>
      ))}
    </>
  );
}

function Rewards({ orgId }: { orgId: string }) {
  const list = useRequest(() => listRewards(orgId), [orgId]);
  const redemptions = useRequest(() => getCommunityRedemptions(orgId), [orgId]);
  // Back from 扫先锋码兑换: the stock and the ledger have moved.
  useDidShow(() => {
    if (list.data) list.reload();
    if (redemptions.data) redemptions.reload();
  });
  const replace = (r: Reward) => list.setData((items) => (items ?? []).map((x) => (x.id === r.id ? r : x)));
  return (
    <>
      <View className="btn rewards__scan" onClick={() => Taro.navigateTo({ url: ROUTES.verify })} data-testid="rewards-scan">
        <Icon name="scan" color="#ffffff" size={40} />
        <Text>扫先锋码兑换</Text>
      </View>
      <View className="card">
        <View className="card-title">在架物品</View>
        <StateView
          loading={list.loading && !list.data}
          error={list.error}
          onRetry={list.reload}
          empty={list.data?.length === 0}
          emptyText="还没有上架物品"
        >
          {list.data?.map((r) => (
            <RewardRow key={r.id} r={r} onChanged={replace} />
          ))}
        </StateView>
      </View>
      <NewReward orgId={orgId} onCreated={(r) => list.setData((items) => [r, ...(items ?? [])])} />
      <View className="card">
        <View className="card-title">兑换记录</View>
        <StateView
          loading={redemptions.loading && !redemptions.data}
          error={redemptions.error}
          onRetry={redemptions.reload}
          empty={redemptions.data?.length === 0}
          emptyText="还没有兑换记录"
        >
          <Redemptions items={redemptions.data ?? []} />
        </StateView>
      </View>
    </>
  );
}

export default function RewardsPage() {
  return (
    <View className="page rewards">
      <SecretaryGate>{(orgId) => <Rewards orgId={orgId} />}</SecretaryGate>
    </View>
  );
}
