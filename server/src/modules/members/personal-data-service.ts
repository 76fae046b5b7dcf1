import type { Consent, DeregisterResponse, MemberExport, MemberServiceData, PersonalReadResponse } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';

type ServiceData = MemberServiceData;
import { writeAudit } from '../../lib/audit';
import type { Clock } from '../../lib/clock';
import { AppError, isAppError, notFound } from '../../lib/errors';
import type { ClaimsService } from '../claims/claims-service';
import type { WaitlistService } from '../waitlist/waitlist-service';
import type { HouseholdsPort } from '../households/households-port';
import type { MembersRepository } from './members-repository';
import type { MembersService } from './members-service';
import type { PersonalDataRepository } from './personal-data-repository';
import { decryptPhone } from '../../lib/phone-crypto';

const iso = (d: Date | string) => new Date(d).toISOString();

export function personalDataServiceFactory(deps: {
  db: Db;
  repo: PersonalDataRepository;
  membersRepository: MembersRepository;
  membersService: Pick<MembersService, 'getMine'>;
  householdsRepository: HouseholdsPort;
  claimsService: Pick<ClaimsService, 'records'>;
  waitlistService: Pick<WaitlistService, 'cancelMine' | 'leave' | 'withdraw'>;
  clock: Clock;
  phoneEncKey: Buffer;
  /** Ends the user's sessions in this process at once (others hear the notification). */
  sessionsRevoked: (userId: string, tokenVersion: number) => void;
  /** The member's points, corrections and certificates, from the modules owning them (the export). */
  serviceData?: (memberId: string) => Promise<ServiceData>;
  /** 注销 in those modules: their rows move to the anonymous id, in the erasing transaction. */
  eraseServiceData?: (tx: DbOrTx, memberId: string, anonymous: string) => Promise<void>;
}) {
  const { repo, clock } = deps;

  async function memberOf(userId: string) {
    const row = await deps.membersRepository.findByUserId(userId);
    if (!row) throw new AppError('NOT_REGISTERED');
    return row;
  }

  async function deregister(userId: string, reason: 'deregister' | 'consent_withdrawn'): Promise<DeregisterResponse> {
    const member = await memberOf(userId);
    const claimant = { userId, memberId: member.id };
    // Upcoming claims go back to their posts first, through the claims' own code path (counters, waitlist, live counts).
    const now = clock.now();
    const upcoming = (await deps.claimsService.records(claimant)).items.filter(
      (r) => r.claim.status === 'claimed' && Date.parse(r.task.startsAt) > now.getTime(),
    );
    let cancelled = 0;
    let kept = 0;
    for (const r of upcoming) {
      try {
        await deps.waitlistService.cancelMine(member.id, r.task.id);
        cancelled++;
      } catch (e) {
        // Inside the cancellation cutoff the slot stays taken, now by nobody in particular.
        if (isAppError(e) && (e.code === 'CANCEL_TOO_LATE' || e.code === 'NOT_CLAIMED')) kept++;
        else throw e;
      }
    }
    // Places in waitlists (an offer moves on to the next) and entries in draws not yet drawn.
    const pending = await repo.pendingEntries(member.id);
    for (const taskId of pending.waitlist) {
      await deps.waitlistService.leave(member.id, taskId).catch((e) => {
        if (!(isAppError(e) && e.code === 'NOT_WAITLISTED')) throw e;
      });
    }
    for (const taskId of pending.draws) {
      await deps.waitlistService.withdraw(member.id, taskId).catch((e) => {
        if (!isAppError(e)) throw e;
      });
    }
    const tokenVersion = await deps.db.transaction(async (tx) => {
      const locked = await repo.lockMember(userId, tx);
      if (!locked) throw new AppError('NOT_REGISTERED');
      const { anonymous, tokenVersion } = await repo.erase(userId, locked.id, tx);
      await deps.eraseServiceData?.(tx, locked.id, anonymous);
      await writeAudit(tx, {
        at: clock.now(),
        actorUserId: null,
        action: reason === 'deregister' ? 'member.deregister' : 'member.consent_withdrawn',
        entity: 'member',
        entityId: anonymous,
        data: { cancelledClaims: cancelled, keptClaims: kept },
      });
      return tokenVersion;
    });
    deps.sessionsRevoked(userId, tokenVersion);
    return { status: 'deregistered', cancelledClaims: cancelled, keptClaims: kept };
  }

  return {
    async exportMine(userId: string): Promise<MemberExport> {
      const profile = await deps.membersService.getMine(userId);
      const member = await memberOf(userId);
      const [user, roles, consents, claims, records, audit, match, messages, other] = await Promise.all([
        repo.user(userId),
        repo.roles(userId),
        repo.consents(member.id),
        repo.claims(member.id),
        deps.claimsService.records({ userId, memberId: member.id }),
        repo.auditAbout(member.id),
        deps.householdsRepository.memberMatch(member.id),
        repo.messages(userId),
        repo.otherData(member.id, userId),
      ]);
      if (!user) throw new AppError('UNAUTHENTICATED');
      return {
        exportedAt: clock.now().toISOString(),
        user: {
          id: user.id,
          createdAt: iso(user.created_at),
          lastLoginAt: iso(user.last_login_at),
          roles: [{ role: 'member', orgId: null }, ...roles.map((r) => ({ role: r.role, orgId: r.org_id }))],
        },
        profile: { ...profile, updatedAt: member.updatedAt.toISOString() },
        householdMatch: match ?? 'unmatched',
        consents: consents.map((c) => ({ version: c.version, action: c.action, at: iso(c.at) })),
        claims: claims.map((c) => ({
          claim: {
            id: c.id,
            taskId: c.task_id,
            memberId: c.member_id,
            status: c.status as MemberExport['claims'][number]['claim']['status'],
            claimedAt: iso(c.claimed_at),
            cancelledAt: c.cancelled_at ? iso(c.cancelled_at) : null,
            checkedInAt: c.checked_in_at ? iso(c.checked_in_at) : null,
            checkedOutAt: c.checked_out_at ? iso(c.checked_out_at) : null,
            minutes: c.minutes,
          },
          task: { id: c.task_id, title: c.title, community: c.community, startsAt: iso(c.starts_at), endsAt: iso(c.ends_at) },
        })),
        records: records.totals,
        messages: messages.map((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]))),
        auditTrail: audit.map((a) => ({
          at: iso(a.at),
          action: a.action,
          byMe: a.actor_user_id === userId,
          reason: typeof a.data.reason === 'string' ? a.data.reason : null,
        })),
        waitlist: other.waitlist.map((w) => ({
          taskId: w.task_id,
          title: w.title,
          status: w.status,
          offeredAt: w.offered_at ? iso(w.offered_at) : null,
          offerExpiresAt: w.offer_expires_at ? iso(w.offer_expires_at) : null,
          createdAt: iso(w.created_at),
        })),
        draws: other.draws.map((d) => ({
          taskId: d.task_id,
          title: d.title,
          status: d.status,
          rank: d.rank,
          createdAt: iso(d.created_at),
        })),
        standing: other.standing
          ? {
              noShows: other.standing.no_shows,
              suspendedUntil: other.standing.suspended_until ? iso(other.standing.suspended_until) : null,
            }
          : null,
        preferences: other.preferences
          ? { followCategories: other.preferences.follow_categories, remindBeforeMinutes: other.preferences.remind_before_minutes }
          : null,
        calendarFeed: other.calendarFeed
          ? { generation: other.calendarFeed.generation, createdAt: iso(other.calendarFeed.created_at) }
          : null,
        subscriptionCredits: other.subscriptionCredits.map((c) => ({ templateKey: c.template_key, credits: c.credits })),
        demands: other.demands.map((d) => ({
          id: d.id,
          community: d.community,
          text: d.text,
          category: d.category,
          status: d.status,
          note: d.note,
          createdAt: iso(d.created_at),
          triagedAt: d.triaged_at ? iso(d.triaged_at) : null,
        })),
        ...(deps.serviceData ? await deps.serviceData(member.id) : {}),
      };
    },

    deregister: (userId: string) => deregister(userId, 'deregister'),

    async consents(userId: string): Promise<Consent[]> {
      const member = await memberOf(userId);
      return (await repo.consents(member.id)).map((c) => ({ version: c.version, action: c.action, at: iso(c.at) }));
    },

    async giveConsent(userId: string, version: string): Promise<Consent[]> {
      const now = clock.now();
      await deps.db.transaction(async (tx) => {
        const locked = await repo.lockMember(userId, tx);
        if (!locked) throw new AppError('NOT_REGISTERED');
        await deps.membersRepository.update(locked.id, { consentVersion: version, consentedAt: now, updatedAt: now }, tx);
        await repo.recordConsent(locked.id, version, 'given', now, tx);
      });
      return this.consents(userId);
    },

    /** Withdrawing consent ends the processing of the profile: the same erasure as 注销. */
    withdrawConsent: (userId: string) => deregister(userId, 'consent_withdrawn'),

    /** A member's full phone and home for a member of its community's staff; who, whose, when and why go to the audit log. */
    async readForStaff(actorUserId: string, communityOrgId: string, memberId: string, reason: string): Promise<PersonalReadResponse> {
      return deps.db.transaction(async (tx) => {
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
          phone: decryptPhone(deps.phoneEncKey, row.phoneCipher),
          home: { estate: card.estate.name, building: row.building, unitNo: row.unitNo, room: row.room },
        };
      });
    },
  };
}

export type PersonalDataService = ReturnType<typeof personalDataServiceFactory>;
