import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { CertificateKey, CertificateVerification } from '@pioneer/shared';

/** JSON with keys sorted at every level and no spaces: the bytes that are signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `张*明`: the first and last character kept (two-character names keep the first). */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

// DER prefixes of an Ed25519 PKCS#8 private key and SPKI public key around the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface SigningKey {
  keyId: string;
  /** base64url of the 32 raw bytes. */
  publicKey: string;
  sign(payload: string): string;
}

/** The key signing certificates, from its 32-byte seed (64 hex characters). */
export function signingKeyFromSeed(seedHex: string): SigningKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  const raw = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  return {
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
    publicKey: raw.toString('base64url'),
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url'),
  };
}

function publicKeyOf(raw: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(raw, 'base64url')]), format: 'der', type: 'spki' });
}

/**
 * Recomputes a certificate's public answer against the listed keys: the key is listed, the
 * signature holds over the payload's UTF-8 bytes, the payload is canonical and names the same
 * number, and the certificate is not revoked. Every problem found is named.
 */
export function verifyCertificate(answer: CertificateVerification, keys: CertificateKey[]): { holds: boolean; problems: string[] } {
  const problems: string[] = [];
  const key = keys.find((k) => k.keyId === answer.keyId);
  if (!key) problems.push(`the signing key ${answer.keyId} is not among the listed keys`);
  else {
    let ok = false;
    try {
      ok = verify(null, Buffer.from(answer.payload, 'utf8'), publicKeyOf(key.publicKey), Buffer.from(answer.signature, 'base64url'));
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`the signature does not verify with key ${answer.keyId}: the payload or the signature was changed`);
  }
  let payload: { no?: unknown } | null = null;
  try {
    payload = JSON.parse(answer.payload) as { no?: unknown };
  } catch {
    problems.push('the payload is not JSON');
  }
  if (payload) {
    if (canonicalJson(payload) !== answer.payload) problems.push('the payload is not in canonical form (keys sorted, no spaces)');
    if (payload.no !== answer.no) problems.push(`the payload names certificate ${String(payload.no)}, not ${answer.no}`);
  }
  if (answer.status === 'revoked') {
    problems.push(
      `the certificate was revoked${answer.revokedAt ? ` at ${answer.revokedAt}` : ''}${answer.reason ? ` (${answer.reason})` : ''}`,
    );
  }
  return { holds: problems.length === 0, problems };
}
