import Taro from '@tarojs/taro';
import { LoginResponseSchema, MeResponseSchema, OkSchema, type LoginResponse } from '@pioneer/shared';
import { ApiError, request, setAuthHandlers } from './http';
import { IS_H5 } from './config';
import { clearSession, getSession, saveSession } from './session';

export const LOGIN_PAGE = '/pages/login/index';

export async function loginWithCode(code: string, devCode: string | null = null): Promise<LoginResponse> {
  const res = await request({
    method: 'POST',
    path: '/auth/wechat',
    data: { code },
    schema: LoginResponseSchema,
    auth: false,
  });
  saveSession(res, devCode);
  return res;
}

export function signInDev(name: string): Promise<LoginResponse> {
  const code = `dev:${name.trim()}`;
  return loginWithCode(code, code);
}

async function wechatLogin(): Promise<LoginResponse> {
  const { code } = await Taro.login();
  if (!code) throw new ApiError(401, 'WECHAT_LOGIN_FAILED', '微信登录失败，请重试');
  return loginWithCode(code);
}

let inFlight: Promise<LoginResponse> | null = null;

/**
 * WeChat: a fresh `Taro.login`. H5: the remembered development code, if any.
 * App launch and the first page both ask at once; they share one sign-in.
 */
export function signInSilently(): Promise<LoginResponse> {
  if (inFlight) return inFlight;
  const run = async () => {
    if (!IS_H5) return wechatLogin();
    const devCode = getSession().devCode;
    if (!devCode) throw new ApiError(401, 'UNAUTHENTICATED', '请先登录');
    return loginWithCode(devCode, devCode);
  };
  inFlight = run().finally(() => {
    inFlight = null;
  });
  return inFlight;
}

export async function ensureSignedIn(): Promise<void> {
  if (getSession().token) return;
  await signInSilently();
}

export function currentRoute(): string {
  // Taro's H5 page objects do not carry the query, but the hash route does.
  if (IS_H5 && typeof window !== 'undefined' && window.location.hash.startsWith('#/')) {
    return window.location.hash.slice(1);
  }
  const pages = Taro.getCurrentPages();
  const page = pages[pages.length - 1];
  if (!page?.route) return '/pages/index/index';
  const route = page.route.startsWith('/') ? page.route : `/${page.route}`;
  const params = (page as { options?: Record<string, string> }).options ?? {};
  const query = Object.entries(params)
    .filter(([k]) => !k.startsWith('$') && k !== 'stamp')
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
    .join('&');
  return query ? `${route}?${query}` : route;
}

export function goToLogin() {
  const here = currentRoute();
  if (here.startsWith(LOGIN_PAGE)) return;
  Taro.redirectTo({ url: `${LOGIN_PAGE}?redirect=${encodeURIComponent(here)}` });
}

export function fetchMe() {
  return request({ path: '/auth/me', schema: MeResponseSchema });
}

/** Forgets the session here (its token already ended on the server, as after 注销). */
export function signOut() {
  clearSession();
  if (IS_H5) Taro.reLaunch({ url: LOGIN_PAGE });
}

/**
 * 退出登录: ends the user's sessions on the server first, so the token left in this browser (or
 * copied from it) opens nothing, then forgets it here. Offline, it is forgotten here all the same.
 */
export async function logOut(): Promise<void> {
  try {
    await request({ method: 'POST', path: '/auth/logout', schema: OkSchema });
  } catch {
    /* ended already, or no network: nothing more this device can do */
  }
  signOut();
}

setAuthHandlers({
  relogin: async () => {
    await signInSilently();
  },
  onUnauthenticated: () => {
    clearSession();
    if (IS_H5) goToLogin();
  },
});
