import Taro from '@tarojs/taro';
import { act, renderHook } from '@testing-library/react';
import { useGrab } from '@/hooks/use-grab';
import { ApiError } from '@/services/http';
import { claimTask } from '@/services/tasks';

jest.mock('@/services/tasks', () => ({ claimTask: jest.fn() }));

const TASK = '77777777-7777-4777-8777-777777777777';
const MEMBER = { id: '11111111-1111-4111-8111-111111111111', roles: [], memberId: '22222222-2222-4222-8222-222222222222' };
const CLAIM = { id: '33333333-3333-4333-8333-333333333333', taskId: TASK, memberId: MEMBER.memberId, status: 'claimed' };

describe('useGrab (the 抢 flow of 首页 and the post page)', () => {
  beforeEach(() => jest.clearAllMocks());

  it('asks a visitor to register first and sends nothing', async () => {
    const { result } = renderHook(() => useGrab({ ...MEMBER, memberId: null }));
    await expect(result.current.grab(TASK)).resolves.toEqual({ kind: 'not_member' });
    expect(Taro.showModal).toHaveBeenCalledWith(expect.objectContaining({ title: '请先报到' }));
    expect(claimTask).not.toHaveBeenCalled();
  });

  it('shows 抢中… for that post until the answer, then the claim', async () => {
    let answer!: (v: unknown) => void;
    (claimTask as jest.Mock).mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const { result } = renderHook(() => useGrab(MEMBER));
    let outcome!: Promise<unknown>;
    act(() => {
      outcome = result.current.grab(TASK);
    });
    expect(result.current.pending[TASK]).toBe(true);
    await act(async () => answer({ claim: CLAIM, remaining: 4 }));
    await expect(outcome).resolves.toEqual({ kind: 'claimed', result: { claim: CLAIM, remaining: 4 } });
    expect(result.current.pending[TASK]).toBe(false);
    expect(Taro.showToast).toHaveBeenCalledWith(expect.objectContaining({ title: '抢到了！' }));
  });

  it("passes the server's refusal on with its code, and tells a lost connection apart", async () => {
    const { result } = renderHook(() => useGrab(MEMBER));
    (claimTask as jest.Mock).mockRejectedValueOnce(new ApiError(409, 'TASK_FULL', '名额已满'));
    await act(async () => {
      await expect(result.current.grab(TASK)).resolves.toEqual({ kind: 'refused', code: 'TASK_FULL' });
    });
    expect(Taro.showToast).toHaveBeenLastCalledWith(expect.objectContaining({ title: '名额已满' }));
    (claimTask as jest.Mock).mockRejectedValueOnce(new TypeError('boom'));
    await act(async () => {
      await expect(result.current.grab(TASK)).resolves.toEqual({ kind: 'failed' });
    });
  });
});
