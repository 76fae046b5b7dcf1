import Taro from '@tarojs/taro';
import { ApiError, request } from '@/services/http';
import { signInDev } from '@/services/auth';
import { saveMyMember } from '@/services/members';
import { clearSession, getSession } from '@/services/session';
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

describe('registry uploads and downloads go through the request layer', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  function answer(status: number, body: unknown) {
    return { ok: status >= 200 && status < 300, status, json: async () => body, blob: async () => new Blob([]) } as unknown as Response;
  }

  it('signs in again on 401 and retries the upload with the new token', async () => {
    mockRequest.mockReset();
    clearSession();
    mockRequest.mockResolvedValueOnce(reply(200, { token: 'stale', expiresIn: 3600, user: USER }));
    await signInDev('dora');
    const fetchMock = jest
      .fn()
      .mockResolvedValueOnce(answer(401, { code: 'UNAUTHENTICATED', message: '登录已失效，请重新登录', requestId: 'r' }))
      .mockResolvedValueOnce(answer(200, { dryRun: true, batchId: null, total: 0, accepted: 0, matched: 0, rejected: [] }));
    global.fetch = fetchMock as unknown as typeof fetch;
    mockRequest.mockResolvedValueOnce(reply(200, { token: 'fresh', expiresIn: 3600, user: USER }));
    const { importDirectory } = await import('@/services/registry');
    await importDirectory(new File(['x'], 'd.xlsx'), true).catch(() => undefined);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBe('Bearer stale');
    expect(fetchMock.mock.calls[1][1].headers.Authorization).toBe('Bearer fresh');
    expect(fetchMock.mock.calls[1][0]).toBe('/api/v1/imports/directory?dryRun=true');
  });

  it("weapp: a refused download throws the contract's error read back from the temporary file", async () => {
    const t = Taro as unknown as Record<string, jest.Mock>;
    t.downloadFile = jest.fn().mockResolvedValue({ statusCode: 403, tempFilePath: '/tmp/err' });
    t.getFileSystemManager.mockReturnValue({
      readFileSync: () => JSON.stringify({ code: 'FORBIDDEN', message: '无权访问', requestId: 'r' }),
    });
    const { download } = await import('@/services/registry');
    await expect(download('/stats/x.xlsx', {}, 'x.xlsx')).rejects.toMatchObject({ status: 403, code: 'FORBIDDEN', message: '无权访问' });
    expect(t.downloadFile.mock.calls[0][0].url).toBe('/api/v1/stats/x.xlsx');
  });
});
