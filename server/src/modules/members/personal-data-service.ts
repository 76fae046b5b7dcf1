import { randomUUID } from 'node:crypto';
import type { Consent, DeregisterResponse, MemberExport, MemberServiceData, PersonalReadResponse } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import { anonymiseAuditAbout, auditAbout, writeAudit } from '../../lib/audit';
import type { Clock } from '../../lib/clock';
import { AppError, notFound } from '../../lib/errors';
import { isRetryableConflict } from '../../lib/pg-errors';
import type { AuthPersonalDataPort } from '../auth/auth-port';
import type { ClaimsPersonalDataPort } from '../claims/claims-port';
import type { ClaimsService } from '../claims/claims-service';
import type { DemandsPersonalDataPort } from '../demands/demands-port';
import type { NotificationsPersonalDataPort } from '../notifications/notifications-port';
import type { WaitlistPersonalDataPort } from '../waitlist/waitlist-port';
import type { WaitlistService } from '../waitlist/waitlist-service';
import type { HouseholdsPort } from '../households/households-port';
import type { MembersRepository } from './members-repository';
import type { MembersService } from './members-service';
import { tryDecryptPhone } from '../../lib/phone-crypto';

type ServiceData = MemberServiceData;

const iso = (d: Date | string) => new Date(d).toISOString();

export function personalDataServiceFactory(deps: {
  db: Db;
  membersRepository: MembersRepository;
  membersService: Pick<MembersService, 'getMine'>;
  householdsRepository: HouseholdsPort;
  /** Each owner reads and erases its own part of the member. */
  authRepository: AuthPersonalDataPort;
  notificationsRepository: NotificationsPersonalDataPort;
  demandsRepository: DemandsPersonalDataPort;
  claimsService: Pick<ClaimsService, 'records'>;
  claimsRepository: ClaimsPersonalDataPort;
  waitlistRepository: WaitlistPersonalDataPort;
  waitlistService: Pick<WaitlistService, 'releaseMember' | 'slotsChanged'>;
  clock: Clock;
  phoneEncKey: Buffer;
  /** Ends the user's sessions in this process at once (others hear the notification). */
  sessionsRevoked: (userId: string, tokenVersion: number) => void;
  /** The member's points, corrections and certificates, from the modules owning them (the export). */
  serviceData?: (memberId: string) => Promise<ServiceData>;
  /** 注销 in those modules: their rows move to the anonymous id, in the erasing transaction. */
  eraseServiceData?: (tx: DbOrTx, memberId: string, anonymous: string) => Promise<void>;
}) {
  const { clock } = deps;

  async function memberOf(userId: string) {
    const row = await deps.membersRepository.findByUserId(userId);
    if (!row) throw new AppError('NOT_REGISTERED');
    return row;
  }

  /**
   * 注销 in one transaction under one lock: the member's row is locked first, so no claim, place
   * or entry of the member can commit meanwhile (every such insert holds the member's row, see
   * the claims' member check); then each owner gives back or erases its part.
   */
  async function eraseOnce(userId: string, reason: 'deregister' | 'consent_withdrawn') {
    return transaction(deps.db, async (tx) => {
      const locked = await deps.membersRepository.lockByUserId(userId, tx);
      if (!locked) throw new AppError('NOT_REGISTERED');
      // Upcoming claims go back to their posts (counters, waitlist offers, live counts), places in
      // waitlists are left (an offer moves on) and entries in draws not yet drawn withdrawn.
      const released = await deps.waitlistService.releaseMember(tx, locked.id);
      const anonymous = randomUUID();
      await deps.claimsRepository.eraseMember(locked.id, userId, anonymous, tx);
      await deps.waitlistRepository.eraseMember(tx, locked.id, anonymous);
      await anonymiseAuditAbout(tx, locked.id, anonymous, userId);
      await deps.membersRepository.erase(locked.id, tx);
      await deps.notificationsRepository.eraseUser(userId, tx);
      await deps.demandsRepository.detachUser(userId, tx);
      // Points, corrections and certificates: their modules re-label their rows.
      await deps.eraseServiceData?.(tx, locked.id, anonymous);
      const tokenVersion = await deps.authRepository.eraseIdentity(userId, tx);
      await writeAudit(tx, {
        at: clock.now(),
        actorUserId: null,
        action: reason === 'deregister' ? 'member.deregister' : 'member.consent_withdrawn',
        entity: 'member',
        entityId: anonymous,
        data: { cancelledClaims: released.cancelled, keptClaims: released.kept },
      });
      return { ...released, tokenVersion };
    });
  }

  async function deregister(userId: string, reason: 'deregister' | 'consent_withdrawn'): Promise<DeregisterResponse> {
    for (let attempt = 1; ; attempt++) {
      let done: Awaited<ReturnType<typeof eraseOnce>>;
      try {
        done = await eraseOnce(userId, reason);
      } catch (e) {
        // The member's row, then posts: a claim of the same member on one of those posts,
        // holding the post and waiting for the member, can deadlock with it; run it again.
        if (attempt < 3 && isRetryableConflict(e)) continue;
        throw e;
      }
      deps.waitlistService.slotsChanged(done.taskIds);
      deps.sessionsRevoked(userId, done.tokenVersion);
      return { status: 'deregistered', cancelledClaims: done.cancelled, keptClaims: done.kept };
    }
  }

  return {
    async exportMine(userId: string): Promise<MemberExport> {
      const profile = await deps.membersService.getMine(userId);
      const member = await memberOf(userId);
      const [user, roles, consents, claims, records, audit, match, messages, other, notifications, demands] = await Promise.all([
        deps.authRepository.userRecord(userId),
        deps.authRepository.grantsOf(userId),
        deps.membersRepository.consents(member.id),
        deps.claimsRepository.personalData(member.id),
        deps.claimsService.records({ userId, memberId: member.id }),
        auditAbout(deps.db, 'member', member.id),
        deps.householdsRepository.memberMatch(member.id),
        deps.notificationsRepository.messagesOf(userId, deps.db),
        deps.waitlistRepository.personalData(deps.db, member.id),
        deps.notificationsRepository.personalData(member.id, userId, deps.db),
        deps.demandsRepository.byUser(userId),
      ]);
      if (!user) throw new AppError('UNAUTHENTICATED');
      return {
        exportedAt: clock.now().toISOString(),
        user: {
          id: user.id,
          createdAt: iso(user.createdAt),
          lastLoginAt: iso(user.lastLoginAt),
          roles: [{ role: 'member', orgId: null }, ...roles],
        },
        profile: { ...profile, updatedAt: member.updatedAt.toISOString() },
        householdMatch: match ?? 'unmatched',
        consents: consents.map((c) => ({ version: c.version, action: c.action, at: iso(c.at) })),
        claims: claims.map((c) => ({
          claim: {
            id: c.claim.id,
            taskId: c.claim.taskId,
            memberId: c.claim.memberId,
            status: c.claim.status,
            claimedAt: iso(c.claim.claimedAt),
            cancelledAt: c.claim.cancelledAt ? iso(c.claim.cancelledAt) : null,
            checkedInAt: c.claim.checkedInAt ? iso(c.claim.checkedInAt) : null,
            checkedOutAt: c.claim.checkedOutAt ? iso(c.claim.checkedOutAt) : null,
            minutes: c.claim.minutes,
          },
          task: { id: c.claim.taskId, title: c.title, community: c.community, startsAt: iso(c.startsAt), endsAt: iso(c.endsAt) },
          releaseReason: c.claim.releaseReason,
          excuseReason: c.claim.excuseReason,
        })),
        records: records.totals,
        messages: messages.map((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]))),
        auditTrail: audit.map((a) => ({
          at: iso(a.at),
          action: a.action,
          byMe: a.actorUserId === userId,
          reason: typeof a.data.reason === 'string' ? a.data.reason : null,
        })),
        waitlist: other.waitlist.map((w) => ({
          ...w,
          offeredAt: w.offeredAt ? iso(w.offeredAt) : null,
          offerExpiresAt: w.offerExpiresAt ? iso(w.offerExpiresAt) : null,
          createdAt: iso(w.createdAt),
        })),
        draws: other.draws.map((d) => ({ ...d, createdAt: iso(d.createdAt) })),
        standing: other.standing
          ? {
              noShows: other.standing.noShows,
              suspendedUntil: other.standing.suspendedUntil ? iso(other.standing.suspendedUntil) : null,
            }
          : null,
        preferences: notifications.preferences,
        calendarFeed: notifications.calendarFeed
          ? { generation: notifications.calendarFeed.generation, createdAt: iso(notifications.calendarFeed.createdAt) }
          : null,
        subscriptionCredits: notifications.subscriptionCredits,
        demands: demands.map((d) => ({
          ...d,
          createdAt: iso(d.createdAt),
          triagedAt: d.triagedAt ? iso(d.triagedAt) : null,
        })),
        ...(deps.serviceData ? await deps.serviceData(member.id) : {}),
      };
    },

    deregister: (userId: string) => deregister(userId, 'deregister'),

    async consents(userId: string): Promise<Consent[]> {
      const member = await memberOf(userId);
      return (await deps.membersRepository.consents(member.id)).map((c) => ({ version: c.version, action: c.action, at: iso(c.at) }));
    },

    async giveConsent(userId: string, version: string): Promise<Consent[]> {
      const now = clock.now();
      await transaction(deps.db, async (tx) => {
        const locked = await deps.membersRepository.lockByUserId(userId, tx);
        if (!locked) throw new AppError('NOT_REGISTERED');
        await deps.membersRepository.update(locked.id, { consentVersion: version, consentedAt: now, updatedAt: now }, tx);
        await deps.membersRepository.recordConsent(locked.id, version, 'given', now, tx);
      });
      return this.consents(userId);
    },

    /** Withdrawing consent ends the processing of the profile: the same erasure as 注销. */
    withdrawConsent: (userId: string) => deregister(userId, 'consent_withdrawn'),

    /** A member's full phone and home for a member of its community's staff; who, whose, when and why go to the audit log. */
    async readForStaff(actorUserId: string, communityOrgId: string, memberId: string, reason: string): Promise<PersonalReadResponse> {
      return transaction(deps.db, async (tx) => {
        const [card] = await deps.membersRepository.findMemberCards([memberId], tx);
        const row = card ? await deps.membersRepository.findById(memberId, tx) : null;
        if (!card || !row || row.communityOrgId !== communityOrgId) throw notFound('该党员不在本社区');
        await writeAudit(tx, {
          at: clock.now(),
          actorUserId,
          action: 'member.personal_data_read',
          entity: 'member',
          entityId: memberId,
          data: { reason, fields: ['phone', 'home'] },
        });
        return {
          // A number that cannot be decrypted is answered masked rather than failing the read.
          phone: tryDecryptPhone(deps.phoneEncKey, row.phoneCipher) ?? row.phoneMasked,
          home: { estate: card.estate.name, building: row.building, unitNo: row.unitNo, room: row.room },
        };
      });
    },
  };
}

export type PersonalDataService = ReturnType<typeof personalDataServiceFactory>;
