import Taro from '@tarojs/taro';
import { ApiError, request } from '../../client/src/services/http';
import { signInDev } from '../../client/src/services/auth';
import { saveMyMember } from '../../client/src/services/members';
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

describe('registration (一键报到) through the request layer', () => {
  beforeEach(() => {
    mockRequest.mockReset();
    clearSession();
  });

  const MEMBER = {
    id: '22222222-2222-4222-8222-222222222222',
    name: '王小明',
    phone: '13812345678',
    unitOrg: { id: '33333333-3333-4333-8333-333333333333', name: '市住建局党委' },
    workUnit: '市住建局',
    community: { id: '44444444-4444-4444-8444-444444444444', name: '清和坊社区', districtId: '55555555-5555-4555-8555-555555555555' },
    estate: { id: '66666666-6666-4666-8666-666666666666', name: '清和坊小区' },
    building: '3',
    unitNo: '2',
    room: '301',
    intentions: ['convenience'],
    consentVersion: '2024-01',
    consentedAt: '2024-05-01T08:00:00.000Z',
    registeredAt: '2024-05-01T08:00:00.000Z',
  };
  const BODY = {
    name: '王小明',
    phone: '13812345678',
    unitOrgId: MEMBER.unitOrg.id,
    workUnit: '市住建局',
    communityOrgId: MEMBER.community.id,
    estateId: MEMBER.estate.id,
    building: '3',
    unitNo: '2',
    room: '301',
    intentions: ['convenience' as const],
    consentVersion: '2024-01',
  };

  it('keeps the token the server hands out on registration and uses it from then on', async () => {
    mockRequest.mockResolvedValueOnce(reply(200, { token: 'before', expiresIn: 3600, user: USER }));
    await signInDev('carol');
    mockRequest.mockResolvedValueOnce(reply(200, { member: MEMBER, session: { token: 'names-member', expiresIn: 3600 } }));
    await saveMyMember(BODY);
    expect(getSession()).toMatchObject({ token: 'names-member', user: { memberId: MEMBER.id } });
    expect(Taro.getStorageSync('pc.token')).toBe('names-member');

    mockRequest.mockResolvedValueOnce(reply(200, { member: MEMBER }));
    await saveMyMember(BODY);
    expect(getSession().token).toBe('names-member');
    expect(mockRequest.mock.calls[2][0].header.Authorization).toBe('Bearer names-member');
  });
});
