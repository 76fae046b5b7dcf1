import { useState } from 'react';
import { View, Text, Input } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { ROLE_LABELS, type InviteCreateResponse, type InviteRole, type PartyOrgKind, type User } from '@pioneer/shared';
import Field from '@/components/Field';
import OrgPicker from '@/components/OrgPicker';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { listDistricts } from '@/services/directory';
import { errorMessage } from '@/services/http';
import { updateUser } from '@/services/session';
import { acceptInvite, createInvite } from '@/services/staff';
import { formatDateTime } from '@/utils/time';
import { landingFor } from '@/utils/routes';
import { invitableRoles } from '@/utils/roles';
import './index.scss';

const ORG_KIND: Partial<Record<InviteRole, PartyOrgKind>> = { secretary: 'community', unit_admin: 'unit', unit_liaison: 'unit' };

function Invite({ user }: { user: User }) {
  const roles = invitableRoles(user);
  const ownUnit = user.roles.find((g) => g.role === 'unit_admin')?.orgId ?? null;
  const onlyOwnUnit = roles.length === 1 && roles[0] === 'unit_liaison';
  const [role, setRole] = useState<InviteRole>(roles[0]);
  const [org, setOrg] = useState<{ id: string; name: string } | null>(null);
  const [invite, setInvite] = useState<InviteCreateResponse | null>(null);
  const [busy, setBusy] = useState(false);
  const districts = useRequest(listDistricts, [], role === 'district_admin');
  const kind = ORG_KIND[role];

  const submit = async () => {
    const orgId = role === 'city_admin' ? null : onlyOwnUnit ? ownUnit : (org?.id ?? null);
    if (role !== 'city_admin' && !orgId) return Taro.showToast({ title: '请选择组织', icon: 'none' });
    setBusy(true);
    try {
      setInvite(await createInvite(role, orgId));
    } catch (e) {
      Taro.showModal({ title: '生成未成功', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };

  return (
    <View className="card">
      <View className="card-title">邀请工作人员</View>
      <Field label="角色" required>
        <View className="chips">
          {roles.map((r) => (
            <View
              key={r}
              className={`chip ${role === r ? 'is-active' : ''}`}
              onClick={() => {
                setRole(r);
                setOrg(null);
                setInvite(null);
              }}
            >
              {ROLE_LABELS[r]}
            </View>
          ))}
        </View>
      </Field>
      {role === 'city_admin' || onlyOwnUnit ? null : role === 'district_admin' ? (
        <Field label="板块" required>
          <View className="chips">
            {(districts.data ?? []).map((d) => (
              <View key={d.id} className={`chip ${org?.id === d.id ? 'is-active' : ''}`} onClick={() => setOrg({ id: d.id, name: d.name })}>
                {d.name}
              </View>
            ))}
          </View>
        </Field>
      ) : kind ? (
        <Field label={kind === 'community' ? '社区党组织' : '单位党组织'} required>
          <OrgPicker
            kind={kind}
            value={org}
            placeholder={kind === 'community' ? '输入社区名称搜索' : '输入单位名称搜索'}
            onChange={(o) => setOrg(o)}
          />
        </Field>
      ) : null}
      <View className={`btn ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '生成中…' : '生成邀请码'}
      </View>
      {invite ? (
        <View className="invites__code" data-testid="invite-code">
          <Text className="muted">邀请码（一次有效，{formatDateTime(invite.expiresAt)}前使用）</Text>
          <Text className="invites__code-text">{invite.code}</Text>
          <View className="btn btn-plain btn-small" onClick={() => Taro.setClipboardData({ data: invite.code })}>
            复制邀请码
          </View>
          <View className="muted">请对方在“我的 → 输入邀请码”中填写。</View>
        </View>
      ) : null}
    </View>
  );
}

function Accept() {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!code.trim()) return Taro.showToast({ title: '请输入邀请码', icon: 'none' });
    setBusy(true);
    try {
      const user = await acceptInvite(code.trim());
      updateUser(user);
      Taro.showToast({ title: '已接受邀请', icon: 'success' });
      setTimeout(() => Taro.reLaunch({ url: landingFor(user) }), 600);
    } catch (e) {
      Taro.showModal({ title: '邀请码无效', content: errorMessage(e), showCancel: false });
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className="card">
      <View className="card-title">我有邀请码</View>
      <Input className="field-input" value={code} placeholder="输入收到的邀请码" onInput={(e) => setCode(e.detail.value)} />
      <View className={`btn btn-plain invites__accept ${busy ? 'is-disabled' : ''}`} onClick={() => !busy && submit()}>
        {busy ? '提交中…' : '接受邀请'}
      </View>
    </View>
  );
}

/** Invitations: staff who may invite make one-time codes; anyone signed in redeems one for a staff role. */
export default function Invites() {
  const { ready, user, error, retry } = useAuthReady();
  return (
    <View className="page invites">
      <StateView loading={!ready} error={error} onRetry={retry}>
        {user && invitableRoles(user).length ? <Invite user={user} /> : null}
        <Accept />
      </StateView>
    </View>
  );
}
