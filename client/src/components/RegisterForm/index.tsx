import { useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import { CATEGORY_KEYS, CATEGORY_LABELS, type Category, type Estate, type MemberUpsertBody } from '@pioneer/shared';
import Field, { FieldError } from '../Field';
import OrgPicker from '../OrgPicker';
import { CONSENT_VERSION } from '../../services/config';
import {
  EMPTY_REGISTER_FORM,
  toUpsertBody,
  validateRegisterForm,
  type RegisterErrors,
  type RegisterField,
  type RegisterForm as Form,
} from '../../utils/register-form';
import './index.scss';

interface Props {
  community: { id: string; name: string };
  estates: Estate[];
  initial?: Partial<Form>;
  submitting?: boolean;
  submitLabel?: string;
  onSubmit: (body: MemberUpsertBody) => void;
}

export default function RegisterForm({ community, estates, initial, submitting, submitLabel = '生成先锋码', onSubmit }: Props) {
  const [form, setForm] = useState<Form>({ ...EMPTY_REGISTER_FORM, ...initial, communityOrgId: community.id });
  const [errors, setErrors] = useState<RegisterErrors>({});
  const [showNotice, setShowNotice] = useState(false);

  const set = <K extends RegisterField>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const toggleIntention = (key: Category) => {
    set('intentions', form.intentions.includes(key) ? form.intentions.filter((k) => k !== key) : [...form.intentions, key]);
  };

  const submit = () => {
    const found = validateRegisterForm(form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    onSubmit(toUpsertBody(form, CONSENT_VERSION));
  };

  const text = (key: 'name' | 'phone' | 'workUnit' | 'building' | 'unitNo' | 'room', label: string, placeholder: string, type: 'text' | 'number' = 'text') => (
    <Field label={label} error={errors[key]}>
      <Input
        className="field-input"
        type={type}
        value={form[key]}
        placeholder={placeholder}
        maxlength={key === 'phone' ? 11 : 60}
        onInput={(e) => set(key, e.detail.value)}
        data-testid={`input-${key}`}
      />
    </Field>
  );

  return (
    <View className="register-form">
      <View className="card">
        <View className="card-title">报到社区</View>
        <View className="register-form__community">{community.name}</View>
      </View>

      <View className="card">
        <View className="card-title">个人信息</View>
        {text('name', '姓名', '请输入真实姓名')}
        {text('phone', '手机号', '请输入 11 位手机号', 'number')}
        <Field label="组织关系所在党组织" error={errors.unitOrgId}>
          <OrgPicker
            kind="unit"
            value={form.unitOrgId ? { id: form.unitOrgId, name: form.unitOrgName } : null}
            onChange={(org) => {
              setForm((f) => ({ ...f, unitOrgId: org.id, unitOrgName: org.name }));
              setErrors((e) => ({ ...e, unitOrgId: undefined }));
            }}
          />
        </Field>
        {text('workUnit', '工作单位及职务', '如：市财政局 科员')}
      </View>

      <View className="card">
        <View className="card-title">居住信息</View>
        <Field label="居住小区" error={errors.estateId}>
          {estates.length === 0 ? <View className="muted">该社区暂未登记小区，请联系社区书记</View> : null}
          <View className="chips">
            {estates.map((estate) => (
              <View
                key={estate.id}
                className={`chip ${form.estateId === estate.id ? 'is-active' : ''}`}
                onClick={() => set('estateId', estate.id)}
              >
                {estate.name}
              </View>
            ))}
          </View>
        </Field>
        <View className="register-form__address">
          {text('building', '楼栋', '如 3 幢')}
          {text('unitNo', '单元', '如 2 单元')}
          {text('room', '门牌号', '如 501')}
        </View>
      </View>

      <View className="card">
        <View className="card-title">
          服务意向 <Text className="muted">（可多选）</Text>
        </View>
        <View className="chips">
          {CATEGORY_KEYS.map((key) => (
            <View
              key={key}
              className={`chip ${form.intentions.includes(key) ? 'is-active' : ''}`}
              onClick={() => toggleIntention(key)}
            >
              {CATEGORY_LABELS[key]}
            </View>
          ))}
        </View>
        <FieldError message={errors.intentions} />
      </View>

      <View className="register-form__consent">
        <View className="row" onClick={() => set('consent', !form.consent)} data-testid="consent">
          <View className={`register-form__check ${form.consent ? 'is-checked' : ''}`}>{form.consent ? '✓' : ''}</View>
          <Text>
            我已阅读并同意
            <Text
              className="accent"
              onClick={(e) => {
                e.stopPropagation?.();
                setShowNotice((v) => !v);
              }}
            >
              《个人信息使用说明》
            </Text>
          </Text>
        </View>
        {showNotice ? (
          <View className="register-form__notice muted">
            您填写的姓名、手机号、工作单位和居住地址仅用于在职党员到社区报到、参与志愿服务及服务记录统计，
            由所在社区党组织和组织关系所在党组织查看，不会用于其他用途。您可随时修改报到信息。（版本 {CONSENT_VERSION}）
          </View>
        ) : null}
        <FieldError message={errors.consent} />
      </View>

      <View className={`btn ${submitting ? 'is-disabled' : ''}`} onClick={() => !submitting && submit()}>
        {submitting ? '提交中…' : submitLabel}
      </View>
    </View>
  );
}
