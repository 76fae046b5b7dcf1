import type { Role, User } from '@pioneer/shared';
import { navItemsFor } from '@/components/BottomNav';
import { devName } from '@/pages/login';
import { landingFor, ROUTES } from '@/utils/routes';

const ORG = '11111111-1111-4111-8111-111111111111';

function user(roles: Role[], memberId: string | null = null): User {
  return {
    id: '99999999-9999-4999-8999-999999999999',
    memberId,
    roles: roles.map((role) => ({ role, orgId: role === 'city_admin' ? null : ORG })),
  } as User;
}

const labels = (u: User | null) => navItemsFor(u).map((i) => i.label);

describe('role-aware landing', () => {
  it('sends members and visitors to 首页, secretaries to 岗位管理, admins to 数据看板', () => {
    expect(landingFor(user([], 'm1'))).toBe(ROUTES.home);
    expect(landingFor(user([]))).toBe(ROUTES.home);
    expect(landingFor(user(['secretary']))).toBe(ROUTES.manage);
    expect(landingFor(user(['secretary'], 'm1'))).toBe(ROUTES.manage);
    for (const role of ['city_admin', 'district_admin', 'unit_admin'] as Role[]) expect(landingFor(user([role]))).toBe(ROUTES.dashboard);
    expect(landingFor(null)).toBe(ROUTES.home);
    // A 红色代办员's whole job is the whistle inbox.
    expect(landingFor(user(['unit_liaison']))).toBe(ROUTES.whistleInbox);
    expect(landingFor(user(['unit_liaison'], 'm1'))).toBe(ROUTES.whistleInbox);
  });

  it('keeps staff pages in the staff subpackage and member pages in the main package', () => {
    for (const page of [
      ROUTES.manage,
      ROUTES.verify,
      ROUTES.publish,
      ROUTES.claimants,
      ROUTES.communityQr,
      ROUTES.dashboard,
      ROUTES.meetings,
      ROUTES.corrections,
      ROUTES.certificateSettings,
      ROUTES.rewards,
      ROUTES.pointsRules,
    ]) {
      expect(page.startsWith('/staff/')).toBe(true);
    }
    for (const page of [
      ROUTES.home,
      ROUTES.pioneerCode,
      ROUTES.register,
      ROUTES.scanned,
      ROUTES.notFound,
      ROUTES.findCommunity,
      ROUTES.communityProgress,
      ROUTES.service,
      ROUTES.record,
      ROUTES.correctionNew,
      ROUTES.certificates,
      ROUTES.points,
    ]) {
      expect(page.startsWith('/pages/')).toBe(true);
    }
  });
});

describe('tabs per role', () => {
  it('gives a member 首页, 先锋码 and 我的', () => {
    expect(labels(user([], 'm1'))).toEqual(['首页', '先锋码', '消息', '我的']);
  });

  it('gives a visitor who has not registered 首页 (which leads to registration) and 我的, but no 先锋码', () => {
    expect(labels(user([]))).toEqual(['首页', '消息', '我的']);
    expect(labels(null)).toEqual(['首页', '我的']);
  });

  it('puts a secretary on 岗位管理 with 扫码核验 one tap away, without member tabs', () => {
    expect(labels(user(['secretary']))).toEqual(['岗位管理', '扫码核验', '消息', '我的']);
  });

  it('gives admins the 数据看板, never the 先锋码; unit admins a 吹哨 tab too', () => {
    for (const role of ['city_admin', 'district_admin'] as Role[]) {
      expect(labels(user([role]))).toEqual(['数据看板', '消息', '我的']);
    }
    expect(labels(user(['unit_admin']))).toEqual(['数据看板', '吹哨', '消息', '我的']);
  });

  it('gives a 红色代办员 its 吹哨 inbox as the first tab, and no 首页 unless it is a member', () => {
    expect(labels(user(['unit_liaison']))).toEqual(['吹哨', '消息', '我的']);
    expect(labels(user(['unit_liaison'], 'm1'))).toEqual(['吹哨', '首页', '先锋码', '消息', '我的']);
  });

  it('adds the member tabs to staff who are also registered members', () => {
    expect(labels(user(['secretary'], 'm1'))).toEqual(['岗位管理', '扫码核验', '首页', '先锋码', '消息', '我的']);
    expect(labels(user(['district_admin'], 'm1'))).toEqual(['数据看板', '首页', '先锋码', '消息', '我的']);
  });
});

describe('development sign-in', () => {
  it('takes the login code as the README writes it, or the bare name', () => {
    expect(devName('dev:admin')).toBe('admin');
    expect(devName(' DEV：secretary ')).toBe('secretary');
    expect(devName('member1')).toBe('member1');
  });
});
