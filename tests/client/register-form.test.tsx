import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import RegisterForm from '@/components/RegisterForm';
import { searchPartyOrgs } from '@/services/directory';
import { registerCodeFromParams, validateRegisterForm, EMPTY_REGISTER_FORM } from '@/utils/register-form';

jest.mock('@/services/directory', () => ({
  searchPartyOrgs: jest.fn(),
}));

const COMMUNITY = { id: '11111111-1111-4111-8111-111111111111', name: '幸福社区' };
const ESTATES = [
  { id: '22222222-2222-4222-8222-222222222222', name: '阳光小区' },
  { id: '33333333-3333-4333-8333-333333333333', name: '和谐家园' },
];
const UNIT = {
  id: '44444444-4444-4444-8444-444444444444',
  name: '市财政局机关党委',
  kind: 'unit' as const,
  districtId: '55555555-5555-4555-8555-555555555555',
};

function type(testId: string, value: string) {
  fireEvent.change(screen.getByTestId(testId), { target: { value } });
}

function submit() {
  fireEvent.click(screen.getByText('生成先锋码'));
}

describe('RegisterForm', () => {
  beforeEach(() => {
    (searchPartyOrgs as jest.Mock).mockResolvedValue({ items: [UNIT], nextCursor: null });
  });

  it('shows the community it was reached from', () => {
    render(<RegisterForm community={COMMUNITY} estates={ESTATES} onSubmit={jest.fn()} />);
    expect(screen.getByText('幸福社区')).toBeInTheDocument();
    expect(screen.getByText('阳光小区')).toBeInTheDocument();
  });

  it('refuses a bad phone number, no intention and no consent, with messages a member understands', () => {
    const onSubmit = jest.fn();
    render(<RegisterForm community={COMMUNITY} estates={ESTATES} onSubmit={onSubmit} />);
    type('input-name', '张三');
    type('input-phone', '12345');
    submit();

    expect(screen.getByText('请输入正确的手机号')).toBeInTheDocument();
    expect(screen.getByText('请至少选择一项服务意向')).toBeInTheDocument();
    expect(screen.getByText('请阅读并同意《个人信息使用说明》')).toBeInTheDocument();
    expect(screen.getByText('请选择组织关系所在党组织')).toBeInTheDocument();
    expect(screen.getByText('请选择居住小区')).toBeInTheDocument();
    expect(screen.queryByText('请输入 2–20 个字的真实姓名')).toBeNull();
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('clears a field message once the field is fixed', () => {
    render(<RegisterForm community={COMMUNITY} estates={ESTATES} onSubmit={jest.fn()} />);
    type('input-phone', '1380013800');
    submit();
    expect(screen.getByText('请输入正确的手机号')).toBeInTheDocument();
    type('input-phone', '13800138000');
    expect(screen.queryByText('请输入正确的手机号')).toBeNull();
    fireEvent.click(screen.getByText('便民服务'));
    expect(screen.queryByText('请至少选择一项服务意向')).toBeNull();
    fireEvent.click(screen.getByTestId('consent'));
    expect(screen.queryByText('请阅读并同意《个人信息使用说明》')).toBeNull();
  });

  it('submits the upsert body once everything is filled in', async () => {
    jest.useFakeTimers();
    const onSubmit = jest.fn();
    render(<RegisterForm community={COMMUNITY} estates={ESTATES} onSubmit={onSubmit} />);
    type('input-name', ' 张三 ');
    type('input-phone', '13800138000');
    type('input-workUnit', '市财政局 科员');

    fireEvent.click(screen.getByText('点击选择'));
    fireEvent.change(screen.getByPlaceholderText('输入单位名称搜索'), { target: { value: '财政' } });
    await act(async () => {
      jest.advanceTimersByTime(300);
    });
    expect(searchPartyOrgs).toHaveBeenLastCalledWith('unit', '财政');
    fireEvent.click(await screen.findByText('市财政局机关党委'));
    jest.useRealTimers();

    fireEvent.click(screen.getByText('和谐家园'));
    type('input-building', '3幢');
    type('input-unitNo', '2单元');
    type('input-room', '501');
    fireEvent.click(screen.getByText('关爱帮扶'));
    fireEvent.click(screen.getByText('垃圾分类'));
    fireEvent.click(screen.getByText('垃圾分类'));
    fireEvent.click(screen.getByText('医卫先锋'));
    fireEvent.click(screen.getByTestId('consent'));
    submit();

    expect(screen.queryByText('请输入正确的手机号')).toBeNull();
    expect(onSubmit).toHaveBeenCalledTimes(1);
    expect(onSubmit).toHaveBeenCalledWith({
      name: '张三',
      phone: '13800138000',
      unitOrgId: UNIT.id,
      workUnit: '市财政局 科员',
      communityOrgId: COMMUNITY.id,
      estateId: ESTATES[1].id,
      building: '3幢',
      unitNo: '2单元',
      room: '501',
      intentions: ['care', 'medical'],
      consentVersion: '2026-01',
    });
  });
});

describe('validateRegisterForm', () => {
  it('accepts every mainland mobile prefix 13–19 and nothing else', () => {
    const phoneError = (phone: string) => validateRegisterForm({ ...EMPTY_REGISTER_FORM, phone }).phone;
    expect(phoneError('13912345678')).toBeUndefined();
    expect(phoneError('19912345678')).toBeUndefined();
    expect(phoneError('12912345678')).toBe('请输入正确的手机号');
    expect(phoneError('1391234567')).toBe('请输入正确的手机号');
    expect(phoneError('139123456789')).toBe('请输入正确的手机号');
  });
});

describe('registerCodeFromParams', () => {
  it('reads the code from H5 (?code), a mini-program code (scene) and a scanned URL (q)', () => {
    expect(registerCodeFromParams({ code: 'ABC123' })).toBe('ABC123');
    expect(registerCodeFromParams({ scene: 'XYZ789' })).toBe('XYZ789');
    expect(registerCodeFromParams({ q: encodeURIComponent('https://pioneer.example.cn/r/QWE456') })).toBe('QWE456');
    expect(registerCodeFromParams({})).toBeNull();
  });
});

describe('RegisterForm on a long page', () => {
  const KEY = 'register.test-community';
  beforeEach(() => {
    (Taro as unknown as { clearStorage(): void }).clearStorage();
    jest.mocked(Taro.pageScrollTo).mockClear();
    jest.mocked(Taro.showToast).mockClear();
    (searchPartyOrgs as jest.Mock).mockResolvedValue({ items: [UNIT], nextCursor: null });
  });

  it('marks every required field', () => {
    const { container } = render(<RegisterForm community={COMMUNITY} estates={ESTATES} onSubmit={jest.fn()} />);
    const marked = Array.from(container.querySelectorAll('.field-label'))
      .filter((l) => l.querySelector('.field-required'))
      .map((l) => l.textContent?.replace('*', ''));
    expect(marked).toEqual(['姓名', '手机号', '组织关系所在党组织', '工作单位及职务', '居住小区', '楼栋', '单元', '门牌号']);
  });

  it('on an empty submit, scrolls to the first field in error and says how many are left', () => {
    render(<RegisterForm community={COMMUNITY} estates={ESTATES} onSubmit={jest.fn()} />);
    submit();
    expect(Taro.pageScrollTo).toHaveBeenCalledWith(expect.objectContaining({ selector: '#rf-name' }));
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '还有 10 项需要填写或修改', icon: 'none' });
    expect(screen.getByText('请填写工作单位及职务')).toBeInTheDocument();
  });

  it('scrolls to the phone when only the phone is wrong', () => {
    render(<RegisterForm community={COMMUNITY} estates={ESTATES} onSubmit={jest.fn()} />);
    type('input-name', '张三');
    type('input-phone', '123');
    submit();
    expect(Taro.pageScrollTo).toHaveBeenLastCalledWith(expect.objectContaining({ selector: '#rf-phone' }));
  });

  it('keeps what was typed across a reload as a draft (consent excepted), and 清空重填 drops it', () => {
    const first = render(<RegisterForm community={COMMUNITY} estates={ESTATES} draftKey={KEY} onSubmit={jest.fn()} />);
    type('input-name', '李四');
    type('input-room', '502');
    fireEvent.click(screen.getByText('和谐家园'));
    fireEvent.click(screen.getByTestId('consent'));
    first.unmount();

    render(<RegisterForm community={COMMUNITY} estates={ESTATES} draftKey={KEY} onSubmit={jest.fn()} />);
    expect(screen.getByTestId('draft-restored')).toHaveTextContent('已恢复上次未提交的内容');
    expect((screen.getByTestId('input-name') as HTMLInputElement).value).toBe('李四');
    expect((screen.getByTestId('input-room') as HTMLInputElement).value).toBe('502');
    expect(screen.getByText('和谐家园').className).toContain('is-active');
    expect(document.querySelector('.register-form__check.is-checked')).toBeNull();

    fireEvent.click(screen.getByText('清空重填'));
    expect((screen.getByTestId('input-name') as HTMLInputElement).value).toBe('');
    expect(screen.queryByTestId('draft-restored')).toBeNull();
    expect(Taro.getStorageSync(`pc.draft.${KEY}`)).toBe('');
  });
});
