import { useState } from 'react';
import { View, Input, Textarea } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, ResourceCreateBodySchema } from '@pioneer/shared';
import Field from '@/components/Field';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { errorMessage } from '@/services/http';
import { addResource, unitSides } from '@/services/units';
import { checkForm, optionalCount, withoutEmpty, type FormErrors } from '@/utils/units-form';
import '@/staff/units/index.scss';

/** 资源清单: what a unit can offer its communities (场地, 专业服务, 物资…). */
export default function ResourceNew() {
  const { ready, user, error, retry } = useAuthReady();
  const unitOrgId = unitSides(user).units[0];
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState('');
  const [description, setDescription] = useState('');
  const [capacity, setCapacity] = useState('');
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);

  if (!ready) return <StateView loading error={error} onRetry={retry} />;
  if (!unitOrgId) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">资源由单位党组织管理员或红色代办员登记</View>
        </View>
      </View>
    );
  }

  const submit = async () => {
    const checked = checkForm(
      ResourceCreateBodySchema,
      withoutEmpty({ unitOrgId, title, category, description, capacity: optionalCount(capacity) }),
      { title: '请填写资源名称（2–60 字）', category: '请选择类别', description: '请填写资源说明', capacity: '数量须为正整数' },
    );
    if (!checked.ok) {
      setErrors(checked.errors);
      return Taro.showToast({ title: checked.first, icon: 'none' });
    }
    setBusy(true);
    try {
      await addResource(checked.body);
      Taro.showToast({ title: '已登记', icon: 'success' });
      setTimeout(() => Taro.navigateBack(), 600);
    } catch (e) {
      Taro.showModal({ title: '登记未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page resource-new">
      <View className="card">
        <Field label="资源名称" required error={errors.title}>
          <Input className="field-input" value={title} placeholder="如：党员志愿服务队、会议室" onInput={(e) => setTitle(e.detail.value)} />
        </Field>
        <Field label="类别" required error={errors.category}>
          <View className="chips">
            {CATEGORY_KEYS.map((key) => (
              <View key={key} className={`chip ${category === key ? 'is-active' : ''}`} onClick={() => setCategory(key)}>
                {CATEGORY_LABELS[key]}
              </View>
            ))}
          </View>
        </Field>
        <Field label="资源说明" required error={errors.description}>
          <Textarea
            className="field-textarea"
            value={description}
            maxlength={2000}
            placeholder="内容、可提供的时间、如何联系"
            onInput={(e) => setDescription(e.detail.value)}
          />
        </Field>
        <Field label="可提供数量（选填）" error={errors.capacity}>
          <Input
            className="field-input"
            type="number"
            value={capacity}
            placeholder="如：20（人、个、次）"
            onInput={(e) => setCapacity(e.detail.value)}
          />
        </Field>
      </View>
      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '提交中…' : '登记资源'}
      </View>
    </View>
  );
}
