import { useState } from 'react';
import { View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import type { MemberUpsertBody } from '@pioneer/shared';
import RegisterForm, { registerDraftKey } from '@/components/RegisterForm';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { listEstates, resolveRegisterCode } from '@/services/directory';
import { clearDraft } from '@/services/drafts';
import { errorMessage } from '@/services/http';
import { getMyMember, saveMyMember } from '@/services/members';
import { registerCodeFromParams } from '@/utils/register-form';
import { ROUTES } from '@/utils/routes';
import './index.scss';

export default function Register() {
  const params = useRouter().params;
  const code = registerCodeFromParams(params);
  // Reached from 查找社区: the community picked by name (the server checks it on submit).
  const picked = params.community && params.name ? { id: params.community, name: decodeURIComponent(params.name) } : null;
  const { ready, user } = useAuthReady();
  const [submitting, setSubmitting] = useState(false);

  const setup = useRequest(
    async () => {
      const member = user?.memberId ? await getMyMember().catch(() => null) : null;
      if (code) {
        const resolved = await resolveRegisterCode(code);
        return { community: resolved.community, estates: resolved.estates, member };
      }
      if (picked) return { community: picked, estates: await listEstates(picked.id), member };
      if (member) {
        return { community: member.community, estates: await listEstates(member.community.id), member };
      }
      return null;
    },
    [code, picked?.id, user?.memberId],
    ready,
  );

  const submit = async (body: MemberUpsertBody) => {
    setSubmitting(true);
    try {
      await saveMyMember(body);
      clearDraft(registerDraftKey(body.communityOrgId));
      Taro.showToast({ title: '报到成功', icon: 'success' });
      setTimeout(() => Taro.redirectTo({ url: ROUTES.pioneerCode }), 600);
    } catch (err) {
      Taro.showModal({ title: '提交未成功', content: errorMessage(err), showCancel: false });
    } finally {
      setSubmitting(false);
    }
  };

  const data = setup.data;
  const member = data?.member;
  // Moving to another community keeps the person's details but not the old estate.
  const sameCommunity = member && data && member.community.id === data.community.id;

  return (
    <View className="page register">
      <View className="register__intro">
        <View className="register__title">在职党员到社区报到</View>
        <View className="register__sub">亮身份 · 做表率 · 服务群众</View>
      </View>
      <StateView loading={!ready || setup.loading} error={setup.error} onRetry={setup.retryable ? setup.reload : undefined}>
        {data ? (
          <RegisterForm
            key={data.community.id}
            community={data.community}
            estates={data.estates}
            submitting={submitting}
            submitLabel={member ? '保存并查看先锋码' : '生成先锋码'}
            draftKey={registerDraftKey(data.community.id)}
            initial={
              member
                ? {
                    name: member.name,
                    phone: member.phone,
                    unitOrgId: member.unitOrg.id,
                    unitOrgName: member.unitOrg.name,
                    workUnit: member.workUnit,
                    estateId: sameCommunity ? member.estate.id : '',
                    building: sameCommunity ? member.building : '',
                    unitNo: sameCommunity ? member.unitNo : '',
                    room: sameCommunity ? member.room : '',
                    intentions: member.intentions,
                  }
                : undefined
            }
            onSubmit={submit}
          />
        ) : (
          <View className="card state-box">
            <View className="card-title">请先找到您居住的社区</View>
            <View className="muted">扫描社区张贴的报到二维码，或按名称查找社区</View>
            <View className="btn state-box__btn" onClick={() => Taro.redirectTo({ url: ROUTES.findCommunity })}>
              查找社区
            </View>
          </View>
        )}
      </StateView>
    </View>
  );
}
