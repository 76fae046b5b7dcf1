import { useState } from 'react';
import { View, Text, Textarea, Input } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, DemandCreateBodySchema, type Category } from '@pioneer/shared';
import Field from '@/components/Field';
import Icon from '@/components/Icon';
import OrgPicker from '@/components/OrgPicker';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { listEstates } from '@/services/directory';
import { getMyMember } from '@/services/members';
import { sendDemand } from '@/services/demands';
import './index.scss';

type Errors = Partial<Record<'community' | 'text' | 'contactName' | 'contactPhone' | 'address' | 'contactConsent' | 'form', string>>;

const MESSAGES: Record<string, string> = {
  communityOrgId: '请选择社区',
  text: '请用 2–500 字描述您的需求',
  contactName: '称呼不超过 30 字',
  contactPhone: '请输入正确的手机号',
  address: '地址不超过 120 字',
  estateId: '请选择小区',
};

/**
 * 我要点单: any signed-in resident tells its community what it needs, where (小区 and address) and,
 * if it wishes, how to reach it: the contact is kept only when the resident agrees that its
 * community may use it about this demand (staff see the phone masked).
 */
export default function DemandNew() {
  const { ready, user } = useAuthReady();
  const member = useRequest(getMyMember, [user?.memberId], ready && Boolean(user?.memberId));
  const [community, setCommunity] = useState<{ id: string; name: string } | null>(null);
  const [text, setText] = useState('');
  const [category, setCategory] = useState<Category | undefined>();
  const [estateId, setEstateId] = useState<string | undefined>();
  const [address, setAddress] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactPhone, setContactPhone] = useState('');
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const chosen = community ?? (member.data ? { id: member.data.community.id, name: member.data.community.name } : null);
  const estates = useRequest(() => listEstates(chosen!.id), [chosen?.id], Boolean(chosen));
  const hasContact = contactName.trim() !== '' || contactPhone.trim() !== '';

  const submit = async () => {
    setErrors({});
    const parsed = DemandCreateBodySchema.safeParse({
      communityOrgId: chosen?.id,
      text,
      category,
      estateId,
      address: address.trim() || undefined,
      contactName: contactName.trim() || undefined,
      contactPhone: contactPhone.trim() || undefined,
      contactConsent: hasContact ? consent : undefined,
    });
    if (!parsed.success) {
      const next: Errors = {};
      for (const issue of parsed.error.issues) {
        const path = String(issue.path[0] ?? '');
        const key = (path === 'communityOrgId' ? 'community' : path === 'estateId' ? 'address' : path) as keyof Errors;
        next[key] = next[key] ?? (issue.code === 'custom' ? issue.message : (MESSAGES[path] ?? issue.message));
      }
      setErrors(next);
      return;
    }
    setBusy(true);
    try {
      await sendDemand(parsed.data);
      Taro.showToast({ title: '已提交', icon: 'success' });
      setTimeout(() => Taro.redirectTo({ url: '/pages/my-demands/index' }), 500);
    } catch (e) {
      setErrors({ form: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  if (!ready)
    return (
      <View className="page">
        <StateView loading />
      </View>
    );
  return (
    <View className="page demand-new">
      <View className="card">
        <Field label="向哪个社区点单" error={errors.community}>
          <OrgPicker
            kind="community"
            value={chosen}
            placeholder="搜索社区"
            onChange={(org) => {
              setCommunity({ id: org.id, name: org.name });
              setEstateId(undefined);
            }}
          />
        </Field>
        <Field label="需求类别（选填）">
          <View className="chips">
            {CATEGORY_KEYS.map((key) => (
              <View
                key={key}
                className={`chip ${category === key ? 'is-active' : ''}`}
                onClick={() => setCategory(category === key ? undefined : key)}
              >
                {CATEGORY_LABELS[key]}
              </View>
            ))}
          </View>
        </Field>
        <Field label="您的需求" error={errors.text}>
          <Textarea
            className="field-textarea demand-new__text"
            value={text}
            maxlength={500}
            placeholder="如：小区门口晚上路灯不亮，老人出行不便"
            onInput={(e) => setText(e.detail.value)}
          />
        </Field>
      </View>

      <View className="card">
        <View className="card-title">在哪里（选填）</View>
        {chosen && (estates.data?.length ?? 0) > 0 ? (
          <Field label="小区">
            <View className="chips">
              {estates.data!.map((e) => (
                <View
                  key={e.id}
                  className={`chip ${estateId === e.id ? 'is-active' : ''}`}
                  onClick={() => setEstateId(estateId === e.id ? undefined : e.id)}
                >
                  {e.name}
                </View>
              ))}
            </View>
          </Field>
        ) : null}
        <Field label="详细地址" error={errors.address}>
          <Input
            className="field-input"
            value={address}
            maxlength={120}
            placeholder="如：3幢2单元 或 南门广场"
            onInput={(e) => setAddress(e.detail.value)}
          />
        </Field>
      </View>

      <View className="card">
        <View className="card-title">怎么联系您（选填）</View>
        <Field label="称呼" error={errors.contactName}>
          <Input
            className="field-input"
            value={contactName}
            maxlength={30}
            placeholder="如：王阿姨"
            onInput={(e) => setContactName(e.detail.value)}
          />
        </Field>
        <Field label="手机号" error={errors.contactPhone}>
          <Input
            className="field-input"
            type="number"
            value={contactPhone}
            maxlength={11}
            placeholder="社区工作人员只看到部分号码"
            onInput={(e) => setContactPhone(e.detail.value)}
          />
        </Field>
        {hasContact ? (
          <View className="demand-new__consent" data-testid="contact-consent" onClick={() => setConsent(!consent)}>
            <View className={`demand-new__check ${consent ? 'is-checked' : ''}`}>
              {consent ? <Icon name="check" color="#ffffff" size={28} /> : null}
            </View>
            <Text>我同意社区为处理这条点单使用以上联系方式联系我</Text>
          </View>
        ) : null}
        {errors.contactConsent ? <View className="field-error">{errors.contactConsent}</View> : null}
      </View>

      {errors.form ? <View className="field-error demand-new__error">{errors.form}</View> : null}
      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '提交中…' : '提交点单'}
      </View>
      <View className="muted demand-new__hint" onClick={() => Taro.navigateTo({ url: '/pages/my-demands/index' })}>
        查看我的点单 ›
      </View>
    </View>
  );
}
