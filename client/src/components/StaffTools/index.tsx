import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { User } from '@pioneer/shared';
import Icon, { type IconName } from '@/components/Icon';
import { ROUTES } from '@/utils/routes';
import './index.scss';

interface Tool {
  key: string;
  label: string;
  icon: IconName;
  url: string;
}

/**
 * The admin's functions one tap from its landing (数据看板): every role's API has a screen within
 * three taps. Built per role, as the server's guards decide.
 */
export function toolsFor(user: User | null): Tool[] {
  const has = (role: string) => Boolean(user?.roles.some((g) => g.role === role));
  const tools: Tool[] = [];
  if (has('city_admin')) {
    tools.push({ key: 'indicators', label: '指标管理', icon: 'list', url: ROUTES.indicators });
    tools.push({ key: 'directory', label: '目录导入', icon: 'building', url: '/staff/directory-import/index' });
    tools.push({ key: 'points-rules', label: '积分规则', icon: 'star', url: ROUTES.pointsRules });
  }
  if (has('district_admin')) tools.push({ key: 'scores', label: '人工评分', icon: 'edit', url: ROUTES.manualScores });
  if (has('city_admin') || has('district_admin')) {
    tools.push({ key: 'ranking', label: '先锋指数', icon: 'chart', url: '/staff/index-ranking/index' });
    tools.push({ key: 'whistles', label: '吹哨报到', icon: 'megaphone', url: ROUTES.whistles });
    // The server lets them read any post's 候补 queue in their scope: two taps to one.
    tools.push({ key: 'waitlist', label: '候补队列', icon: 'users', url: ROUTES.waitlistQueue });
  }
  if (has('city_admin') || has('district_admin') || has('unit_admin') || has('unit_liaison')) {
    tools.push({ key: 'units', label: '组织报到', icon: 'building', url: ROUTES.units });
  }
  if (has('city_admin') || has('district_admin')) {
    tools.push({ key: 'unit-board', label: '单位报到成效', icon: 'chart', url: ROUTES.unitBoard });
  }
  if (has('city_admin') || has('district_admin') || has('unit_admin')) {
    tools.push({ key: 'invites', label: '邀请人员', icon: 'users', url: ROUTES.invites });
  }
  return tools;
}

export default function StaffTools({ user }: { user: User | null }) {
  const tools = toolsFor(user);
  if (tools.length === 0) return null;
  return (
    <View className="staff-tools" data-testid="staff-tools">
      {tools.map((t) => (
        <View key={t.key} className="staff-tools__item" onClick={() => Taro.navigateTo({ url: t.url })}>
          <Icon name={t.icon} color="#c8161d" size={48} />
          <Text>{t.label}</Text>
        </View>
      ))}
    </View>
  );
}
