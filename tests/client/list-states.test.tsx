import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { Member, TaskListItem } from '@pioneer/shared';
import Home from '@/pages/index';
import StateView from '@/components/StateView';
import { useRequest } from '@/hooks/use-request';
import { ApiError } from '@/services/http';
import { getMyClaims, getMyMember } from '@/services/members';
import { saveSession } from '@/services/session';
import { listTasks } from '@/services/tasks';

jest.mock('@/services/members', () => ({ getMyMember: jest.fn(), getMyClaims: jest.fn() }));
jest.mock('@/services/tasks', () => ({ listTasks: jest.fn(), claimTask: jest.fn() }));

const COMMUNITY = '33333333-3333-4333-8333-333333333333';

function task(id: string, title: string, category: TaskListItem['category']): TaskListItem {
  const start = Date.now() + 86_400_000;
  return {
    id,
    title,
    category,
    communityOrgId: COMMUNITY,
    communityName: '清和坊社区',
    location: '清和苑',
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 7_200_000).toISOString(),
    claimOpensAt: new Date(Date.now() - 60_000).toISOString(),
    capacity: 5,
    claimed: 1,
    remaining: 4,
    status: 'open',
  } as TaskListItem;
}

async function flush() {
  await act(async () => {
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
  });
}

const offline = () => new ApiError(0, 'NETWORK_ERROR', '网络连接失败，请检查网络后重试');

describe('首页 list when the network fails', () => {
  beforeEach(() => {
    saveSession({ token: 't', expiresIn: 3600, user: { id: 'u1', memberId: 'm1', roles: [] } } as never);
    jest
      .mocked(getMyMember)
      .mockResolvedValue({ id: 'm1', community: { id: COMMUNITY, name: '清和坊社区', districtId: COMMUNITY } } as Member);
    jest.mocked(getMyClaims).mockResolvedValue({ items: [] });
    jest.mocked(listTasks).mockReset();
  });

  it("switching category offline shows an error with 重试, never the previous category's cards", async () => {
    jest.mocked(listTasks).mockResolvedValueOnce({ items: [task('a1', '垃圾分类督导', 'waste_sorting')], nextCursor: null });
    render(<Home />);
    await flush();
    expect(screen.getByText('垃圾分类督导')).toBeInTheDocument();

    jest.mocked(listTasks).mockRejectedValueOnce(offline());
    fireEvent.click(screen.getByText('关爱帮扶'));
    await flush();
    expect(listTasks).toHaveBeenLastCalledWith(expect.objectContaining({ category: 'care' }));
    expect(screen.queryByText('垃圾分类督导')).toBeNull();
    expect(screen.getByTestId('state-error')).toHaveTextContent('网络连接失败，请检查网络后重试');

    jest.mocked(listTasks).mockResolvedValueOnce({ items: [task('c1', '独居老人探访', 'care')], nextCursor: null });
    fireEvent.click(screen.getByText('重试'));
    await flush();
    expect(screen.getByText('独居老人探访')).toBeInTheDocument();
    expect(screen.queryByTestId('state-error')).toBeNull();
  });
});

function Probe({ id, load }: { id: string; load: (id: string) => Promise<string> }) {
  const req = useRequest(() => load(id), [id]);
  return (
    <StateView loading={req.loading && !req.data} error={req.error} onRetry={req.retryable ? req.reload : undefined}>
      <div data-testid="data">{req.data}</div>
    </StateView>
  );
}

describe('list error states', () => {
  it('drops the old answer as soon as the request changes', async () => {
    let resolve: (v: string) => void = () => undefined;
    const load = jest.fn((id: string) => (id === 'a' ? Promise.resolve('A 的内容') : new Promise<string>((r) => (resolve = r))));
    const { rerender } = render(<Probe id="a" load={load} />);
    await flush();
    expect(screen.getByTestId('data')).toHaveTextContent('A 的内容');
    rerender(<Probe id="b" load={load} />);
    await flush();
    expect(screen.queryByText('A 的内容')).toBeNull();
    expect(screen.getByText('加载中…')).toBeInTheDocument();
    await act(async () => resolve('B 的内容'));
    expect(screen.getByTestId('data')).toHaveTextContent('B 的内容');
  });

  it('offers 重试 for a network failure, and 返回首页 (no pointless retry) for something that does not exist', async () => {
    const { unmount } = render(<Probe id="x" load={() => Promise.reject(offline())} />);
    await flush();
    expect(screen.getByText('重试')).toBeInTheDocument();
    unmount();

    render(<Probe id="gone" load={() => Promise.reject(new ApiError(404, 'NOT_FOUND', '岗位不存在'))} />);
    await flush();
    expect(screen.getByTestId('state-error')).toHaveTextContent('岗位不存在');
    expect(screen.queryByText('重试')).toBeNull();
    fireEvent.click(screen.getByText('返回首页'));
    expect(Taro.reLaunch).toHaveBeenCalled();
  });
});
