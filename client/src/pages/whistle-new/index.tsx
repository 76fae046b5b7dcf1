import { useEffect, useState } from 'react';
import { View, Text, Input, Textarea, Picker } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import {
  ASSIGNMENT_PART_LABELS,
  WHISTLE_CATEGORY_KEYS,
  WHISTLE_CATEGORY_LABELS,
  WhistleCreateBodySchema,
  type AssignmentPart,
  type WhistleCategory,
} from '@pioneer/shared';
import Field from '@/components/Field';
import OrgPicker from '@/components/OrgPicker';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { errorMessage } from '@/services/http';
import { listDemands, triageDemand } from '@/services/demands';
import { askSubscribe, SUBSCRIBE_ON } from '@/services/notifications';
import { raiseWhistle, raiserScopes } from '@/services/whistles';
import { toIsoWithOffset, todayString } from '@/utils/time';
import './index.scss';

interface Unit {
  id: string;
  name: string;
  part: AssignmentPart;
}

const PARTS: AssignmentPart[] = ['lead', 'assist', 'inform'];

/** 吹哨: a secretary or district admin addresses a problem to unit party orgs. */
export default function WhistleNew() {
  const { ready, user } = useAuthReady();
  const scopes = raiserScopes(user);
  const [scope, setScope] = useState(0);
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState<WhistleCategory | ''>('');
  const [location, setLocation] = useState('');
  const [description, setDescription] = useState('');
  const [dueDate, setDueDate] = useState(todayString(3));
  const [dueTime, setDueTime] = useState('18:00');
  const [units, setUnits] = useState<Unit[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // 转为吹哨 from a resident's demand: the form starts from its words, and the demand is answered by the whistle.
  const demandId = useRouter().params.demandId || undefined;
  const communityId = scopes.find((s) => s.role === 'secretary')?.orgId;
  useEffect(() => {
    if (!demandId || !communityId) return;
    listDemands(communityId)
      .then(({ items }) => {
        const d = items.find((x) => x.id === demandId);
        if (!d) return;
        setTitle(d.text.replace(/\s+/g, ' ').slice(0, 20));
        setDescription(`居民点单：${d.text}`);
        // Where the problem is: the resident's estate and address.
        const where = [d.estate?.name, d.address].filter(Boolean).join(' ');
        if (where) setLocation(where);
      })
      .catch((e) => Taro.showToast({ title: errorMessage(e), icon: 'none' }));
  }, [demandId, communityId]);

  if (!ready)
    return (
      <View className="page">
        <StateView loading />
      </View>
    );
  if (scopes.length === 0) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">仅社区书记和板块管理员可以吹哨</View>
        </View>
      </View>
    );
  }

  const addUnit = (org: { id: string; name: string }) => {
    if (units.some((u) => u.id === org.id)) return;
    setUnits([...units, { id: org.id, name: org.name, part: units.some((u) => u.part === 'lead') ? 'assist' : 'lead' }]);
  };
  const setPart = (id: string, part: AssignmentPart) =>
    setUnits(units.map((u) => (u.id === id ? { ...u, part } : part === 'lead' && u.part === 'lead' ? { ...u, part: 'assist' } : u)));

  const submit = async () => {
    setError(null);
    const parsed = WhistleCreateBodySchema.safeParse({
      title,
      category,
      location,
      description,
      dueAt: toIsoWithOffset(dueDate, dueTime),
      addressedTo: units.map((u) => ({ orgId: u.id, part: u.part })),
      raisedByOrgId: scopes.length > 1 ? scopes[scope].orgId : undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = String(issue?.path[0] ?? '');
      const labels: Record<string, string> = {
        title: '请填写 2–60 字的事项标题',
        category: '请选择类别',
        location: '请填写地点',
        description: '请描述需要解决的问题',
        addressedTo: '请添加单位，并指定一个牵头单位',
      };
      setError(labels[field] ?? issue?.message ?? '请检查填写内容');
      return;
    }
    // Still inside the tap (WeChat asks only from one): the raiser hears when a unit answers, returns it or asks for time.
    void askSubscribe(SUBSCRIBE_ON.whistle);
    setBusy(true);
    try {
      // From a demand, one request raises the whistle and answers the demand: neither happens without the other.
      const whistleId = demandId
        ? (await triageDemand(demandId, { action: 'whistle', whistle: parsed.data })).whistle!.id
        : (await raiseWhistle(parsed.data)).whistle.id;
      Taro.showToast({ title: '已吹哨', icon: 'success' });
      setTimeout(() => Taro.redirectTo({ url: `/pages/whistle-detail/index?id=${whistleId}` }), 500);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page whistle-new">
      {scopes.length > 1 ? (
        <View className="card">
          <Field label="以谁的名义吹哨">
            <View className="chips">
              {scopes.map((s, i) => (
                <View key={s.orgId} className={`chip ${scope === i ? 'is-active' : ''}`} onClick={() => setScope(i)}>
                  {s.role === 'secretary' ? '本社区' : '本板块'}
                </View>
              ))}
            </View>
          </Field>
        </View>
      ) : null}
      <View className="card">
        <Field label="事项标题">
          <Input
            className="field-input whistle-new__title"
            value={title}
            placeholder="如：商圈周边停车难"
            onInput={(e) => setTitle(e.detail.value)}
          />
        </Field>
        <Field label="类别">
          <View className="chips">
            {WHISTLE_CATEGORY_KEYS.map((key) => (
              <View key={key} className={`chip ${category === key ? 'is-active' : ''}`} onClick={() => setCategory(key)}>
                {WHISTLE_CATEGORY_LABELS[key]}
              </View>
            ))}
          </View>
        </Field>
        <Field label="地点">
          <Input
            className="field-input whistle-new__location"
            value={location}
            placeholder="如：世茂商圈"
            onInput={(e) => setLocation(e.detail.value)}
          />
        </Field>
        <Field label="问题描述">
          <Textarea
            className="field-textarea whistle-new__description"
            value={description}
            maxlength={2000}
            placeholder="社区自身难以解决的问题、需要哪些部门协同"
            onInput={(e) => setDescription(e.detail.value)}
          />
        </Field>
        <Field label="办理时限">
          <View className="row whistle-new__due">
            <Picker mode="date" value={dueDate} start={todayString()} onChange={(e) => setDueDate(String(e.detail.value))}>
              <View className="field-input">{dueDate}</View>
            </Picker>
            <Picker mode="time" value={dueTime} onChange={(e) => setDueTime(String(e.detail.value))}>
              <View className="field-input">{dueTime}</View>
            </Picker>
          </View>
        </Field>
      </View>

      <View className="card">
        <View className="card-title">报到单位</View>
        <OrgPicker kind="unit" value={null} placeholder="搜索并添加单位党组织" onChange={addUnit} />
        {units.map((u) => (
          <View key={u.id} className="whistle-new__unit">
            <View className="row between">
              <Text>{u.name}</Text>
              <Text className="muted" onClick={() => setUnits(units.filter((x) => x.id !== u.id))}>
                移除
              </Text>
            </View>
            <View className="chips">
              {PARTS.map((p) => (
                <View key={p} className={`chip ${u.part === p ? 'is-active' : ''}`} onClick={() => setPart(u.id, p)}>
                  {ASSIGNMENT_PART_LABELS[p]}
                </View>
              ))}
            </View>
          </View>
        ))}
      </View>

      {error ? <View className="field-error whistle-new__error">{error}</View> : null}
      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '提交中…' : '吹哨'}
      </View>
    </View>
  );
}
