import { useState } from 'react';
import { View, Textarea } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { CATEGORY_KEYS, CATEGORY_LABELS, DemandCreateBodySchema, type Category } from '@pioneer/shared';
import Field from '@/components/Field';
import OrgPicker from '@/components/OrgPicker';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { errorMessage } from '@/services/http';
import { getMyMember } from '@/services/members';
import { sendDemand } from '@/services/demands';
import './index.scss';

/** 我要点单: any signed-in resident tells its community what it needs. */
export default function DemandNew() {
  const { ready, user } = useAuthReady();
  const member = useRequest(getMyMember, [user?.memberId], ready && Boolean(user?.memberId));
  const [community, setCommunity] = useState<{ id: string; name: string } | null>(null);
  const [text, setText] = useState('');
  const [category, setCategory] = useState<Category | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = community ?? (member.data ? { id: member.data.community.id, name: member.data.community.name } : null);

  const submit = async () => {
    setError(null);
    const parsed = DemandCreateBodySchema.safeParse({ communityOrgId: chosen?.id, text, category });
    if (!parsed.success) {
      setError(!chosen ? '请选择社区' : '请用 2–500 字描述您的需求');
      return;
    }
    setBusy(true);
    try {
      await sendDemand(parsed.data);
      Taro.showToast({ title: '已提交', icon: 'success' });
      setTimeout(() => Taro.redirectTo({ url: '/pages/my-demands/index' }), 500);
    } catch (e) {
      setError(errorMessage(e));
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
        <Field label="向哪个社区点单">
          <OrgPicker
            kind="community"
            value={chosen}
            placeholder="搜索社区"
            onChange={(org) => setCommunity({ id: org.id, name: org.name })}
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
        <Field label="您的需求" error={error ?? undefined}>
          <Textarea
            className="field-textarea demand-new__text"
            value={text}
            maxlength={500}
            placeholder="如：小区门口晚上路灯不亮，老人出行不便"
            onInput={(e) => setText(e.detail.value)}
          />
        </Field>
      </View>
      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '提交中…' : '提交点单'}
      </View>
      <View className="muted demand-new__hint" onClick={() => Taro.navigateTo({ url: '/pages/my-demands/index' })}>
        查看我的点单 ›
      </View>
    </View>
  );
}
