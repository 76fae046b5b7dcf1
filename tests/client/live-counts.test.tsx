import Taro from '@tarojs/taro';
import { act, renderHook, waitFor } from '@testing-library/react';
import { useLiveCounts } from '@/hooks/use-live-counts';
import { clearSession, saveSession } from '@/services/session';

const TASK = '77777777-7777-4777-8777-777777777777';
const connectSocket = Taro.connectSocket as unknown as jest.Mock;

describe('useLiveCounts', () => {
  afterEach(() => clearSession());

  it('subscribes on open, shows each count, and ignores one older than what it shows', async () => {
    saveSession({ token: 'jwt', expiresIn: 3600, user: { id: '11111111-1111-4111-8111-111111111111', roles: [], memberId: null } });
    const { result, unmount } = renderHook(() => useLiveCounts([TASK]));
    await waitFor(() => expect(connectSocket).toHaveBeenCalled());
    const socket = await connectSocket.mock.results[connectSocket.mock.results.length - 1].value;
    act(() => socket.onOpen.mock.calls[0][0]());
    expect(JSON.parse(socket.send.mock.calls[0][0].data)).toEqual({ type: 'subscribe', taskIds: [TASK] });

    const push = (count: object) =>
      act(() => socket.onMessage.mock.calls[0][0]({ data: JSON.stringify({ taskId: TASK, status: 'open', ...count }) }));
    push({ claimed: 3, remaining: 7, version: 5 });
    expect(result.current[TASK]).toMatchObject({ claimed: 3, remaining: 7 });
    // The subscribe snapshot, read before that notification, arrives after it.
    push({ claimed: 2, remaining: 8, version: 4 });
    expect(result.current[TASK]).toMatchObject({ claimed: 3, remaining: 7 });
    push({ claimed: 4, remaining: 6, version: 6 });
    expect(result.current[TASK]).toMatchObject({ claimed: 4, remaining: 6 });
    // Counts without a version (an older server) are taken as they come.
    push({ claimed: 1, remaining: 9 });
    expect(result.current[TASK]).toMatchObject({ claimed: 1, remaining: 9 });
    unmount();
  });

  it("reads the server's other messages with the shared schema: ready is no count, and a refused token is not retried", async () => {
    jest.useFakeTimers();
    try {
      saveSession({ token: 'stale', expiresIn: 3600, user: { id: '11111111-1111-4111-8111-111111111111', roles: [], memberId: null } });
      const { result, unmount } = renderHook(() => useLiveCounts([TASK]));
      await waitFor(() => expect(connectSocket).toHaveBeenCalled());
      const calls = connectSocket.mock.calls.length;
      const socket = await connectSocket.mock.results[calls - 1].value;
      const receive = (body: object) => act(() => socket.onMessage.mock.calls[0][0]({ data: JSON.stringify(body) }));
      receive({ type: 'ready' });
      receive({ taskId: 'not-an-id', claimed: 1, remaining: 1, status: 'open' });
      expect(result.current).toEqual({});

      receive({ type: 'error', code: 'UNAUTHENTICATED', message: '请先登录' });
      act(() => socket.onClose.mock.calls[0][0]());
      await act(async () => {
        jest.advanceTimersByTime(60_000);
      });
      expect(connectSocket).toHaveBeenCalledTimes(calls);
      unmount();
    } finally {
      jest.useRealTimers();
    }
  });

  it('reconnects after a dropped connection', async () => {
    jest.useFakeTimers();
    try {
      saveSession({ token: 'jwt', expiresIn: 3600, user: { id: '11111111-1111-4111-8111-111111111111', roles: [], memberId: null } });
      const { unmount } = renderHook(() => useLiveCounts([TASK]));
      await waitFor(() => expect(connectSocket).toHaveBeenCalled());
      const calls = connectSocket.mock.calls.length;
      const socket = await connectSocket.mock.results[calls - 1].value;
      act(() => socket.onClose.mock.calls[0][0]());
      await act(async () => {
        jest.advanceTimersByTime(1_000);
      });
      expect(connectSocket).toHaveBeenCalledTimes(calls + 1);
      unmount();
    } finally {
      jest.useRealTimers();
    }
  });
});
