import { useEffect, useState } from 'react';
import { View, Text } from '@tarojs/components';
import Taro, { useDidShow } from '@tarojs/taro';
import { CATEGORY_LABELS, ROLE_LABELS, STAR_LABELS, formatMinutes, type RoleGrant } from '@pioneer/shared';
import BottomNav from '@/components/BottomNav';
import Icon from '@/components/Icon';
import StandingCard from '@/components/StandingCard';
import StateView from '@/components/StateView';
import { useAuthReady } from '@/hooks/use-auth-ready';
import { useRequest } from '@/hooks/use-request';
import { useUnread } from '@/hooks/use-unread';
import { fetchMe, logOut } from '@/services/auth';
import { IS_H5 } from '@/services/config';
import { getPartyOrg, listDistricts } from '@/services/directory';
import { getMyMember, getMyRecords } from '@/services/members';
import { getMyStanding } from '@/services/waitlist';
import { isAdmin, isSecretary, updateUser } from '@/services/session';
import { raiserScopes, unitOrgIds } from '@/services/whistles';
import { CLAIM_STATUS_LABELS } from '@/utils/grab';
import { formatRange, maskPhone } from '@/utils/time';
import { ROUTES } from '@/utils/routes';
import { invitableRoles } from '@/utils/roles';
import './index.scss';

function go(url: string) {
  Taro.navigateTo({ url });
}

/** The names of the orgs the user's roles are in (districts and party orgs), for the profile. */
function useOrgNames(roles: RoleGrant[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = roles.map((g) => `${g.role}:${g.orgId}`).join(',');
  useEffect(() => {
    let live = true;
    const districtIds = roles.filter((g) => g.role === 'district_admin' && g.orgId).map((g) => g.orgId!);
    const orgIds = roles.filter((g) => g.role !== 'district_admin' && g.orgId).map((g) => g.orgId!);
    Promise.all([
      districtIds.length ? listDistricts().catch(() => []) : Promise.resolve([]),
      Promise.all(orgIds.map((id) => getPartyOrg(id).catch(() => null))),
    ]).then(([districts, orgs]) => {
      if (!live) return;
      const out: Record<string, string> = {};
      districts.forEach((d) => (out[d.id] = d.name));
      orgs.forEach((o) => o && (out[o.id] = o.name));
      setNames(out);
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return names;
}

export default function Mine() {
  const { ready, user } = useAuthReady();
  const registered = Boolean(user?.memberId);
  const member = useRequest(getMyMember, [user?.memberId], ready && registered);
  const records = useRequest(getMyRecords, [user?.memberId], ready && registered);
  const standing = useRequest(getMyStanding, [user?.memberId], ready && registered);

  useDidShow(() => {
    if (!ready) return;
    // Roles can change after an invite is accepted elsewhere; refresh quietly.
    fetchMe()
      .then((me) => updateUser(me.user))
      .catch(() => undefined);
    if (registered) records.reload();
  });

  const unread = useUnread(ready);
  const m = member.data;
  const roles = (user?.roles ?? []).filter((g) => g.role !== 'member');
  const staff = isSecretary(user) || isAdmin(user);
  // 服务次数 counts service done (signed out), not sign-ups.
  const served = records.data?.items.filter((r) => r.claim.status === 'completed').length;
  const title = m?.name ?? (registered ? '…' : staff ? ROLE_LABELS[roles[0].role] : '未报到');
  const subtitle = m ? `${maskPhone(m.phone)} · ${m.community.name}` : staff ? '工作人员' : '找到所在社区完成报到后即可参与服务';
  const orgNames = useOrgNames(roles);

  return (
    <View className="page mine">
      <View className="mine__head">
        <View className="mine__avatar">{m?.name?.slice(-2) ?? <Icon name="user" color="#ffffff" size={64} />}</View>
        <View>
          <View className="mine__name">{title}</View>
          <View className="mine__sub">{subtitle}</View>
          <View className="mine__roles">
            {registered ? <Text className="mine__role">{ROLE_LABELS.member}</Text> : null}
            {roles.map((g) => (
              <Text key={`${g.role}-${g.orgId}`} className="mine__role" data-testid="staff-role">
                {ROLE_LABELS[g.role]}
                {g.orgId ? ` · ${orgNames[g.orgId] ?? '…'}` : g.role === 'city_admin' ? ' · 全市' : ''}
              </Text>
            ))}
          </View>
        </View>
      </View>

      {!registered && !staff ? (
        <View className="card">
          <View className="card-title">还未报到</View>
          <View className="muted">扫描社区张贴的报到二维码，或按名称查找社区，完成报到后即可抢岗位、领取先锋码。</View>
          <View className="btn" style={{ marginTop: '24px' }} onClick={() => go(ROUTES.findCommunity)}>
            查找社区去报到
          </View>
        </View>
      ) : null}

      {registered ? (
        <>
          <StandingCard standing={standing.data ?? null} />
          <View className="card mine__totals">
            <View className="mine__total">
              <Text className="mine__total-num" data-testid="mine-served">
                {served ?? '-'}
              </Text>
              <Text className="muted">服务次数</Text>
            </View>
            <View className="mine__total">
              <Text className="mine__total-num">{records.data ? formatMinutes(records.data.totals.minutes) : '-'}</Text>
              <Text className="muted">服务时长</Text>
            </View>
          </View>

          <View className="card mine__menu">
            <View className="card-title">服务记录与证明</View>
            <View className="mine__menu-item" onClick={() => go(ROUTES.service)} data-testid="mine-service">
              我的服务
              <Text className="muted">
                {records.data?.totals.star
                  ? `${STAR_LABELS[records.data.totals.star.level]} · ${formatMinutes(records.data.totals.minutes)} ›`
                  : '›'}
              </Text>
            </View>
            <View className="mine__menu-item" onClick={() => go(ROUTES.certificates)}>
              我的证明
              <Icon name="chevron" color="#bfbfbf" size={28} />
            </View>
            <View className="mine__menu-item" onClick={() => go(ROUTES.points)}>
              积分与爱心超市
              <Icon name="chevron" color="#bfbfbf" size={28} />
            </View>
          </View>

          {m ? (
            <View className="card">
              <View className="row between">
                <View className="card-title">报到信息</View>
                <Text className="accent" onClick={() => go(ROUTES.register)}>
                  修改
                </Text>
              </View>
              <View className="mine__kv">
                <Text className="muted">组织关系</Text>
                <Text>{m.unitOrg.name}</Text>
              </View>
              <View className="mine__kv">
                <Text className="muted">工作单位</Text>
                <Text>{m.workUnit}</Text>
              </View>
              <View className="mine__kv">
                <Text className="muted">居住地址</Text>
                <Text>{`${m.estate.name} ${m.building}-${m.unitNo}-${m.room}`}</Text>
              </View>
              <View className="mine__kv">
                <Text className="muted">服务意向</Text>
                <Text>{m.intentions.map((k) => CATEGORY_LABELS[k]).join('、')}</Text>
              </View>
            </View>
          ) : null}

          <View className="card">
            <View className="card-title">服务记录</View>
            <StateView
              loading={records.loading && !records.data}
              error={records.error}
              onRetry={records.reload}
              empty={records.data?.items.length === 0}
              emptyText="还没有服务记录，去首页抢个岗位吧"
            >
              {records.data?.items.map(({ task, claim }) => (
                <View key={claim.id} className="mine__record" onClick={() => go(`${ROUTES.taskDetail}?id=${task.id}`)}>
                  <View className="row between">
                    <Text className="mine__record-title">{task.title}</Text>
                    <Text className={`mine__status mine__status--${claim.status}`}>{CLAIM_STATUS_LABELS[claim.status]}</Text>
                  </View>
                  <View className="muted">
                    {formatRange(task.startsAt, task.endsAt)}
                    {claim.minutes ? ` · ${formatMinutes(claim.minutes)}` : ''}
                  </View>
                </View>
              ))}
            </StateView>
          </View>
        </>
      ) : null}

      {ready ? (
        <View className="card mine__menu">
          <View className="card-title">消息与提醒</View>
          <View className="mine__menu-item" onClick={() => go('/pages/messages/index')}>
            消息
            <Text className={unread > 0 ? 'accent' : 'muted'}>{unread > 0 ? `${unread}条未读 ›` : '›'}</Text>
          </View>
          {/* WeChat delivers reminders; H5 shows the message center only. */}
          {registered && !IS_H5 ? (
            <>
              <View className="mine__menu-item" onClick={() => go('/pages/notify-settings/index')}>
                提醒设置<Text className="muted">›</Text>
              </View>
              <View className="mine__menu-item" onClick={() => go('/pages/notify-settings/index')}>
                添加到日历<Text className="muted">›</Text>
              </View>
            </>
          ) : null}
        </View>
      ) : null}

      {isSecretary(user) || isAdmin(user) ? (
        <View className="card mine__menu">
          <View className="card-title">社区工作</View>
          {isSecretary(user) ? (
            <>
              <View className="mine__menu-item" onClick={() => go(ROUTES.publish)}>
                发布岗位
                <Icon name="chevron" color="#bfbfbf" size={28} />
              </View>
              <View className="mine__menu-item" onClick={() => go(ROUTES.manage)}>
                岗位管理
                <Icon name="chevron" color="#bfbfbf" size={28} />
              </View>
              <View className="mine__menu-item" onClick={() => go(ROUTES.verify)}>
                扫码核验
                <Icon name="chevron" color="#bfbfbf" size={28} />
              </View>
              <View className="mine__menu-item" onClick={() => go(ROUTES.communityQr)}>
                社区报到二维码
                <Icon name="chevron" color="#bfbfbf" size={28} />
              </View>
              <View className="mine__menu-item" onClick={() => go('/staff/registry/index')}>
                业主信息库
                <Icon name="chevron" color="#bfbfbf" size={28} />
              </View>
            </>
          ) : null}
          <View className="mine__menu-item" onClick={() => go(ROUTES.dashboard)}>
            数据看板
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
          {user?.roles.some((g) => g.role === 'city_admin') ? (
            <View className="mine__menu-item" onClick={() => go('/staff/directory-import/index')}>
              目录导入
              <Icon name="chevron" color="#bfbfbf" size={28} />
            </View>
          ) : null}
        </View>
      ) : null}

      {user ? (
        <View className="card mine__menu">
          <View className="mine__menu-item" onClick={() => go(ROUTES.invites)}>
            {invitableRoles(user).length ? '邀请人员 · 输入邀请码' : '输入邀请码'}
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
        </View>
      ) : null}

      {registered ? (
        <View className="card mine__menu">
          <View className="mine__menu-item" onClick={() => go('/pages/my-data/index')}>
            我的数据与注销
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
        </View>
      ) : null}

      <View className="card mine__menu">
        <View className="card-title">吹哨报到 · 居民点单</View>
        {raiserScopes(user).length ? (
          <View className="mine__menu-item" onClick={() => go('/pages/whistles/index')}>
            吹哨报到
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
        ) : null}
        {unitOrgIds(user).length ? (
          <View className="mine__menu-item" onClick={() => go('/pages/whistle-inbox/index')}>
            吹哨待办
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
        ) : null}
        {raiserScopes(user).length || unitOrgIds(user).length ? (
          <View className="mine__menu-item" onClick={() => go(ROUTES.meetings)}>
            共商共办{unitOrgIds(user).length ? ' · 我的任务' : ''}
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
        ) : null}
        {m ? (
          <View className="mine__menu-item" onClick={() => go(`${ROUTES.communityProgress}?id=${m.community.id}`)}>
            社区议事进展
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
        ) : null}
        {isSecretary(user) ? (
          <View className="mine__menu-item" onClick={() => go('/pages/demands/index')}>
            居民点单
            <Icon name="chevron" color="#bfbfbf" size={28} />
          </View>
        ) : null}
        <View className="mine__menu-item" onClick={() => go('/pages/demand-new/index')}>
          我要点单
          <Icon name="chevron" color="#bfbfbf" size={28} />
        </View>
        <View className="mine__menu-item" onClick={() => go('/pages/my-demands/index')}>
          我的点单
          <Icon name="chevron" color="#bfbfbf" size={28} />
        </View>
      </View>

      {IS_H5 ? (
        <View className="btn btn-gray" onClick={() => void logOut()}>
          退出登录
        </View>
      ) : null}
      <BottomNav current="mine" />
    </View>
  );
}
