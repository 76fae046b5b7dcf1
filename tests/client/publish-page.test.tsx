import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import Publish from '@/staff/publish';
import { createTask } from '@/services/tasks';
import { clearSession, saveSession } from '@/services/session';

jest.mock('@/services/tasks', () => ({ createTask: jest.fn() }));

const COMMUNITY = '33333333-3333-4333-8333-333333333333';

describe('发布岗位', () => {
  beforeEach(() => {
    jest.clearAllMocks();
    saveSession({
      token: 't',
      expiresIn: 3600,
      user: { id: '11111111-1111-4111-8111-111111111111', memberId: null, roles: [{ role: 'secretary', orgId: COMMUNITY }] },
    } as never);
  });
  afterEach(() => act(() => clearSession()));

  it('marks the required fields, and an empty submit shows each error with a toast and sends nothing', () => {
    render(<Publish />);
    expect(screen.getAllByLabelText('必填')).toHaveLength(4);
    fireEvent.click(screen.getByText('发布岗位', { selector: '.btn' }));
    expect(screen.getByText('请填写 2–60 字的岗位名称')).toBeInTheDocument();
    expect(screen.getByText('请选择岗位类别')).toBeInTheDocument();
    expect(screen.getByText('请填写服务地点（不超过 120 字）')).toBeInTheDocument();
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '请检查标红的内容' }));
    expect(createTask).not.toHaveBeenCalled();
  });

  it('sends the body TaskCreateBodySchema made once the form is right', async () => {
    jest.mocked(createTask).mockResolvedValue({} as never);
    render(<Publish />);
    fireEvent.change(screen.getByPlaceholderText('如：周末垃圾分类督导'), { target: { value: '周末垃圾分类督导' } });
    fireEvent.click(screen.getByText('垃圾分类'));
    fireEvent.change(screen.getByPlaceholderText('如：幸福小区东门'), { target: { value: '幸福小区东门' } });
    await act(async () => {
      fireEvent.click(screen.getByText('发布岗位', { selector: '.btn' }));
    });
    expect(createTask).toHaveBeenCalledWith(
      expect.objectContaining({
        communityOrgId: COMMUNITY,
        title: '周末垃圾分类督导',
        category: 'waste_sorting',
        location: '幸福小区东门',
        capacity: 10,
        description: '',
      }),
    );
    expect(screen.queryByText('请填写 2–60 字的岗位名称')).toBeNull();
  });
});
