import './h5-env';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { Indicator, Role, User } from '@pioneer/shared';
import { toolsFor } from '@/components/StaffTools';
import Indicators from '@/staff/indicators';
import { saveSession, clearSession } from '@/services/session';
import { describeScoring, formatMetric } from '@/utils/index-explain';
import { editBody, formFromTask } from '@/utils/publish-form';
import { invitableRoles } from '@/utils/roles';
import { ROUTES } from '@/utils/routes';
import { fullTask } from './task-fixture';

const mockRequest = Taro.request as unknown as jest.Mock;
const ORG = '11111111-1111-4111-8111-111111111111';
const user = (roles: Role[]): User =>
  ({
    id: '99999999-9999-4999-8999-999999999999',
    memberId: null,
    roles: roles.map((role) => ({ role, orgId: role === 'city_admin' ? null : ORG })),
  }) as User;

describe('every admin function one tap from the 数据看板', () => {
  it('offers each role its own tools', () => {
    const urls = (roles: Role[]) => toolsFor(user(roles)).map((t) => t.url);
    expect(urls(['city_admin'])).toEqual(expect.arrayContaining([ROUTES.indicators, ROUTES.invites]));
    expect(urls(['district_admin'])).toEqual(expect.arrayContaining([ROUTES.manualScores, ROUTES.invites]));
    expect(urls(['district_admin'])).not.toContain(ROUTES.indicators);
    expect(urls(['unit_admin'])).toEqual([ROUTES.units, ROUTES.invites]);
    expect(urls(['unit_liaison'])).toEqual([ROUTES.units]);
    expect(urls(['district_admin'])).toEqual(expect.arrayContaining([ROUTES.units, ROUTES.unitBoard]));
    expect(urls(['secretary'])).toEqual([]);
  });

  it('lets each role invite only whom the server lets it', () => {
    expect(invitableRoles(user(['city_admin']))).toContain('district_admin');
    expect(invitableRoles(user(['district_admin']))).toEqual(['secretary', 'unit_admin', 'unit_liaison']);
    expect(invitableRoles(user(['unit_admin']))).toEqual(['unit_liaison']);
    expect(invitableRoles(user(['unit_liaison']))).toEqual([]);
  });
});

describe('先锋指数 explanation reads like a person wrote it', () => {
  it('gives values with units and %, and the 计分方法 in words', () => {
    expect(formatMetric('fill_rate', 0.2222)).toBe('22.2%');
    expect(formatMetric('median_minutes_to_full', 1.4)).toBe('1.4 分钟');
    expect(formatMetric('posts_per_month', 3)).toBe('3 个/月');
    expect(formatMetric('coverage', null)).toBe('无数据');
    const fill: Indicator = {
      key: 'fill',
      name: '岗位满员率',
      guidance: '',
      method: 'auto',
      metric: 'fill_rate',
      weight: 2,
      maxScore: 10,
      fullAt: 0.9,
      zeroAt: 0.3,
      admitted: true,
    };
    expect(describeScoring(fill)).toBe('岗位满员率达到 90% 得满分 10 分，不高于 30% 得 0 分，其间按比例计分，计入总分时乘以权重 2。');
    const slow: Indicator = { ...fill, metric: 'median_minutes_to_full', fullAt: 5, zeroAt: 120, weight: 1 };
    expect(describeScoring(slow)).toBe('满员中位用时不高于 5 分钟 得满分 10 分，达到 120 分钟 得 0 分，其间按比例计分。');
    expect(describeScoring({ ...fill, method: 'manual', metric: undefined })).toMatch(/板块管理员每月评 0–10 分并写明依据/);
  });
});

describe('editing a published post', () => {
  it('sends only what changed, in Beijing time', () => {
    const task = fullTask(Date.parse('2026-03-05T09:00:00+08:00'));
    const before = formFromTask(task);
    expect(editBody(before, before)).toBeNull();
    const after = { ...before, title: '新的标题', start: '10:30' };
    expect(editBody(before, after)).toEqual({ title: '新的标题', startsAt: `${before.date}T10:30:00+08:00` });
  });
});

describe('指标管理 (city admin)', () => {
  beforeEach(() => {
    mockRequest.mockReset();
    clearSession();
  });

  it('shows the catalogue with its 计分方法 and saves 准入 changes as one list', async () => {
    saveSession({ token: 't', expiresIn: 3600, user: user(['city_admin']) });
    const items: Indicator[] = [
      {
        key: 'fill',
        name: '岗位满员率',
        guidance: '看岗位是否招满',
        method: 'auto',
        metric: 'fill_rate',
        weight: 1,
        maxScore: 10,
        fullAt: 0.9,
        zeroAt: 0.3,
        admitted: true,
      },
      { key: 'build', name: '共建活动', guidance: '', method: 'manual', weight: 1, maxScore: 5, admitted: true },
    ];
    mockRequest.mockResolvedValue({ statusCode: 200, data: { items }, header: {} });
    await act(async () => {
      render(<Indicators />);
    });
    expect(await screen.findByText('计分方法：岗位满员率达到 90% 得满分 10 分，不高于 30% 得 0 分，其间按比例计分。')).toBeTruthy();
    const build = screen.getByTestId('indicator-build');
    await act(async () => {
      fireEvent.click(build.querySelectorAll('.chip')[1]);
    });
    await act(async () => {
      fireEvent.click(screen.getByText('保存指标'));
    });
    const put = mockRequest.mock.calls.find((c) => c[0].method === 'PUT')?.[0];
    expect(put.url).toBe('/api/v1/index/indicators');
    expect(put.data.items.find((i: Indicator) => i.key === 'build').admitted).toBe(false);
  });
});
