import { useEffect, useState } from 'react';
import { View, Text, Input, Textarea, Picker } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, CategorySchema, NeedCreateBodySchema, type NeedSource } from '@pioneer/shared';
import Field from '@/components/Field';
import OrgPicker from '@/components/OrgPicker';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { listDemands } from '@/services/demands';
import { errorMessage } from '@/services/http';
import { publishNeed, unitSides } from '@/services/units';
import { getWhistle } from '@/services/whistles';
import { toIsoWithOffset } from '@/utils/time';
import { checkForm, optionalCount, withoutEmpty, type FormErrors } from '@/utils/units-form';
import '@/staff/units/index.scss';

/**
 * 需求清单: a community's secretary (or its district admin) publishes a need for reported units
 * to claim; opened from a 居民点单 (`?demandId=`) or a whistle (`?whistleId=`) it is pre-filled and
 * keeps the link (`source`).
 */
export default function NeedNew() {
  const { ready, user, error, retry } = useAuthReady();
  const { demandId, whistleId } = useRouter().params;
  const sides = unitSides(user);
  const own = sides.communities[0];
  const [community, setCommunity] = useState<{ id: string; name: string } | null>(null);
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState('');
  const [description, setDescription] = useState('');
  const [peopleNeeded, setPeopleNeeded] = useState('');
  const [due, setDue] = useState('');
  const [source, setSource] = useState<(NeedSource & { label: string }) | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!ready) return;
    if (demandId && own) {
      listDemands(own)
        .then(({ items }) => {
          const d = items.find((x) => x.id === demandId);
          if (!d) return;
          setTitle(d.text.replace(/\s+/g, ' ').slice(0, 30));
          setDescription(`居民点单：${d.text}`);
          if (d.category) setCategory(d.category);
          setSource({ kind: 'demand', id: d.id, label: `居民点单：${d.text.slice(0, 20)}` });
        })
        .catch((e) => Taro.showToast({ title: errorMessage(e), icon: 'none' }));
    } else if (whistleId) {
      getWhistle(whistleId)
        .then(({ whistle: w }) => {
          setTitle(w.title);
          setDescription(`吹哨事项：${w.description}`);
          const c = CategorySchema.safeParse(w.category);
          if (c.success) setCategory(c.data);
          if (w.raisedBy.kind === 'community' && !own) setCommunity({ id: w.raisedBy.id, name: w.raisedBy.name });
          setSource({ kind: 'whistle', id: w.id, label: `吹哨：${w.title}` });
        })
        .catch((e) => Taro.showToast({ title: errorMessage(e), icon: 'none' }));
    }
  }, [ready, demandId, whistleId, own]);

  if (!ready) return <StateView loading error={error} onRetry={retry} />;
  if (!own && !sides.overseer) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">需求由社区书记或板块管理员发布</View>
        </View>
      </View>
    );
  }

  const submit = async () => {
    const checked = checkForm(
      NeedCreateBodySchema,
      withoutEmpty({
        communityOrgId: own ?? community?.id,
        title,
        category,
        description,
        peopleNeeded: optionalCount(peopleNeeded),
        dueAt: due ? toIsoWithOffset(due, '18:00') : undefined,
        source: source ? { kind: source.kind, id: source.id } : undefined,
      }),
      {
        communityOrgId: '请选择社区',
        title: '请填写需求名称（2–60 字）',
        category: '请选择类别',
        description: '请填写需求说明',
        peopleNeeded: '人数须为 1–1000 的整数',
      },
    );
    if (!checked.ok) {
      setErrors(checked.errors);
      return Taro.showToast({ title: checked.first, icon: 'none' });
    }
    setBusy(true);
    try {
      await publishNeed(checked.body);
      Taro.showToast({ title: '已发布，已报到单位会收到通知', icon: 'none' });
      setTimeout(() => Taro.navigateBack(), 800);
    } catch (e) {
      Taro.showModal({ title: '发布未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page need-new">
      {source ? (
        <View className="card">
          <Text className="muted need-new__source">关联：{source.label}</Text>
        </View>
      ) : null}
      <View className="card">
        {own ? null : (
          <Field label="社区" required error={errors.communityOrgId}>
            <OrgPicker
              kind="community"
              value={community}
              placeholder="输入社区名称搜索"
              onChange={(o) => setCommunity({ id: o.id, name: o.name })}
            />
          </Field>
        )}
        <Field label="需求名称" required error={errors.title}>
          <Input
            className="field-input need-new__title"
            value={title}
            maxlength={60}
            placeholder="如：老旧小区楼道照明改造"
            onInput={(e) => setTitle(e.detail.value)}
          />
        </Field>
        <Field label="类别" required error={errors.category}>
          <View className="chips need-new__categories">
            {CATEGORY_KEYS.map((key) => (
              <View key={key} className={`chip ${category === key ? 'is-active' : ''}`} onClick={() => setCategory(key)}>
                {CATEGORY_LABELS[key]}
              </View>
            ))}
          </View>
        </Field>
        <Field label="需求说明" required error={errors.description}>
          <Textarea
            className="field-textarea need-new__description"
            value={description}
            maxlength={2000}
            placeholder="需要做什么、在哪里、期望效果"
            onInput={(e) => setDescription(e.detail.value)}
          />
        </Field>
        <Field label="需要人数（选填）" error={errors.peopleNeeded}>
          <Input className="field-input" type="number" value={peopleNeeded} onInput={(e) => setPeopleNeeded(e.detail.value)} />
        </Field>
        <Field label="完成期限（选填）" error={errors.dueAt}>
          <Picker mode="date" value={due} onChange={(e) => setDue(String(e.detail.value))}>
            <View className="field-input">{due || <Text className="muted">不设期限</Text>}</View>
          </Picker>
        </Field>
      </View>
      <View className={`btn need-new__submit ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '发布中…' : '发布需求'}
      </View>
    </View>
  );
}
