import { useEffect } from 'react';

const storage = new Map<string, unknown>();

export const router = { params: {} as Record<string, string> };

const Taro = {
  request: jest.fn(),
  login: jest.fn(async () => ({ code: 'wx-code' })),
  connectSocket: jest.fn(async () => ({
    onOpen: jest.fn(),
    onMessage: jest.fn(),
    onClose: jest.fn(),
    onError: jest.fn(),
    send: jest.fn(),
    close: jest.fn(),
  })),
  getStorageSync: jest.fn((key: string) => (storage.has(key) ? storage.get(key) : '')),
  setStorageSync: jest.fn((key: string, value: unknown) => {
    storage.set(key, value);
  }),
  removeStorageSync: jest.fn((key: string) => {
    storage.delete(key);
  }),
  clearStorage: () => storage.clear(),
  navigateTo: jest.fn(async () => undefined),
  redirectTo: jest.fn(async () => undefined),
  reLaunch: jest.fn(async () => undefined),
  showToast: jest.fn(async () => undefined),
  showModal: jest.fn(async () => ({ confirm: true, cancel: false })),
  scanCode: jest.fn(),
  setClipboardData: jest.fn(async () => undefined),
  requestSubscribeMessage: jest.fn(async () => ({ errMsg: 'requestSubscribeMessage:ok' })),
  stopPullDownRefresh: jest.fn(),
  getCurrentPages: jest.fn(() => []),
  navigateBack: jest.fn(async () => undefined),
  pageScrollTo: jest.fn(async () => undefined),
  vibrateShort: jest.fn(async () => undefined),
  makePhoneCall: jest.fn(async () => undefined),
  vibrateLong: jest.fn(async () => undefined),
  onPageNotFound: jest.fn(),
  pxTransform: (size: number) => `${size / 2}px`,
  saveImageToPhotosAlbum: jest.fn(),
  getFileSystemManager: jest.fn(),
  env: { USER_DATA_PATH: '/tmp' },
};

export const useRouter = () => router;
export const useLoad = (fn: (params: Record<string, string>) => void) => {
  useEffect(() => fn(router.params), []);
};
export const useLaunch = (fn: () => void) => {
  useEffect(() => fn(), []);
};
export const useDidShow = (fn: () => void) => {
  useEffect(() => fn(), []);
};
export const useDidHide = (_fn: () => void) => undefined;
export const usePullDownRefresh = (_fn: () => void) => undefined;
export const useReachBottom = (_fn: () => void) => undefined;
export const useShareAppMessage = (_fn: () => unknown) => undefined;

export default Taro;
