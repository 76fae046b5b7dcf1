import { useEffect, useRef, useState } from 'react';
import { View, Text, Input, Button } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, type Category, type Estate, type MemberUpsertBody } from '@pioneer/shared';
import Field, { FieldError, RequiredMark } from '@/components/Field';
import Icon from '@/components/Icon';
import OrgPicker from '@/components/OrgPicker';
import { CONSENT_VERSION, IS_H5 } from '@/services/config';
import { clearDraft, loadDraft, saveDraft } from '@/services/drafts';
import { errorMessage } from '@/services/http';
import { exchangePhoneCode } from '@/services/members';
import {
  EMPTY_REGISTER_FORM,
  firstError,
  toUpsertBody,
  validateRegisterForm,
  type RegisterErrors,
  type RegisterField,
  type RegisterForm as Form,
} from '@/utils/register-form';
import './index.scss';

interface Props {
  community: { id: string; name: string };
  estates: Estate[];
  initial?: Partial<Form>;
  submitting?: boolean;
  submitLabel?: string;
  /** Where unsent input is kept on the device (see `registerDraftKey`); none: no draft. */
  draftKey?: string;
  onSubmit: (body: MemberUpsertBody) => void;
}

export const registerDraftKey = (communityId: string) => `register.${communityId}`;

/** Consent is asked for each time: it is never restored from a draft. */
function restorable(draft: Partial<Form> | null): Partial<Form> {
  if (!draft) return {};
  const { consent: _consent, communityOrgId: _community, ...rest } = draft;
  return rest;
}

export const fieldAnchor = (field: RegisterField) => `rf-${field}`;

export default function RegisterForm({ community, estates, initial, submitting, submitLabel = '生成先锋码', draftKey, onSubmit }: Props) {
  const [draft] = useState(() => (draftKey ? restorable(loadDraft<Form>(draftKey)) : {}));
  const [form, setForm] = useState<Form>({ ...EMPTY_REGISTER_FORM, ...initial, ...draft, communityOrgId: community.id });
  const [restored, setRestored] = useState(Object.keys(draft).length > 0);
  const [errors, setErrors] = useState<RegisterErrors>({});
  const [showNotice, setShowNotice] = useState(false);
  const touched = useRef(false);

  useEffect(() => {
    if (draftKey && touched.current) saveDraft<Form>(draftKey, { ...form, consent: false });
  }, [form, draftKey]);

  const set = <K extends RegisterField>(key: K, value: Form[K]) => {
    touched.current = true;
    setForm((f) => ({ ...f, [key]: value }));
    if (errors[key]) setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const toggleIntention = (key: Category) => {
    set('intentions', form.intentions.includes(key) ? form.intentions.filter((k) => k !== key) : [...form.intentions, key]);
  };

  const discardDraft = () => {
    if (draftKey) clearDraft(draftKey);
    touched.current = false;
    setForm({ ...EMPTY_REGISTER_FORM, ...initial, communityOrgId: community.id });
    setErrors({});
    setRestored(false);
  };

  const submit = () => {
    const found = validateRegisterForm(form);
    setErrors(found);
    const first = firstError(found);
    if (first) {
      const count = Object.values(found).filter(Boolean).length;
      Taro.showToast({ title: count > 1 ? `还有 ${count} 项需要填写或修改` : (found[first] ?? '请检查填写内容'), icon: 'none' });
      Taro.pageScrollTo({ selector: `#${fieldAnchor(first)}`, offsetTop: -60, duration: 300 }).catch(() => undefined);
      return;
    }
    onSubmit(toUpsertBody(form, CONSENT_VERSION));
  };

  const fillPhone = async (code: string | undefined) => {
    if (!code) return; // the member declined
    try {
      set('phone', await exchangePhoneCode(code));
    } catch (err) {
      Taro.showToast({ title: errorMessage(err), icon: 'none' });
    }
  };

  const text = (
    key: 'name' | 'phone' | 'workUnit' | 'building' | 'unitNo' | 'room',
    label: string,
    placeholder: string,
    type: 'text' | 'number' = 'text',
  ) => (
    <Field id={fieldAnchor(key)} label={label} required error={errors[key]}>
      <View className="row register-form__input-row">
        <Input
          className="field-input register-form__input"
          type={type}
          value={form[key]}
          placeholder={placeholder}
          maxlength={key === 'phone' ? 11 : 60}
          onInput={(e) => set(key, e.detail.value)}
          data-testid={`input-${key}`}
        />
        {key === 'phone' && !IS_H5 ? (
          <Button
            className="btn btn-plain btn-small register-form__phone-btn"
            openType="getPhoneNumber"
            onGetPhoneNumber={(e) => fillPhone((e.detail as { code?: string }).code)}
          >
            微信手机号
          </Button>
        ) : null}
      </View>
    </Field>
  );

  return (
    <View className="register-form">
      {restored ? (
        <View className="card register-form__restored row between" data-testid="draft-restored">
          <Text className="muted">已恢复上次未提交的内容</Text>
          <Text className="accent" onClick={discardDraft}>
            清空重填
          </Text>
        </View>
      ) : null}
      <View className="card">
        <View className="card-title">报到社区</View>
        <View className="register-form__community">{community.name}</View>
      </View>

      <View className="card">
        <View className="card-title">
          个人信息{' '}
          <Text className="muted">
            （<RequiredMark />
            为必填）
          </Text>
        </View>
        {text('name', '姓名', '请输入真实姓名')}
        {text('phone', '手机号', '请输入 11 位手机号', 'number')}
        <Field id={fieldAnchor('unitOrgId')} label="组织关系所在党组织" required error={errors.unitOrgId}>
          <OrgPicker
            kind="unit"
            value={form.unitOrgId ? { id: form.unitOrgId, name: form.unitOrgName } : null}
            onChange={(org) => {
              touched.current = true;
              setForm((f) => ({ ...f, unitOrgId: org.id, unitOrgName: org.name }));
              setErrors((e) => ({ ...e, unitOrgId: undefined }));
            }}
          />
        </Field>
        {text('workUnit', '工作单位及职务', '如：市财政局 科员')}
      </View>

      <View className="card">
        <View className="card-title">居住信息</View>
        <Field id={fieldAnchor('estateId')} label="居住小区" required error={errors.estateId}>
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

      <View className="card" id={fieldAnchor('intentions')}>
        <View className="card-title">
          <RequiredMark />
          服务意向 <Text className="muted">（可多选）</Text>
        </View>
        <View className="chips">
          {CATEGORY_KEYS.map((key) => (
            <View key={key} className={`chip ${form.intentions.includes(key) ? 'is-active' : ''}`} onClick={() => toggleIntention(key)}>
              {CATEGORY_LABELS[key]}
            </View>
          ))}
        </View>
        <FieldError message={errors.intentions} />
      </View>

      <View className="register-form__consent" id={fieldAnchor('consent')}>
        <View className="row" onClick={() => set('consent', !form.consent)} data-testid="consent">
          <View className={`register-form__check ${form.consent ? 'is-checked' : ''}`}>
            {form.consent ? <Icon name="check" color="#ffffff" size={28} /> : null}
          </View>
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
