import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

// IVs are cut from a pool of CSPRNG bytes refilled 4,096 IVs at a time: a registry import
// encrypts hundreds of thousands of values, and one randomBytes() call each was most of its cost.
const IV_POOL = Buffer.alloc(IV_BYTES * 4096);
let ivOffset = IV_POOL.length;
function nextIv(): Buffer {
  if (ivOffset === IV_POOL.length) {
    randomFillSync(IV_POOL);
    ivOffset = 0;
  }
  const iv = Buffer.from(IV_POOL.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

/** AES-256-GCM with a random IV: the same number encrypts differently each time. Result: base64(iv | tag | ciphertext). */
export function encryptPhone(key: Buffer, phone: string): string {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(phone, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/** Throws if the value was tampered with or encrypted under another key. */
export function decryptPhone(key: Buffer, stored: string): string {
  const raw = Buffer.from(stored, 'base64');
  if (raw.length <= IV_BYTES + TAG_BYTES) throw new Error('phone cipher too short');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/**
 * The clear number, or null when the stored value cannot be decrypted (tampered with, or written
 * under a key that is gone): callers answer with the masked number instead of failing.
 */
export function tryDecryptPhone(key: Buffer, stored: string): string | null {
  try {
    return decryptPhone(key, stored);
  } catch {
    return null;
  }
}

/** Keyed, so a leaked table cannot be reversed by hashing the ~10^10 possible numbers. */
export function hashPhone(key: Buffer, phone: string): string {
  return createHmac('sha256', key).update(phone).digest('hex');
}

/** `13812345678` → `138****5678`. */
export function maskPhone(phone: string): string {
  if (phone.length < 8) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}
