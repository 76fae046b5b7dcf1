/**
 * npm run verify-certificate -- <no | url | file>
 *
 * Recomputes a 志愿服务记录证明 from its public answer: the Ed25519 signature over the canonical
 * payload with the listed key (a rotated key stays listed), the payload's form and number, and
 * whether it was revoked. `no` (XF-2026-000123) asks `PUBLIC_URL` (default http://127.0.0.1:3000);
 * a URL may be the `/v/<no>` link of the QR or the API's `/certificates/<no>/verify`; a file holds
 * the verify answer, with the keys beside it under `keys` or fetched from `PUBLIC_URL`.
 * Exits 0 when it holds, 1 when it does not, 2 when it could not be checked.
 */
import { readFile } from 'node:fs/promises';
import type { CertificateKey, CertificateVerification } from '@pioneer/shared';
import { verifyCertificate } from '../src/modules/certificates/certificate-signing';

const NO = /^XF-\d{4}-\d{6,}$/;

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** The answer and where the keys are, from whatever was given. */
async function load(source: string): Promise<{ answer: CertificateVerification; keys: CertificateKey[] }> {
  const base = (process.env.PUBLIC_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const fromServer = async (origin: string, no: string) => ({
    answer: await getJson<CertificateVerification>(`${origin}/api/v1/certificates/${encodeURIComponent(no)}/verify`),
    keys: (await getJson<{ keys: CertificateKey[] }>(`${origin}/api/v1/certificates/keys`)).keys,
  });
  if (NO.test(source)) return fromServer(base, source);
  if (/^https?:\/\//.test(source)) {
    const url = new URL(source);
    const no = /\/(?:v|certificates)\/(XF-\d{4}-\d{6,})/.exec(url.pathname)?.[1];
    if (!no) throw new Error(`${source} names no certificate (expected …/v/XF-YYYY-NNNNNN)`);
    return fromServer(url.origin, no);
  }
  const file = JSON.parse(await readFile(source, 'utf8')) as CertificateVerification & { keys?: CertificateKey[] };
  const keys = file.keys ?? (await getJson<{ keys: CertificateKey[] }>(`${base}/api/v1/certificates/keys`)).keys;
  return { answer: file, keys };
}

async function main() {
  const source = process.argv[2];
  if (!source) {
    console.error('usage: npm run verify-certificate -- <no | url | file>');
    process.exit(2);
  }
  const { answer, keys } = await load(source);
  const { holds, problems } = verifyCertificate(answer, keys);
  if (holds) {
    console.log(`holds: ${answer.no} is valid and its signature verifies with the listed key ${answer.keyId}`);
    return;
  }
  console.log(`does not hold: ${answer.no}`);
  for (const p of problems) console.log(`  - ${p}`);
  process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
