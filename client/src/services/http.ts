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

const NETWORK_MESSAGE = '网络连接失败，请检查网络后重试';

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
  const header: Record<string, string> = { ...opts.headers, ...authHeader(opts.auth) };
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
    throw new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE);
  }
}

function authHeader(auth: boolean | undefined): Record<string, string> {
  const token = getSession().token;
  return auth !== false && token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Runs one exchange and, on a 401, signs in again once and repeats it: every transport (Taro.request,
 * fetch for uploads and H5 downloads, Taro.downloadFile) shares this, so all of them re-login alike.
 */
async function withRelogin<R>(attempt: () => Promise<R>, statusOf: (r: R) => number, auth: boolean | undefined): Promise<R> {
  let res = await attempt();
  if (statusOf(res) === 401 && auth !== false && relogin) {
    try {
      // Concurrent 401s share one sign-in instead of racing for codes.
      pendingRelogin = pendingRelogin ?? relogin();
      await pendingRelogin;
    } catch {
      onUnauthenticated?.();
      return res;
    } finally {
      pendingRelogin = null;
    }
    res = await attempt();
    if (statusOf(res) === 401) onUnauthenticated?.();
  }
  return res;
}

export async function request<T>(opts: RequestOptions<T>): Promise<T> {
  const res = await withRelogin(
    () => send(opts as RequestOptions<unknown>),
    (r) => r.statusCode,
    opts.auth,
  );
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

/**
 * fetch() with the session token for what Taro.request cannot carry (multipart uploads, binary
 * downloads in H5): same re-login on 401, same error shape. Returns the 2xx Response.
 */
export async function fetchWithSession(path: string, query: Query | undefined, init: RequestInit = {}): Promise<Response> {
  const res = await withRelogin(
    async () => {
      try {
        return await fetch(buildUrl(path, query), {
          ...init,
          headers: { ...(init.headers as Record<string, string>), ...authHeader(true) },
        });
      } catch {
        throw new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE);
      }
    },
    (r) => r.status,
    true,
  );
  if (!res.ok) throw toApiError(res.status, await res.json().catch(() => null));
  return res;
}

/** Taro.downloadFile with the session token (weapp documents); the error body is read back from the temporary file. */
export async function downloadWithSession(path: string, query: Query | undefined): Promise<string> {
  const file = await withRelogin(
    async () => {
      try {
        return await Taro.downloadFile({ url: buildUrl(path, query), header: authHeader(true) });
      } catch {
        throw new ApiError(0, 'NETWORK_ERROR', NETWORK_MESSAGE);
      }
    },
    (r) => r.statusCode,
    true,
  );
  if (file.statusCode !== 200) {
    let body: unknown = null;
    try {
      body = JSON.parse(Taro.getFileSystemManager().readFileSync(file.tempFilePath, 'utf8') as string);
    } catch {
      // not JSON: the generic message of the status
    }
    throw toApiError(file.statusCode, body);
  }
  return file.tempFilePath;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return '操作失败，请稍后再试';
}

export function newIdempotencyKey(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}-${Math.random().toString(36).slice(2, 10)}`;
}
