import Taro from '@tarojs/taro';
import type { ZodType } from 'zod';
import { ERROR_MESSAGES, ErrorBodySchema, errorCodeForStatus, type ErrorCode, type ErrorDetail } from '@pioneer/shared';
import { API_ROOT } from './config';
import { getSession } from './session';

export type ClientErrorCode = ErrorCode | 'NETWORK_ERROR' | 'BAD_RESPONSE';

export class ApiError extends Error {
  readonly status: number;
  readonly code: ClientErrorCode;
  readonly details: ErrorDetail[];

  constructor(status: number, code: ClientErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions<T> {
  method?: Method;
  path: string;
  query?: Query;
  data?: unknown;
  headers?: Record<string, string>;
  /** Parses a 2xx answer; every JSON answer goes through a shared zod schema. */
  schema?: ZodType<T>;
  auth?: boolean;
  /** 'text' for SVG, 'arraybuffer' for PNG; default JSON. */
  as?: 'json' | 'text' | 'arraybuffer';
}

type Relogin = () => Promise<void>;
let relogin: Relogin | null = null;
let onUnauthenticated: (() => void) | null = null;
let pendingRelogin: Promise<void> | null = null;

/** Wired by services/auth so this module need not import it back. */
export function setAuthHandlers(handlers: { relogin: Relogin; onUnauthenticated: () => void }) {
  relogin = handlers.relogin;
  onUnauthenticated = handlers.onUnauthenticated;
}

export function buildUrl(path: string, query?: Query): string {
  const parts = Object.entries(query ?? {})
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return `${API_ROOT}${path}${parts.length ? `?${parts.join('&')}` : ''}`;
}

function toApiError(status: number, body: unknown): ApiError {
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    return new ApiError(status, parsed.data.code, parsed.data.message, parsed.data.details ?? []);
  }
  const code = errorCodeForStatus(status);
  return new ApiError(status, code, ERROR_MESSAGES[code]);
}

async function send(opts: RequestOptions<unknown>) {
  const method = opts.method ?? 'GET';
  const header: Record<string, string> = { ...opts.headers };
  const token = getSession().token;
  if (opts.auth !== false && token) header.Authorization = `Bearer ${token}`;
  // An empty JSON body is rejected by the server, so body-carrying methods always send an object.
  const data = method === 'GET' ? undefined : (opts.data ?? {});
  if (data !== undefined) header['Content-Type'] = 'application/json';
  try {
    return await Taro.request({
      url: buildUrl(opts.path, opts.query),
      method,
      data: data as Record<string, unknown> | undefined,
      header,
      dataType: opts.as === 'text' ? 'text' : 'json',
      responseType: opts.as === 'arraybuffer' ? 'arraybuffer' : 'text',
      timeout: 15000,
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', '网络连接失败，请检查网络后重试');
  }
}

export async function request<T>(opts: RequestOptions<T>): Promise<T> {
  let res = await send(opts as RequestOptions<unknown>);

  if (res.statusCode === 401 && opts.auth !== false && relogin) {
    try {
      // Concurrent 401s share one sign-in instead of racing for codes.
      pendingRelogin = pendingRelogin ?? relogin();
      await pendingRelogin;
    } catch {
      onUnauthenticated?.();
      throw toApiError(res.statusCode, res.data);
    } finally {
      pendingRelogin = null;
    }
    res = await send(opts as RequestOptions<unknown>);
    if (res.statusCode === 401) onUnauthenticated?.();
  }

  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw toApiError(res.statusCode, res.data);
  }
  if (!opts.schema) return res.data as T;
  const parsed = opts.schema.safeParse(res.data);
  if (!parsed.success) {
    console.warn('[http] answer does not match its schema', opts.path, parsed.error.issues);
    throw new ApiError(res.statusCode, 'BAD_RESPONSE', '服务器返回的数据格式有误，请稍后再试');
  }
  return parsed.data;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return '操作失败，请稍后再试';
}

export function newIdempotencyKey(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${Math.random().toString(36).slice(2, 10)}`;
}
