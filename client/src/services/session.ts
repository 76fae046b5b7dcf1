import Taro from '@tarojs/taro';
import type { LoginResponse, User } from '@pioneer/shared';

const TOKEN_KEY = 'pc.token';
const USER_KEY = 'pc.user';
const DEV_CODE_KEY = 'pc.devCode';

export interface Session {
  token: string | null;
  user: User | null;
  /** H5 only: the `dev:<name>` code, kept so a 401 can sign in again without the login page. */
  devCode: string | null;
}

let state: Session = { token: null, user: null, devCode: null };
const listeners = new Set<(s: Session) => void>();

function read<T>(key: string): T | null {
  try {
    const value = Taro.getStorageSync(key);
    return value === '' || value === undefined ? null : (value as T);
  } catch {
    return null;
  }
}

function emit() {
  listeners.forEach((fn) => fn(state));
}

export function restoreSession(): Session {
  state = {
    token: read<string>(TOKEN_KEY),
    user: read<User>(USER_KEY),
    devCode: read<string>(DEV_CODE_KEY),
  };
  emit();
  return state;
}

export function getSession(): Session {
  return state;
}

export function saveSession(res: LoginResponse, devCode: string | null = state.devCode) {
  state = { token: res.token, user: res.user, devCode };
  Taro.setStorageSync(TOKEN_KEY, res.token);
  Taro.setStorageSync(USER_KEY, res.user);
  if (devCode) Taro.setStorageSync(DEV_CODE_KEY, devCode);
  emit();
}

/** A fresh token for the same user (e.g. one that now names the member after registering). */
export function replaceToken(token: string) {
  if (!state.token) return;
  state = { ...state, token };
  Taro.setStorageSync(TOKEN_KEY, token);
  emit();
}

export function updateUser(patch: Partial<User>) {
  if (!state.user) return;
  state = { ...state, user: { ...state.user, ...patch } };
  Taro.setStorageSync(USER_KEY, state.user);
  emit();
}

export function clearSession() {
  state = { token: null, user: null, devCode: null };
  [TOKEN_KEY, USER_KEY, DEV_CODE_KEY].forEach((key) => {
    try {
      Taro.removeStorageSync(key);
    } catch {
      /* storage may be unavailable in private browsing; the in-memory state is already gone */
    }
  });
  emit();
}

export function subscribeSession(fn: (s: Session) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function secretaryOrgId(user: User | null): string | null {
  return user?.roles.find((g) => g.role === 'secretary')?.orgId ?? null;
}

export function isSecretary(user: User | null): boolean {
  return Boolean(secretaryOrgId(user));
}

/** The city's admin (the whole city's data, the catalogues, 强制下线). */
export function isCityAdmin(user: User | null): boolean {
  return Boolean(user?.roles.some((g) => g.role === 'city_admin'));
}

/** Roles that read the 数据看板: city, district and unit admins. */
export function isAdmin(user: User | null): boolean {
  return Boolean(user?.roles.some((g) => g.role === 'city_admin' || g.role === 'district_admin' || g.role === 'unit_admin'));
}

/** A 红色代办员 without a secretary's or admin's role: the whistle inbox is its work. */
export function isLiaisonOnly(user: User | null): boolean {
  return Boolean(user?.roles.some((g) => g.role === 'unit_liaison')) && !isSecretary(user) && !isAdmin(user);
}

/** Unit liaisons and unit admins answer whistles addressed to their unit. */
export function actsForUnit(user: User | null): boolean {
  return Boolean(user?.roles.some((g) => g.role === 'unit_liaison' || g.role === 'unit_admin'));
}
