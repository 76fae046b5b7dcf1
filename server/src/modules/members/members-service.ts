import QRCode from 'qrcode';
import {
  isId,
  type Member,
  type MemberUpsertBody,
  type PioneerCodeResponse,
  type PioneerCodeVerifyResponse,
  type VerifiedClaim,
} from '@pioneer/shared';
import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { AppError, invalid } from '../../lib/errors';
import type { PioneerCodeService } from '../codes/pioneer-code';
import { writeAudit } from '../../lib/audit';
import type { DirectoryPort } from '../directory/directory-port';
import type { MemberInsert, MembersRepository, MemberView, PostScope } from './members-repository';
import { encryptPhone, hashPhone, maskPhone, tryDecryptPhone } from '../../lib/phone-crypto';

/** Posts are local to one city in China (UTC+8, no daylight saving): "today" is its calendar day. */
const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

function chinaDayAround(now: Date): { from: Date; to: Date } {
  const start = Math.floor((now.getTime() + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
  return { from: new Date(start), to: new Date(start + DAY_MS) };
}

/** Fields compared for the audit trail; the phone is compared by its keyed hash. */
const PLAIN_FIELDS = [
  'name',
  'unitOrgId',
  'workUnit',
  'communityOrgId',
  'estateId',
  'building',
  'unitNo',
  'room',
  'consentVersion',
] as const;

/** The registration fields stored as given (the phone is stored apart: encrypted, hashed, masked). */
function profileOf(body: MemberUpsertBody) {
  const { phone: _phone, ...profile } = body;
  return profile;
}

export function membersServiceFactory(deps: {
  db: Db;
  membersRepository: MembersRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg'>;
  pioneerCodes: PioneerCodeService;
  clock: Clock;
  /** How long before a post starts its check-in opens. */
  checkInOpensMinutes: number;
  phoneEncKey: Buffer;
  phoneHashKey: Buffer;
  /** Told (without any personal data) when a stored phone cannot be decrypted: the answer carries the masked number. */
  onUndecryptablePhone?: () => void;
}) {
  const repo = deps.membersRepository;

  function ownPhone(v: MemberView): string {
    const clear = tryDecryptPhone(deps.phoneEncKey, v.phoneCipher);
    if (clear !== null) return clear;
    deps.onUndecryptablePhone?.();
    return v.phoneMasked;
  }

  /** The owner's own view: the only place the clear phone number leaves the server. */
  const toOwnerMember = (v: MemberView): Member => ({
    id: v.id,
    name: v.name,
    phone: ownPhone(v),
    unitOrg: { id: v.unitOrgId, name: v.unitOrgName },
    workUnit: v.workUnit,
    community: { id: v.communityOrgId, name: v.communityName, districtId: v.communityDistrictId },
    estate: { id: v.estateId, name: v.estateName },
    building: v.building,
    unitNo: v.unitNo,
    room: v.room,
    intentions: v.intentions as Member['intentions'],
    consentVersion: v.consentVersion,
    consentedAt: v.consentedAt.toISOString(),
    registeredAt: v.registeredAt.toISOString(),
  });

  return {
    async getMine(userId: string): Promise<Member> {
      const view = await repo.findViewByUserId(userId);
      if (!view) throw new AppError('NOT_REGISTERED');
      return toOwnerMember(view);
    },

    /** 一键报到 or an update of one's own registration; all checks and writes in one transaction. */
    async upsertMine(userId: string, body: MemberUpsertBody): Promise<Member> {
      const now = deps.clock.now();
      await transaction(deps.db, async (tx) => {
        await repo.lockUser(userId, tx);

        const unitOrg = await deps.directoryRepository.findPartyOrg(body.unitOrgId, tx);
        if (!unitOrg || unitOrg.kind !== 'unit') throw invalid('unitOrgId', 'not a unit party org', '请选择正确的组织关系所在单位党组织');
        const community = await deps.directoryRepository.findPartyOrg(body.communityOrgId, tx);
        if (!community || community.kind !== 'community')
          throw invalid('communityOrgId', 'not a community party org', '请选择正确的报到社区');
        if (!(await repo.estateBelongsTo(body.estateId, body.communityOrgId, tx)))
          throw invalid('estateId', 'estate does not belong to the community', '所选小区不属于该社区');

        const phoneHash = hashPhone(deps.phoneHashKey, body.phone);
        const phoneMasked = maskPhone(body.phone);
        const existing = await repo.findByUserId(userId, tx);

        if (!existing) {
          const values: MemberInsert = {
            userId,
            ...profileOf(body),
            phoneCipher: encryptPhone(deps.phoneEncKey, body.phone),
            phoneHash,
            phoneMasked,
            consentedAt: now,
            registeredAt: now,
            updatedAt: now,
          };
          const row = await repo.insert(values, tx);
          await repo.recordConsent(row.id, body.consentVersion, 'given', now, tx);
          await writeAudit(tx, {
            at: now,
            actorUserId: userId,
            action: 'member.register',
            entity: 'member',
            entityId: row.id,
            data: { fields: [...PLAIN_FIELDS, 'phone', 'intentions'], phone: phoneMasked },
          });
          return;
        }

        const changed: string[] = PLAIN_FIELDS.filter((f) => existing[f] !== body[f]);
        const phoneChanged = existing.phoneHash !== phoneHash;
        if (phoneChanged) changed.push('phone');
        const intentionsChanged =
          existing.intentions.length !== body.intentions.length || existing.intentions.some((k, i) => k !== body.intentions[i]);
        if (intentionsChanged) changed.push('intentions');
        if (changed.length === 0) return;

        await repo.update(
          existing.id,
          {
            ...profileOf(body),
            ...(phoneChanged ? { phoneCipher: encryptPhone(deps.phoneEncKey, body.phone), phoneHash, phoneMasked } : {}),
            // Consent time is the moment this version was agreed to, not the last edit.
            ...(existing.consentVersion !== body.consentVersion ? { consentedAt: now } : {}),
            updatedAt: now,
          },
          tx,
        );
        if (existing.consentVersion !== body.consentVersion) {
          await repo.recordConsent(existing.id, body.consentVersion, 'given', now, tx);
        }
        await writeAudit(tx, {
          at: now,
          actorUserId: userId,
          action: 'member.update',
          entity: 'member',
          entityId: existing.id,
          data: { fields: changed, phone: phoneMasked },
        });
      });
      const view = await repo.findViewByUserId(userId);
      if (!view) throw new AppError('INTERNAL_ERROR');
      return toOwnerMember(view);
    },

    async issuePioneerCode(memberId: string | null): Promise<PioneerCodeResponse> {
      if (!memberId) throw new AppError('NOT_REGISTERED');
      const { token, url, expiresAt } = deps.pioneerCodes.issue(memberId);
      // The link, not the bare code, so WeChat's own scanner opens the verify page; margin 4 is the
      // quiet zone the QR standard asks for, which cameras need on a busy background.
      const qrSvg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
      return { token, url, expiresAt: expiresAt.toISOString(), qrSvg };
    },

    /**
     * Who a scanned 先锋码 names, and the member's live claims on the verifier's posts of today
     * (contract v2), among the posts the route lets the verifier see. A well-signed code for a member that no longer exists is just invalid.
     */
    async verifyPioneerCode(verifierPosts: PostScope, token: string): Promise<PioneerCodeVerifyResponse> {
      const { memberId } = deps.pioneerCodes.verify(token);
      if (!isId(memberId)) throw new AppError('CODE_INVALID');
      const member = await repo.findMemberCard(memberId);
      if (!member) throw new AppError('CODE_INVALID');
      const { from, to } = chinaDayAround(deps.clock.now());
      const rows = await repo.liveClaimsBetween(memberId, verifierPosts, from, to);
      const claims: VerifiedClaim[] = rows.map((r) => ({
        taskId: r.taskId,
        title: r.title,
        startsAt: r.startsAt.toISOString(),
        endsAt: r.endsAt.toISOString(),
        status: r.status as VerifiedClaim['status'],
        checkInOpensAt: new Date(r.startsAt.getTime() - deps.checkInOpensMinutes * 60_000).toISOString(),
        checkedInAt: r.checkedInAt ? r.checkedInAt.toISOString() : null,
      }));
      return { member, claims };
    },
  };
}

export type MembersService = ReturnType<typeof membersServiceFactory>;
