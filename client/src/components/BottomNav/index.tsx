import { View, Text } from '@tarojs/components';
import Taro from '@tarojs/taro';
import type { User } from '@pioneer/shared';
import Icon, { type IconName } from '@/components/Icon';
import { useSession } from '@/hooks/use-session';
import { useUnread } from '@/hooks/use-unread';
import { actsForUnit, isAdmin, isLiaisonOnly, isSecretary } from '@/services/session';
import { ROUTES } from '@/utils/routes';
import './index.scss';

export type NavKey = 'home' | 'code' | 'manage' | 'verify' | 'dashboard' | 'whistles' | 'messages' | 'mine';

export interface NavItem {
  key: NavKey;
  label: string;
  icon: IconName;
  url: string;
}

const ACTIVE = '#c8161d';
const IDLE = '#8c8c8c';

/**
 * Built per user, because WeChat's native tabBar cannot change with roles: a secretary's work
 * (岗位管理, 扫码核验) or an admin's 数据看板 first; 首页 and 先锋码 for members (首页 also for a
 * visitor who has yet to register: it leads to registration); 我的 for everyone.
 */
export function navItemsFor(user: User | null): NavItem[] {
  const items: NavItem[] = [];
  const member = Boolean(user?.memberId);
  const secretary = isSecretary(user);
  const admin = isAdmin(user);
  if (secretary) {
    items.push({ key: 'manage', label: '岗位管理', icon: 'list', url: ROUTES.manage });
    items.push({ key: 'verify', label: '扫码核验', icon: 'scan', url: ROUTES.verify });
  } else if (admin) {
    items.push({ key: 'dashboard', label: '数据看板', icon: 'chart', url: ROUTES.dashboard });
  }
  // Unit liaisons and unit admins: the whistles addressed to their unit.
  if (actsForUnit(user)) items.push({ key: 'whistles', label: '吹哨', icon: 'whistle', url: ROUTES.whistleInbox });
  const liaison = isLiaisonOnly(user);
  if (member || (!secretary && !admin && !liaison)) items.push({ key: 'home', label: '首页', icon: 'home', url: ROUTES.home });
  if (member) items.push({ key: 'code', label: '先锋码', icon: 'qrcode', url: ROUTES.pioneerCode });
  if (user) items.push({ key: 'messages', label: '消息', icon: 'bell', url: ROUTES.messages });
  items.push({ key: 'mine', label: '我的', icon: 'user', url: ROUTES.mine });
  return items;
}

export function switchTab(url: string) {
  return Taro.redirectTo({ url }).catch(() => {
    Taro.showToast({ title: '页面打开失败，请检查网络后重试', icon: 'none' });
  });
}

export default function BottomNav({ current }: { current: NavKey }) {
  const { user } = useSession();
  const items = navItemsFor(user);
  const unread = useUnread(Boolean(user));
  return (
    <View className="bottom-nav" role="navigation">
      {items.map((item) => (
        <View
          key={item.key}
          className={`bottom-nav__item ${item.key === current ? 'is-active' : ''}`}
          data-testid={`nav-${item.key}`}
          onClick={() => {
            if (item.key !== current) switchTab(item.url);
          }}
        >
          <Icon name={item.icon} color={item.key === current ? ACTIVE : IDLE} size={44} />
          {item.key === 'messages' && unread > 0 ? (
            <Text className="bottom-nav__badge" aria-label={`${unread}条未读消息`}>
              {unread > 99 ? '99+' : unread}
            </Text>
          ) : null}
          <Text className="bottom-nav__label">{item.label}</Text>
        </View>
      ))}
    </View>
  );
}
