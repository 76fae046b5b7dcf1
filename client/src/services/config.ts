const rawBase = (process.env.TARO_APP_API_BASE ?? '').replace(/\/+$/, '');

/** '' on H5 means the page's own origin, which is how the server serves the H5 build. */
export const API_ROOT = `${rawBase}/api/v1`;

export function liveSocketUrl(token: string): string {
  let origin = rawBase;
  if (!origin && typeof window !== 'undefined' && window.location) {
    origin = `${window.location.protocol}//${window.location.host}`;
  }
  const wsOrigin = origin.replace(/^http/, 'ws');
  return `${wsOrigin}/api/v1/live?token=${encodeURIComponent(token)}`;
}

export const IS_H5 = process.env.TARO_ENV === 'h5';

/** Version of the personal-information notice the member agrees to when registering. */
export const CONSENT_VERSION = '2026-01';
