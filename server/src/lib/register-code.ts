import { randomBytes } from 'node:crypto';

/** What `/r/:code` accepts: url-safe and short enough for a mini-program code's `scene` (≤ 32). */
export const REGISTER_CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** 72 random bits as 12 base64url characters: unguessable, and well under the 32-character limit. */
export const newRegisterCode = () => randomBytes(9).toString('base64url');
