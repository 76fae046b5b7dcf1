import { useState } from 'react';
import { View, Text, Input, Textarea, Picker } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { AgreementCreateBodySchema } from '@pioneer/shared';
import Field from '@/components/Field';
import OrgPicker from '@/components/OrgPicker';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { errorMessage } from '@/services/http';
import { chinaDay, proposeAgreement, unitSides } from '@/services/units';
import { checkForm, type FormErrors } from '@/utils/units-form';
import '@/staff/units/index.scss';

/** 单位报到: a unit admin finds a community and proposes a 共建协议; its secretary confirms it. */
export default function AgreementNew() {
  const { ready, user, error, retry } = useAuthReady();
  const unitOrgId = unitSides(user).adminUnits[0];
  const [community, setCommunity] = useState<{ id: string; name: string } | null>(null);
  const [startsOn, setStartsOn] = useState(chinaDay());
  const [endsOn, setEndsOn] = useState(chinaDay(365));
  const [commitments, setCommitments] = useState('');
  const [contactName, setContactName] = useState('');
  const [contactPhone, setContactPhone] = useState('');
  const [errors, setErrors] = useState<FormErrors>({});
  const [busy, setBusy] = useState(false);

  if (!ready) return <StateView loading error={error} onRetry={retry} />;
  if (!unitOrgId) {
    return (
      <View className="page">
        <View className="card state-box">
          <View className="card-title">无权访问</View>
          <View className="muted">报到社区由单位党组织管理员提交</View>
        </View>
      </View>
    );
  }

  const submit = async () => {
    const checked = checkForm(
      AgreementCreateBodySchema,
      { unitOrgId, communityOrgId: community?.id ?? '', startsOn, endsOn, commitments, contactName, contactPhone },
      {
        communityOrgId: '请选择要报到的社区',
        commitments: '请填写共建承诺（至少 2 个字）',
        contactName: '请填写联系人姓名',
        contactPhone: '请输入正确的手机号',
      },
    );
    if (!checked.ok) {
      setErrors(checked.errors);
      return Taro.showToast({ title: checked.first, icon: 'none' });
    }
    setBusy(true);
    try {
      await proposeAgreement(checked.body);
      Taro.showToast({ title: '已提交，待社区确认', icon: 'none' });
      setTimeout(() => Taro.navigateBack(), 600);
    } catch (e) {
      Taro.showModal({ title: '提交未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="page agreement-new">
      <View className="card">
        <Field label="报到社区" required error={errors.communityOrgId}>
          <OrgPicker
            kind="community"
            value={community}
            placeholder="输入社区名称搜索"
            onChange={(org) => {
              setCommunity({ id: org.id, name: org.name });
              setErrors((e) => ({ ...e, communityOrgId: undefined }));
            }}
          />
        </Field>
        <View className="units__dates">
          <Field label="协议开始">
            <Picker mode="date" value={startsOn} onChange={(e) => setStartsOn(String(e.detail.value))}>
              <View className="field-input">{startsOn}</View>
            </Picker>
          </Field>
          <Field label="协议结束" error={errors.endsOn}>
            <Picker mode="date" value={endsOn} onChange={(e) => setEndsOn(String(e.detail.value))}>
              <View className="field-input">{endsOn}</View>
            </Picker>
          </Field>
        </View>
        <Field label="共建承诺" required error={errors.commitments}>
          <Textarea
            className="field-textarea agreement-new__commitments"
            value={commitments}
            maxlength={2000}
            placeholder="如：每月组织党员进社区服务不少于 2 次，开放单位会议室供社区使用"
            onInput={(e) => setCommitments(e.detail.value)}
          />
        </Field>
      </View>
      <View className="card">
        <Field label="联系人" required error={errors.contactName}>
          <Input
            className="field-input agreement-new__contact"
            value={contactName}
            maxlength={20}
            placeholder="单位联系人姓名"
            onInput={(e) => setContactName(e.detail.value)}
          />
        </Field>
        <Field label="联系电话" required error={errors.contactPhone}>
          <Input
            className="field-input agreement-new__phone"
            type="number"
            value={contactPhone}
            maxlength={11}
            placeholder="11 位手机号，社区看到的是隐去中间四位的号码"
            onInput={(e) => setContactPhone(e.detail.value)}
          />
        </Field>
        <Text className="muted">提交后由社区书记或板块管理员确认，确认后即为“已报到”。</Text>
      </View>
      <View className={`btn agreement-new__submit ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '提交中…' : '提交报到申请'}
      </View>
    </View>
  );
}
