import Taro from '@tarojs/taro';
import { ApiError, request } from '../../client/src/services/http';
import { signInDev } from '../../client/src/services/auth';
import { clearSession, getSession } from '../../client/src/services/session';
import { TaskListSchema } from '@pioneer/shared';

const mockRequest = Taro.request as unknown as jest.Mock;
const USER = { id: '11111111-1111-4111-8111-111111111111', roles: [], memberId: null };

function reply(statusCode: number, data: unknown) {
  return { statusCode, data, header: {} };
}

describe('http request layer', () => {
  beforeEach(() => {
    mockRequest.mockReset();
    clearSession();
  });

  it('sends the token and parses the answer with the shared schema', async () => {
    mockRequest.mockResolvedValueOnce(reply(200, { token: 'jwt-1', expiresIn: 3600, user: USER }));
    await signInDev('alice');
    expect(mockRequest.mock.calls[0][0]).toMatchObject({ url: '/api/v1/auth/wechat', method: 'POST', data: { code: 'dev:alice' } });

    mockRequest.mockResolvedValueOnce(reply(200, { items: [], nextCursor: null }));
    const list = await request({ path: '/tasks', query: { open: 'true', category: undefined }, schema: TaskListSchema });
    expect(list).toEqual({ items: [], nextCursor: null });
    const call = mockRequest.mock.calls[1][0];
    expect(call.url).toBe('/api/v1/tasks?open=true');
    expect(call.header.Authorization).toBe('Bearer jwt-1');
  });

  it('throws ApiError carrying the server code and Chinese message', async () => {
    mockRequest.mockResolvedValueOnce(reply(409, { code: 'TASK_FULL', message: '该岗位名额已被抢完', requestId: 'r1' }));
    const err = await request({ method: 'POST', path: '/tasks/x/claims' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'TASK_FULL', message: '该岗位名额已被抢完' });
    // Body-carrying calls always send a JSON object, never an empty body.
    expect(mockRequest.mock.calls[0][0].data).toEqual({});
  });

  it('rejects an answer that does not match its schema', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    mockRequest.mockResolvedValueOnce(reply(200, { items: 'nope' }));
    await expect(request({ path: '/tasks', schema: TaskListSchema })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('signs in again through Taro.login once on 401 and retries (WeChat build)', async () => {
    mockRequest.mockResolvedValueOnce(reply(200, { token: 'old', expiresIn: 3600, user: USER }));
    await signInDev('bob');
    mockRequest
      .mockResolvedValueOnce(reply(401, { code: 'UNAUTHENTICATED', message: '登录已失效，请重新登录', requestId: 'r' }))
      .mockResolvedValueOnce(reply(200, { token: 'new', expiresIn: 3600, user: USER }))
      .mockResolvedValueOnce(reply(200, { items: [], nextCursor: null }));
    await request({ path: '/tasks', schema: TaskListSchema });
    expect(getSession().token).toBe('new');
    expect(Taro.login).toHaveBeenCalled();
    expect(mockRequest.mock.calls[2][0].data).toEqual({ code: 'wx-code' });
    expect(mockRequest.mock.calls[3][0].header.Authorization).toBe('Bearer new');
  });

  it('reports a network failure in Chinese', async () => {
    mockRequest.mockRejectedValueOnce(new Error('ECONNREFUSED'));
    await expect(request({ path: '/tasks' })).rejects.toMatchObject({ code: 'NETWORK_ERROR', message: '网络连接失败，请检查网络后重试' });
  });

  it('gives up after one failed re-login instead of looping', async () => {
    mockRequest.mockResolvedValueOnce(reply(200, { token: 'old', expiresIn: 3600, user: USER }));
    await signInDev('carol');
    mockRequest
      .mockResolvedValueOnce(reply(401, { code: 'UNAUTHENTICATED', message: '登录已失效，请重新登录', requestId: 'r' }))
      .mockResolvedValueOnce(reply(401, { code: 'WECHAT_LOGIN_FAILED', message: '微信登录失败，请重试', requestId: 'r' }));
    await expect(request({ path: '/tasks', schema: TaskListSchema })).rejects.toMatchObject({ status: 401 });
    expect(mockRequest).toHaveBeenCalledTimes(3);
    expect(getSession().token).toBeNull();
  });
});
