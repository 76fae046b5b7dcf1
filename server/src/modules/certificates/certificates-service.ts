import type {
  Certificate,
  CertificateCreateBody,
  CertificateKey,
  CertificateSettings,
  CertificateSettingsBody,
  CertificateVerification,
} from '@pioneer/shared';
import { SEAL_MAX_BYTES } from '@pioneer/shared';
import type { DbOrTx } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { AppError, invalid, notFound } from '../../lib/errors';
import { oversees } from '../../lib/scope';
import type { Principal } from '../../lib/principal';
import { renderCertificatePdf } from './certificate-pdf';
import { canonicalJson, maskName, type SigningKey } from './certificate-signing';
import type { CertificateRow, CertificatesRepository } from './certificates-repository';

/** A record a certificate lists (a completed claim with its post). */
interface CertifiedRecord {
  claimId: string;
  startsAt: Date;
  title: string;
  category: string;
  minutes: number;
}

/** What is signed: the facts of the certificate, the holder's name masked. */
interface SignedPayload {
  no: string;
  memberName: string;
  from: string;
  to: string;
  totalMinutes: number;
  items: Array<{ date: string; title: string; category: string; minutes: number }>;
  issuer: { orgId: string; name: string; leader: string; handler: string };
  issuedAt: string;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const REVOKED_BY_AMENDMENT = 'records_amended';
/** The calendar day in China time (records and certificates name days there). */
const chinaDay = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

export function certificatesServiceFactory(deps: {
  certificatesRepository: CertificatesRepository;
  signingKey: SigningKey;
  publicUrl: string;
  clock: Clock;
  recordsFor(memberId: string, range: { from: string; to: string }, communityOrgId: string): Promise<CertifiedRecord[]>;
  member(memberId: string): Promise<{ name: string; phoneMasked: string } | null>;
  community(id: string): Promise<{ id: string; name: string; districtId: string }>;
}) {
  const repo = deps.certificatesRepository;
  const verifyUrl = (no: string) => `${deps.publicUrl}/v/${no}`;
  let keyRegistered: Promise<void> | null = null;
  // The current key is listed before it first signs; a rotated one stays listed (rows are never removed).
  const ensureKey = () => (keyRegistered ??= repo.registerKey(deps.signingKey.keyId, deps.signingKey.publicKey));

  function toCertificate(row: CertificateRow, memberName: string): Certificate {
    const p = JSON.parse(row.payload) as SignedPayload;
    return {
      no: row.no,
      status: row.status,
      memberName,
      from: p.from,
      to: p.to,
      totalMinutes: p.totalMinutes,
      items: p.items,
      issuer: { orgId: p.issuer.orgId, name: p.issuer.name },
      issuedAt: p.issuedAt,
      verifyUrl: verifyUrl(row.no),
      revokedAt: row.revokedAt?.toISOString() ?? null,
      reason: row.revokeReason,
    };
  }

  async function load(no: string): Promise<CertificateRow> {
    const row = await repo.findByNo(no);
    if (!row) throw notFound('证明不存在');
    return row;
  }

  /** The holder, or the issuing community's staff; others learn nothing (404). */
  async function readable(p: Principal, no: string): Promise<CertificateRow> {
    const row = await load(no);
    if (row.memberId === p.memberId) return row;
    if (oversees(p, await deps.community(row.communityOrgId))) return row;
    throw notFound('证明不存在');
  }

  return {
    ensureKey,

    async issue(p: Principal, body: CertificateCreateBody): Promise<Certificate> {
      if (!p.memberId) throw new AppError('NOT_REGISTERED');
      const orgId = body.communityOrgId ?? p.memberCommunityOrgId;
      if (!orgId) throw invalid('communityOrgId', 'required', '请指定出具证明的社区');
      const [issuer, holder] = await Promise.all([deps.community(orgId), deps.member(p.memberId)]);
      if (!holder) throw new AppError('NOT_REGISTERED');
      const records = await deps.recordsFor(p.memberId, { from: body.from, to: body.to }, orgId);
      if (records.length === 0)
        throw new AppError('CONFLICT', '该时间段内没有可证明的服务记录', { details: [{ path: 'from', reason: 'no_records' }] });
      const settings = await repo.settings(orgId);
      await ensureKey();
      const issuedAt = deps.clock.now();
      const no = await repo.nextNo(Number(chinaDay(issuedAt).slice(0, 4)));
      const items = records.map((r) => ({ date: chinaDay(r.startsAt), title: r.title, category: r.category, minutes: r.minutes }));
      const totalMinutes = items.reduce((s, i) => s + i.minutes, 0);
      const payload: SignedPayload = {
        no,
        memberName: maskName(holder.name),
        from: body.from,
        to: body.to,
        totalMinutes,
        items,
        issuer: { orgId, name: issuer.name, leader: settings?.leader ?? '', handler: settings?.handler ?? '' },
        issuedAt: issuedAt.toISOString(),
      };
      const text = canonicalJson(payload);
      const row = await repo.insert({
        no,
        memberId: p.memberId,
        communityOrgId: orgId,
        fromDay: body.from,
        toDay: body.to,
        totalMinutes,
        claimIds: records.map((r) => r.claimId),
        payload: text,
        signature: deps.signingKey.sign(text),
        keyId: deps.signingKey.keyId,
        issuedAt,
      });
      return toCertificate(row, holder.name);
    },

    async mine(p: Principal): Promise<Certificate[]> {
      if (!p.memberId) throw new AppError('NOT_REGISTERED');
      const holder = await deps.member(p.memberId);
      return (await repo.ofMember(p.memberId)).map((r) => toCertificate(r, holder?.name ?? ''));
    },

    async pdf(p: Principal, no: string): Promise<{ no: string; pdf: Buffer }> {
      const row = await readable(p, no);
      const payload = JSON.parse(row.payload) as SignedPayload;
      const [holder, settings] = await Promise.all([deps.member(row.memberId), repo.settings(row.communityOrgId)]);
      const pdf = await renderCertificatePdf({
        no: row.no,
        memberName: holder?.name ?? payload.memberName,
        phoneMasked: holder?.phoneMasked ?? '',
        from: payload.from,
        to: payload.to,
        totalMinutes: payload.totalMinutes,
        items: payload.items,
        issuerName: payload.issuer.name,
        leader: payload.issuer.leader,
        handler: payload.issuer.handler,
        issuedOn: chinaDay(new Date(payload.issuedAt)),
        verifyUrl: verifyUrl(row.no),
        status: row.status,
        sealPng: settings?.sealPng ?? null,
      });
      return { no: row.no, pdf };
    },

    async verify(no: string): Promise<CertificateVerification> {
      const row = await load(no);
      return {
        no: row.no,
        status: row.status,
        payload: row.payload,
        signature: row.signature,
        keyId: row.keyId,
        ...(row.revokedAt ? { revokedAt: row.revokedAt.toISOString() } : {}),
        ...(row.revokeReason ? { reason: row.revokeReason } : {}),
      };
    },

    async keys(): Promise<CertificateKey[]> {
      await ensureKey();
      return (await repo.keys()).map((k) => ({ keyId: k.keyId, alg: 'Ed25519' as const, publicKey: k.publicKey }));
    },

    async settings(orgId: string): Promise<CertificateSettings> {
      const s = await repo.settings(orgId);
      return { leader: s?.leader ?? '', handler: s?.handler ?? '', hasSeal: !!s?.sealPng, updatedAt: s?.updatedAt.toISOString() ?? null };
    },

    async putSettings(p: Principal, orgId: string, body: CertificateSettingsBody): Promise<CertificateSettings> {
      let seal: Buffer | undefined;
      if (body.sealPng !== undefined) {
        seal = Buffer.from(body.sealPng, 'base64');
        if (seal.length > SEAL_MAX_BYTES) throw invalid('sealPng', 'too_large', '印章图片不能超过 200 KB');
        if (seal.length < 33 || !seal.subarray(0, 8).equals(PNG_SIGNATURE) || seal.subarray(12, 16).toString('latin1') !== 'IHDR')
          throw invalid('sealPng', 'not_png', '印章须为 PNG 图片');
      }
      const s = await repo.putSettings({
        orgId,
        leader: body.leader,
        handler: body.handler,
        sealPng: seal,
        updatedBy: p.userId,
        updatedAt: deps.clock.now(),
      });
      return { leader: s.leader, handler: s.handler, hasSeal: !!s.sealPng, updatedAt: s.updatedAt.toISOString() };
    },

    /** Records amended: every valid certificate holding one is revoked, in the amendment's transaction. */
    revokeHolding(tx: DbOrTx, claimIds: string[], at: Date): Promise<string[]> {
      return repo.revokeHolding(tx, claimIds, at, REVOKED_BY_AMENDMENT);
    },
  };
}

export type CertificatesService = ReturnType<typeof certificatesServiceFactory>;
