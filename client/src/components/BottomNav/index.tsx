import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useSession } from '../../hooks/use-session';
import { isAdmin, isSecretary } from '../../services/session';
import type { User } from '@pioneer/shared';
import './index.scss';

export type NavKey = 'home' | 'code' | 'manage' | 'verify' | 'dashboard' | 'mine';

interface NavItem {
  key: NavKey;
  label: string;
  icon: string;
  url: string;
}

/** Built per user, because WeChat's native tabBar cannot change with roles. */
export function navItemsFor(user: User | null): NavItem[] {
  const items: NavItem[] = [{ key: 'home', label: '首页', icon: '⌂', url: '/pages/index/index' }];
  if (!user || user.memberId || !isSecretary(user)) {
    items.push({ key: 'code', label: '先锋码', icon: '▣', url: '/pages/pioneer-code/index' });
  }
  if (isSecretary(user)) {
    items.push({ key: 'manage', label: '岗位管理', icon: '☰', url: '/pages/manage/index' });
    items.push({ key: 'verify', label: '扫码核验', icon: '◎', url: '/pages/verify/index' });
  } else if (isAdmin(user)) {
    items.push({ key: 'dashboard', label: '数据看板', icon: '▤', url: '/pages/dashboard/index' });
  }
  items.push({ key: 'mine', label: '我的', icon: '◉', url: '/pages/mine/index' });
  return items;
}

export default function BottomNav({ current }: { current: NavKey }) {
  const { user } = useSession();
  const items = navItemsFor(user);
  return (
    <View className="bottom-nav">
      {items.map((item) => (
        <View
          key={item.key}
          className={`bottom-nav__item ${item.key === current ? 'is-active' : ''}`}
          onClick={() => {
            if (item.key !== current) Taro.redirectTo({ url: item.url });
          }}
        >
          <Text className="bottom-nav__icon">{item.icon}</Text>
          <Text className="bottom-nav__label">{item.label}</Text>
        </View>
      ))}
    </View>
  );
}
