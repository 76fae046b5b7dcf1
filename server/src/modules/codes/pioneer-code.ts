import { createHmac, timingSafeEqual } from 'node:crypto';
import { isId } from '@pioneer/shared';
import { AppError } from '../../lib/errors';
import type { Clock } from '../../lib/clock';

/** The purpose the code's key is derived for: no other token of the system is signed with it. */
export const PIONEER_CODE_PURPOSE = 'pioneer-code:member-code';
const PIONEER_CODE_TTL_SECONDS = 60;
/**
 * What `/c/:code` and the verifier accept before anything is decoded: base64url of version,
 * member id, issue time, lifetime and MAC (34 bytes, 46 characters).
 */
export const PIONEER_CODE_PATTERN = /^[A-Za-z0-9_-]{46}$/;

const VERSION = 1;
const MAC_BYTES = 12;
const BODY_BYTES = 1 + 16 + 4 + 1;
/** A code issued by another process whose clock runs a little ahead is still accepted. */
const FUTURE_SKEW_SECONDS = 5;

interface PioneerCodeFields {
  memberId: string;
  /** Unix seconds. */
  issuedAt: number;
  /** Seconds; the verifier refuses anything over 60. */
  lifetime: number;
}

function macKey(secret: string): Buffer {
  return createHmac('sha256', secret).update(`${PIONEER_CODE_PURPOSE}:key`).digest();
}

function mac(key: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', key).update(`${PIONEER_CODE_PURPOSE}:v${VERSION}:`).update(body).digest().subarray(0, MAC_BYTES);
}

function memberIdOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Writes a code for given fields. The app only issues 60 s codes; tests use this to make codes
 * the verifier must refuse (a longer lifetime, another key).
 */
export function encodePioneerCode(fields: PioneerCodeFields, secret: string): string {
  if (!isId(fields.memberId)) throw new Error('member id must be a UUID');
  const body = Buffer.alloc(BODY_BYTES);
  body.writeUInt8(VERSION, 0);
  Buffer.from(fields.memberId.replace(/-/g, ''), 'hex').copy(body, 1);
  body.writeUInt32BE(fields.issuedAt, 17);
  body.writeUInt8(fields.lifetime, 21);
  return Buffer.concat([body, mac(macKey(secret), body)]).toString('base64url');
}

/**
 * The code inside what a scanner read: the bare code, or the `<PUBLIC_URL>/c/<code>` link the QR
 * carries (whatever host: the MAC, not the link, proves the code). Null when neither.
 */
function codeFromScan(text: string): string | null {
  const value = text.trim();
  if (PIONEER_CODE_PATTERN.test(value)) return value;
  const match = /\/c\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(value);
  return match && PIONEER_CODE_PATTERN.test(match[1]) ? match[1] : null;
}

/**
 * The 先锋码: a member id, its issue time and lifetime, and a truncated HMAC under a key derived
 * for this purpose only, so neither a session token nor an invite can pass as one. Compact on
 * purpose: inside `<PUBLIC_URL>/c/<code>` it stays a version ≤ 5 QR that scans from a worn screen.
 */
export function pioneerCodeServiceFactory(deps: {
  secret: string;
  clock: Clock;
  /** Base of the link the QR carries; without it the link is the bare `/c/<code>` path. */
  publicUrl?: string;
  ttlSeconds?: number;
}) {
  const ttl = Math.min(deps.ttlSeconds ?? PIONEER_CODE_TTL_SECONDS, PIONEER_CODE_TTL_SECONDS);
  const key = macKey(deps.secret);

  return {
    issue(memberId: string): { token: string; url: string; expiresAt: Date } {
      const issuedAt = Math.floor(deps.clock.now().getTime() / 1000);
      const token = encodePioneerCode({ memberId, issuedAt, lifetime: ttl }, deps.secret);
      return { token, url: `${deps.publicUrl ?? ''}/c/${token}`, expiresAt: new Date((issuedAt + ttl) * 1000) };
    },

    /**
     * The member id a scanned code names: CODE_EXPIRED past its lifetime, CODE_INVALID for
     * anything else (malformed, forged, another version, a lifetime over 60 s, issued in the future).
     */
    verify(scanned: string): { memberId: string } {
      const code = codeFromScan(scanned);
      if (!code) throw new AppError('CODE_INVALID');
      const raw = Buffer.from(code, 'base64url');
      if (raw.length !== BODY_BYTES + MAC_BYTES) throw new AppError('CODE_INVALID');
      const body = raw.subarray(0, BODY_BYTES);
      if (!timingSafeEqual(mac(key, body), raw.subarray(BODY_BYTES))) throw new AppError('CODE_INVALID');
      if (body.readUInt8(0) !== VERSION) throw new AppError('CODE_INVALID');
      const issuedAt = body.readUInt32BE(17);
      const lifetime = body.readUInt8(21);
      if (lifetime < 1 || lifetime > PIONEER_CODE_TTL_SECONDS) throw new AppError('CODE_INVALID');
      const nowMs = deps.clock.now().getTime();
      if (issuedAt * 1000 > nowMs + FUTURE_SKEW_SECONDS * 1000) throw new AppError('CODE_INVALID');
      if (nowMs >= (issuedAt + lifetime) * 1000) throw new AppError('CODE_EXPIRED');
      return { memberId: memberIdOf(body.subarray(1, 17)) };
    },
  };
}

export type PioneerCodeService = ReturnType<typeof pioneerCodeServiceFactory>;
