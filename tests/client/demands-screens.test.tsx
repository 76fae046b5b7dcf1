import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Demands from '@/pages/demands';
import DemandNew from '@/pages/demand-new';
import Publish from '@/staff/publish';
import WhistleNew from '@/pages/whistle-new';
import { raiseWhistle } from '@/services/whistles';
import { createTask } from '@/services/tasks';
import { listDemands, sendDemand, triageDemand } from '@/services/demands';
import { listEstates } from '@/services/directory';
import { clearSession, saveSession } from '@/services/session';
import { router } from './__mocks__/taro';
import { DEMAND_COMMUNITY, DEMAND_ESTATE, DEMAND_ID, newDemand } from './demand-fixture';

jest.mock('@/services/tasks', () => ({ createTask: jest.fn(), getTask: jest.fn(), listTasks: jest.fn() }));
jest.mock('@/services/demands', () => ({ listDemands: jest.fn(), sendDemand: jest.fn(), triageDemand: jest.fn() }));
jest.mock('@/services/directory', () => ({ listEstates: jest.fn(), searchPartyOrgs: jest.fn(async () => ({ items: [] })) }));
jest.mock('@/services/members', () => ({ getMyMember: jest.fn() }));
jest.mock('@/services/whistles', () => ({ ...jest.requireActual('@/services/whistles'), raiseWhistle: jest.fn() }));
// The picker's search is tested on its own: here it hands over the unit a secretary picked.
jest.mock('@/components/OrgPicker', () => {
  const { createElement } = jest.requireActual('react');
  return {
    __esModule: true,
    default: ({ onChange }: { onChange: (org: { id: string; name: string }) => void }) =>
      createElement('button', { onClick: () => onChange({ id: '88888888-8888-4888-8888-888888888888', name: '市住建局' }) }, '添加单位'),
  };
});

const COMMUNITY = DEMAND_COMMUNITY;
const ESTATE = DEMAND_ESTATE;
const DEMAND = DEMAND_ID;

const demand = newDemand({ requester: '张*锋' });

const signIn = (roles: Array<{ role: string; orgId: string | null }>, memberId: string | null = null) =>
  saveSession({ token: 't', expiresIn: 3600, user: { id: '11111111-1111-4111-8111-111111111111', memberId, roles } } as never);

afterEach(() => {
  act(() => clearSession());
  router.params = {};
  jest.clearAllMocks();
});

describe('居民点单 for the secretary', () => {
  beforeEach(() => signIn([{ role: 'secretary', orgId: COMMUNITY }]));

  it('shows who sent it (masked), where, and the contact with its phone masked', async () => {
    jest.mocked(listDemands).mockResolvedValue({ items: [demand], nextCursor: null });
    render(<Demands />);
    await waitFor(() => expect(screen.getByText(/点单人：张\*锋/)).toBeTruthy());
    expect(screen.getByText('清和苑 5幢2单元301')).toBeTruthy();
    expect(screen.getByText(/联系人：王阿姨 139\*\*\*\*5678/)).toBeTruthy();
    fireEvent.click(screen.getByText('转为岗位'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/staff/publish/index?demandId=${DEMAND}` });
    fireEvent.click(screen.getByText('转为吹哨'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `/pages/whistle-new/index?demandId=${DEMAND}` });
  });

  it('转为岗位: the publish form starts from the demand and publishes the post with the triage, in one step', async () => {
    jest.mocked(listDemands).mockResolvedValue({ items: [demand], nextCursor: null });
    jest.mocked(triageDemand).mockResolvedValue({ ...demand, status: 'posted' });
    router.params = { demandId: DEMAND };
    render(<Publish />);
    await waitFor(() => expect(screen.getByDisplayValue('清和苑 5幢2单元301')).toBeTruthy());
    expect(screen.getByDisplayValue('居民点单：独居老人家中水管漏水，需要帮忙联系维修')).toBeTruthy();
    fireEvent.change(screen.getByPlaceholderText('如：王书记'), { target: { value: '王书记' } });
    fireEvent.change(screen.getByPlaceholderText('手机或 0512-52345678'), { target: { value: '0512-52345678' } });
    await act(async () => {
      fireEvent.click(screen.getByText('发布岗位', { selector: '.btn' }));
    });
    expect(createTask).not.toHaveBeenCalled();
    expect(triageDemand).toHaveBeenCalledWith(DEMAND, {
      action: 'post',
      task: expect.objectContaining({
        communityOrgId: COMMUNITY,
        category: 'care',
        location: '清和苑 5幢2单元301',
        contactName: '王书记',
        contactPhone: '0512-52345678',
      }),
    });
  });

  it('转为吹哨: the whistle form starts from the demand and raises the whistle with the triage, in one request', async () => {
    jest.mocked(listDemands).mockResolvedValue({ items: [demand], nextCursor: null });
    const whistleId = '99999999-9999-4999-8999-999999999999';
    jest
      .mocked(triageDemand)
      .mockResolvedValue({ ...demand, status: 'whistled', whistle: { id: whistleId, name: '独居老人家中水管漏水' } });
    router.params = { demandId: DEMAND };
    render(<WhistleNew />);
    await waitFor(() => expect(screen.getByDisplayValue('清和苑 5幢2单元301')).toBeTruthy());
    expect(screen.getByDisplayValue('居民点单：独居老人家中水管漏水，需要帮忙联系维修')).toBeTruthy();
    fireEvent.click(screen.getByText('安全隐患'));
    fireEvent.click(screen.getByText('添加单位'));
    await act(async () => {
      fireEvent.click(screen.getByText('吹哨', { selector: '.btn' }));
    });
    expect(raiseWhistle).not.toHaveBeenCalled();
    expect(triageDemand).toHaveBeenCalledTimes(1);
    expect(triageDemand).toHaveBeenCalledWith(DEMAND, {
      action: 'whistle',
      whistle: expect.objectContaining({
        category: 'safety',
        location: '清和苑 5幢2单元301',
        description: '居民点单：独居老人家中水管漏水，需要帮忙联系维修',
        addressedTo: [{ orgId: '88888888-8888-4888-8888-888888888888', part: 'lead' }],
      }),
    });
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: `/pages/whistle-detail/index?id=${whistleId}` }));
  });

  it('refuses a contact phone that is no phone before sending anything', async () => {
    render(<Publish />);
    fireEvent.change(screen.getByPlaceholderText('如：周末垃圾分类督导'), { target: { value: '周末垃圾分类督导' } });
    fireEvent.click(screen.getByText('垃圾分类'));
    fireEvent.change(screen.getByPlaceholderText('如：幸福小区东门'), { target: { value: '幸福小区东门' } });
    fireEvent.change(screen.getByPlaceholderText('手机或 0512-52345678'), { target: { value: '12345' } });
    await act(async () => {
      fireEvent.click(screen.getByText('发布岗位', { selector: '.btn' }));
    });
    expect(screen.getByText('请输入正确的手机号或带区号的固定电话')).toBeTruthy();
    expect(createTask).not.toHaveBeenCalled();
  });
});

describe('我要点单 (the resident)', () => {
  beforeEach(() => signIn([{ role: 'member', orgId: null }]));

  it('asks consent before a contact is sent, and sends estate, address and contact with it', async () => {
    jest.mocked(listEstates).mockResolvedValue([{ id: ESTATE, name: '清和苑' }] as never);
    jest.mocked(sendDemand).mockResolvedValue(demand);
    // The resident picked its community before (OrgPicker is tested on its own): start from the member's.
    const { getMyMember } = jest.requireMock('@/services/members') as { getMyMember: jest.Mock };
    getMyMember.mockResolvedValue({ community: { id: COMMUNITY, name: '清和坊社区' } });
    signIn([{ role: 'member', orgId: null }], '77777777-7777-4777-8777-777777777777');
    render(<DemandNew />);
    await waitFor(() => expect(screen.getByText('清和苑')).toBeTruthy());
    fireEvent.change(screen.getByPlaceholderText('如：小区门口晚上路灯不亮，老人出行不便'), {
      target: { value: '独居老人家中水管漏水，需要帮忙联系维修' },
    });
    fireEvent.click(screen.getByText('清和苑'));
    fireEvent.change(screen.getByPlaceholderText('如：3幢2单元 或 南门广场'), { target: { value: '5幢2单元301' } });
    expect(screen.queryByTestId('contact-consent')).toBeNull();
    fireEvent.change(screen.getByPlaceholderText('如：王阿姨'), { target: { value: '王阿姨' } });
    fireEvent.change(screen.getByPlaceholderText('社区工作人员只看到部分号码'), { target: { value: '13912345678' } });
    await act(async () => {
      fireEvent.click(screen.getByText('提交点单'));
    });
    expect(sendDemand).not.toHaveBeenCalled();
    expect(screen.getByText('留下联系方式前请同意社区使用它联系您')).toBeTruthy();
    fireEvent.click(screen.getByTestId('contact-consent'));
    await act(async () => {
      fireEvent.click(screen.getByText('提交点单'));
    });
    expect(sendDemand).toHaveBeenCalledWith({
      communityOrgId: COMMUNITY,
      text: '独居老人家中水管漏水，需要帮忙联系维修',
      estateId: ESTATE,
      address: '5幢2单元301',
      contactName: '王阿姨',
      contactPhone: '13912345678',
      contactConsent: true,
    });
  });
});
