import { useState } from 'react';
import { View, Textarea, Picker } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { NeedClaimBodySchema, type Need } from '@pioneer/shared';
import Field from '@/components/Field';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { chinaDay, claimNeed, listResources } from '@/services/units';
import { checkForm, withoutEmpty } from '@/utils/units-form';

/** 认领: a reported unit takes on a need with its plan, dates and (optionally) one of its resources. */

const toast = (title: string) => Taro.showToast({ title, icon: 'none' });
const go = (url: string) => Taro.navigateTo({ url });

export default function ClaimForm({ need, unitOrgId, onDone }: { need: Need; unitOrgId: string; onDone: () => void }) {
  const [plan, setPlan] = useState('');
  const [startsOn, setStartsOn] = useState(chinaDay());
  const [endsOn, setEndsOn] = useState(chinaDay(30));
  const [resourceId, setResourceId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const resources = useRequest(() => listResources({ unitOrgId }), [unitOrgId]);
  const submit = async () => {
    const checked = checkForm(NeedClaimBodySchema, withoutEmpty({ unitOrgId, plan, startsOn, endsOn, resourceId }), {
      plan: '请填写实施方案（至少 2 个字）',
    });
    if (!checked.ok) {
      setErrors(checked.errors);
      return toast(checked.first);
    }
    setBusy(true);
    try {
      const project = await claimNeed(need.id, checked.body);
      Taro.showToast({ title: '认领成功', icon: 'success' });
      onDone();
      go(`/staff/project/index?id=${project.id}`);
    } catch (e) {
      Taro.showModal({ title: '认领未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className="units__form units__claim">
      <Field label="实施方案" required error={errors.plan}>
        <Textarea
          className="field-textarea units__plan"
          value={plan}
          maxlength={2000}
          placeholder="如何完成这项需求：人员、时间安排、投入资源"
          onInput={(e) => setPlan(e.detail.value)}
        />
      </Field>
      <View className="units__dates">
        <Field label="开始日期">
          <Picker mode="date" value={startsOn} onChange={(e) => setStartsOn(String(e.detail.value))}>
            <View className="field-input">{startsOn}</View>
          </Picker>
        </Field>
        <Field label="完成日期" error={errors.endsOn}>
          <Picker mode="date" value={endsOn} onChange={(e) => setEndsOn(String(e.detail.value))}>
            <View className="field-input">{endsOn}</View>
          </Picker>
        </Field>
      </View>
      {resources.data?.items.length ? (
        <Field label="投入资源（选填）">
          <View className="chips">
            {resources.data.items.map((r) => (
              <View
                key={r.id}
                className={`chip ${resourceId === r.id ? 'is-active' : ''}`}
                onClick={() => setResourceId(resourceId === r.id ? null : r.id)}
              >
                {r.title}
              </View>
            ))}
          </View>
        </Field>
      ) : null}
      <View className={`btn units__claim-submit ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '提交中…' : '确认认领'}
      </View>
    </View>
  );
}
