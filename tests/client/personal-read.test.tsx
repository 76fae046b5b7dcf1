import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { CommunityMember } from '@pioneer/shared';
import PersonalRead from '@/components/PersonalRead';
import Demands from '@/pages/demands';
import Registry from '@/staff/registry';
import { ApiError } from '@/services/http';
import { listDemands, readDemandContact } from '@/services/demands';
import { getCommunityMembers, getHouseholdImports, readMemberPersonalData, revokeUserSessions } from '@/services/registry';
import { clearSession, saveSession } from '@/services/session';
import { router } from './__mocks__/taro';
import { DEMAND_COMMUNITY, DEMAND_ID, newDemand } from './demand-fixture';

jest.mock('@/services/demands', () => ({ listDemands: jest.fn(), readDemandContact: jest.fn(), triageDemand: jest.fn() }));
jest.mock('@/services/registry', () => ({
  ...jest.requireActual('@/services/registry'),
  getCommunityMembers: jest.fn(),
  getHouseholdImports: jest.fn(async () => ({ items: [] })),
  getCoverage: jest.fn(async () => ({ households: 0, householdsWithMember: 0, buildings: [] })),
  readMemberPersonalData: jest.fn(),
  revokeUserSessions: jest.fn(),
}));
jest.mock('@/components/BuildingCoverage', () => ({ __esModule: true, default: () => null }));

const COMMUNITY = DEMAND_COMMUNITY;
const MEMBER = '44444444-4444-4444-8444-444444444444';
const MEMBER_USER = '77777777-7777-4777-8777-777777777777';
const DEMAND = DEMAND_ID;

const member: CommunityMember = {
  id: MEMBER,
  userId: MEMBER_USER,
  name: '张先锋',
  phone: '138****0001',
  unitOrg: { id: '88888888-8888-4888-8888-888888888888', name: '市住建局党支部' },
  workUnit: '市住建局',
  estate: { id: '55555555-5555-4555-8555-555555555555', name: '清和苑' },
  building: '3',
  unitNo: '2',
  room: '301',
  registeredAt: '2026-03-01T00:00:00.000Z',
  householdMatch: 'matched',
};

const demand = newDemand({ text: '独居老人家中水管漏水' });

const signIn = (roles: Array<{ role: string; orgId: string | null }>) =>
  saveSession({ token: 't', expiresIn: 3600, user: { id: '11111111-1111-4111-8111-111111111111', memberId: null, roles } } as never);

afterEach(() => {
  act(() => clearSession());
  router.params = {};
  jest.clearAllMocks();
});

const typeReason = (text: string) => fireEvent.change(screen.getByPlaceholderText(/上门核实住址/), { target: { value: text } });

describe('查看完整信息', () => {
  it('asks why before reading, says every view is recorded, then shows the full phone with 拨打 and the home', async () => {
    const read = jest.fn(async () => ({ phone: '13800000001', lines: ['清和苑 3-2-301'] }));
    render(<PersonalRead read={read} />);
    fireEvent.click(screen.getByText('查看完整信息'));
    expect(screen.getByText('每次查看都会留痕，请写明事由')).toBeTruthy();
    // One character is not a reason: 确定 does nothing.
    typeReason('查');
    fireEvent.click(screen.getByText('确定'));
    expect(read).not.toHaveBeenCalled();
    typeReason('  上门核实住址  ');
    fireEvent.click(screen.getByText('确定'));
    await waitFor(() => expect(screen.getByText('13800000001')).toBeTruthy());
    expect(read).toHaveBeenCalledWith('上门核实住址');
    expect(screen.getByText('清和苑 3-2-301')).toBeTruthy();
    fireEvent.click(screen.getByText('拨打'));
    expect(Taro.makePhoneCall).toHaveBeenCalledWith({ phoneNumber: '13800000001' });
  });

  it('取消 closes the reason without reading', () => {
    const read = jest.fn();
    render(<PersonalRead read={read} />);
    fireEvent.click(screen.getByText('查看完整信息'));
    fireEvent.click(screen.getByText('取消'));
    expect(screen.getByText('查看完整信息')).toBeTruthy();
    expect(read).not.toHaveBeenCalled();
  });

  it('shows the server’s refusal (too many reads) and keeps the reason for another try', async () => {
    const read = jest.fn(async () => {
      throw new ApiError(429, 'RATE_LIMITED', '查看太频繁，请稍后再试');
    });
    render(<PersonalRead read={read} />);
    fireEvent.click(screen.getByText('查看完整信息'));
    typeReason('电话联系');
    fireEvent.click(screen.getByText('确定'));
    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '查看太频繁，请稍后再试', icon: 'none' }));
    expect(screen.getByDisplayValue('电话联系')).toBeTruthy();
    expect(screen.queryByText('拨打')).toBeNull();
  });
});

describe('业主信息库 per member', () => {
  beforeEach(() => {
    jest
      .mocked(getCommunityMembers)
      .mockResolvedValue({ items: [member], nextCursor: null, counts: { matched: 1, unmatched: 0, conflict: 0 } });
    jest.mocked(getHouseholdImports).mockResolvedValue({ items: [] });
  });

  it('reads a member’s full phone and home for the secretary, who has no 强制下线', async () => {
    signIn([{ role: 'secretary', orgId: COMMUNITY }]);
    jest
      .mocked(readMemberPersonalData)
      .mockResolvedValue({ phone: '13800000001', home: { estate: '清和苑', building: '3', unitNo: '2', room: '301' } });
    render(<Registry />);
    await waitFor(() => expect(screen.getByText('张先锋')).toBeTruthy());
    expect(screen.queryByText('强制下线')).toBeNull();
    fireEvent.click(screen.getByText('查看完整信息'));
    typeReason('上门核实住址');
    fireEvent.click(screen.getByText('确定'));
    await waitFor(() => expect(screen.getByText('13800000001')).toBeTruthy());
    expect(readMemberPersonalData).toHaveBeenCalledWith(COMMUNITY, MEMBER, '上门核实住址');
    expect(screen.getByText('清和苑 3-2-301')).toBeTruthy();
  });

  it('lets a city admin end a member’s sessions by its account, after saying what it does', async () => {
    signIn([{ role: 'city_admin', orgId: null }]);
    router.params = { id: COMMUNITY };
    jest.mocked(revokeUserSessions).mockResolvedValue({ status: 'ok' });
    render(<Registry />);
    await waitFor(() => expect(screen.getByText('强制下线')).toBeTruthy());
    expect(getCommunityMembers).toHaveBeenCalledWith(COMMUNITY, undefined);
    jest.mocked(Taro.showModal).mockResolvedValueOnce({ confirm: false, cancel: true } as never);
    fireEvent.click(screen.getByText('强制下线'));
    await waitFor(() => expect(Taro.showModal).toHaveBeenCalledTimes(1));
    expect(jest.mocked(Taro.showModal).mock.calls[0]![0]).toMatchObject({ content: '将使该党员在所有设备上退出登录' });
    expect(revokeUserSessions).not.toHaveBeenCalled();
    fireEvent.click(screen.getByText('强制下线'));
    await waitFor(() => expect(revokeUserSessions).toHaveBeenCalledWith(MEMBER_USER));
    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '已强制下线', icon: 'success' }));
  });
});

describe('居民点单 contact', () => {
  it('reads a demand’s contact in full with a reason', async () => {
    signIn([{ role: 'secretary', orgId: COMMUNITY }]);
    jest.mocked(listDemands).mockResolvedValue({ items: [demand, { ...demand, id: MEMBER, contact: null }], nextCursor: null });
    jest.mocked(readDemandContact).mockResolvedValue({ name: '王阿姨', phone: '13912345678', estate: '清和苑', address: '5幢2单元301' });
    render(<Demands />);
    await waitFor(() => expect(screen.getByText(/联系人：王阿姨 139\*\*\*\*5678/)).toBeTruthy());
    // Only the demand that left a contact offers it.
    expect(screen.getAllByText('查看完整信息')).toHaveLength(1);
    fireEvent.click(screen.getByText('查看完整信息'));
    typeReason('电话联系维修时间');
    fireEvent.click(screen.getByText('确定'));
    await waitFor(() => expect(screen.getByText('13912345678')).toBeTruthy());
    expect(readDemandContact).toHaveBeenCalledWith(COMMUNITY, DEMAND, '电话联系维修时间');
    expect(document.querySelector('.personal-read--shown')?.textContent).toBe('13912345678拨打联系人：王阿姨清和苑 5幢2单元301');
  });
});
