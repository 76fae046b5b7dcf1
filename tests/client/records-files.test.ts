/**
 * The certificate PDF and the seal image cross the platform line: H5 uses fetch, a Blob link and a
 * file input (walked for real in records.e2e.test.ts: the PDF's download and the seal's file chooser);
 * the mini-program uses Taro.downloadFile + Taro.openDocument and Taro.chooseImage. No WeChat devtool
 * runs here, so the mini-program's side is checked against Taro's API as mocked: the calls and their
 * arguments, not WeChat's viewer or album themselves.
 */

type RecordsModule = typeof import('@/services/records');
type SessionModule = typeof import('@/services/session');

const USER = { id: '11111111-1111-4111-8111-111111111111', roles: [], memberId: '22222222-2222-4222-8222-222222222222' };
/**
 * The records service as built for `env` (IS_H5 is read when the module loads), signed in, with the
 * Taro mock of the same module registry (an isolated registry has its own).
 */
async function load(env: 'h5' | 'weapp'): Promise<{ records: RecordsModule; taro: Record<string, jest.Mock> }> {
  const before = process.env.TARO_ENV;
  process.env.TARO_ENV = env;
  let records!: RecordsModule;
  let taro!: Record<string, jest.Mock>;
  try {
    await jest.isolateModulesAsync(async () => {
      taro = (await import('@tarojs/taro')).default as unknown as Record<string, jest.Mock>;
      const session = await import('@/services/session');
      session.saveSession({ token: 'jwt-cert', expiresIn: 3600, user: USER } as Parameters<SessionModule['saveSession']>[0]);
      records = await import('@/services/records');
    });
  } finally {
    process.env.TARO_ENV = before;
  }
  return { records, taro };
}

const PDF = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37]);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

afterEach(() => {
  jest.restoreAllMocks();
  delete (global as { fetch?: unknown }).fetch;
});

describe('H5: the certificate PDF and the seal', () => {
  it('fetches the PDF with the session token and hands it to the browser as a named download', async () => {
    const { records, taro } = await load('h5');
    const fetchMock = jest.fn(async () => ({ ok: true, status: 200, blob: async () => new Blob([PDF], { type: 'application/pdf' }) }));
    (global as { fetch?: unknown }).fetch = fetchMock;
    const created: string[] = [];
    (URL as unknown as { createObjectURL: (b: Blob) => string }).createObjectURL = jest.fn((b: Blob) => {
      created.push(b.type);
      return 'blob:cert-1';
    });
    (URL as unknown as { revokeObjectURL: (u: string) => void }).revokeObjectURL = jest.fn();
    const clicked: HTMLAnchorElement[] = [];
    jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    await records.openCertificatePdf('XF-2026-000002');

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toMatch(/\/api\/v1\/certificates\/XF-2026-000002\/pdf$/);
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer jwt-cert');
    expect(created).toEqual(['application/pdf']);
    expect(clicked).toHaveLength(1);
    expect(clicked[0].download).toBe('志愿服务记录证明_XF-2026-000002.pdf');
    expect(clicked[0].href).toBe('blob:cert-1');
    expect(document.body.contains(clicked[0])).toBe(false);
    expect(taro.openDocument).toBeUndefined();
  });

  it('picks the seal through a PNG file input and returns its bytes; nothing picked is null', async () => {
    const { records } = await load('h5');
    const inputs: HTMLInputElement[] = [];
    jest.spyOn(HTMLInputElement.prototype, 'click').mockImplementation(function (this: HTMLInputElement) {
      inputs.push(this);
    });
    const picked = records.pickSealBytes();
    await Promise.resolve();
    expect(inputs).toHaveLength(1);
    expect(inputs[0].type).toBe('file');
    expect(inputs[0].accept).toBe('image/png');
    const file = new File([PNG], 'seal.png', { type: 'image/png' });
    if (!file.arrayBuffer) (file as { arrayBuffer: () => Promise<ArrayBuffer> }).arrayBuffer = async () => PNG.slice().buffer;
    Object.defineProperty(inputs[0], 'files', { value: [file] });
    inputs[0].onchange!(new Event('change'));
    expect(Array.from((await picked)!)).toEqual(Array.from(PNG));

    const none = records.pickSealBytes();
    await Promise.resolve();
    Object.defineProperty(inputs[1], 'files', { value: [] });
    inputs[1].onchange!(new Event('change'));
    await expect(none).resolves.toBeNull();
  });
});

describe('mini-program (not runnable here: Taro mocked, no WeChat devtool)', () => {
  async function weapp() {
    const { records, taro } = await load('weapp');
    taro.downloadFile = jest.fn(async () => ({ statusCode: 200, tempFilePath: 'wxfile://tmp/cert.pdf' }));
    taro.openDocument = jest.fn(async () => undefined);
    taro.chooseImage = jest.fn();
    return { records, taro };
  }

  it('downloads the PDF with the session token and opens it in WeChat’s document viewer', async () => {
    const { records, taro } = await weapp();
    await records.openCertificatePdf('XF-2026-000002');
    expect(taro.downloadFile).toHaveBeenCalledTimes(1);
    const call = taro.downloadFile.mock.calls[0][0] as { url: string; header: Record<string, string> };
    expect(call.url).toMatch(/\/api\/v1\/certificates\/XF-2026-000002\/pdf$/);
    expect(call.header.Authorization).toBe('Bearer jwt-cert');
    expect(taro.openDocument).toHaveBeenCalledWith({ filePath: 'wxfile://tmp/cert.pdf', fileType: 'pdf', showMenu: true });
  });

  it('does not open a document the server refused, and says why', async () => {
    const { records, taro } = await weapp();
    taro.downloadFile = jest.fn(async () => ({ statusCode: 404, tempFilePath: 'wxfile://tmp/err.json' }));
    taro.getFileSystemManager.mockReturnValue({
      readFileSync: jest.fn(() => JSON.stringify({ code: 'NOT_FOUND', message: '证明不存在', requestId: 'r1' })),
    });
    await expect(records.openCertificatePdf('XF-2026-999999')).rejects.toMatchObject({ status: 404, message: '证明不存在' });
    expect(taro.openDocument).not.toHaveBeenCalled();
  });

  it('takes the seal from the album or camera at original size and reads its bytes; closing the picker is null', async () => {
    const { records, taro } = await weapp();
    const readFileSync = jest.fn(() => PNG.slice().buffer);
    taro.getFileSystemManager.mockReturnValue({ readFileSync });
    taro.chooseImage.mockResolvedValueOnce({ tempFilePaths: ['wxfile://tmp/seal.png'] });
    expect(Array.from((await records.pickSealBytes())!)).toEqual(Array.from(PNG));
    expect(taro.chooseImage).toHaveBeenCalledWith({ count: 1, sizeType: ['original'], sourceType: ['album', 'camera'] });
    expect(readFileSync).toHaveBeenCalledWith('wxfile://tmp/seal.png');

    taro.chooseImage.mockRejectedValueOnce(new Error('chooseImage:fail cancel'));
    await expect(records.pickSealBytes()).resolves.toBeNull();
  });
});
