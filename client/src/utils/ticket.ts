import { sha256 } from 'js-sha256';

/**
 * The draw ticket, computed by the app itself (contract v2): the first 16 lowercase hex
 * characters of SHA-256 of `<taskId>:<memberId>:<nonce>`. js-sha256 is pure JS, so the same
 * code runs in the mini-program and in H5.
 */
export const ticketOf = (taskId: string, memberId: string, nonce: string) => sha256(`${taskId}:${memberId}:${nonce}`).slice(0, 16);

/** 32 hex characters chosen by this device: the server cannot pick a member's ticket. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
