import { createHash, randomBytes } from 'node:crypto';
import type { InviteCreateResponse, InviteRole, User } from '@pioneer/shared';
import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import { writeAudit } from '../../lib/audit';
import type { Clock } from '../../lib/clock';
import { AppError, invalid } from '../../lib/errors';
import type { AuthPort } from '../auth/auth-port';
import { toUser } from '../auth/auth-service';
import type { DirectoryPort } from '../directory/directory-port';
import type { InvitesRepository } from './invites-repository';

const INVITE_TTL_SECONDS = 7 * 24 * 3600;

/** Only the hash is stored: whoever reads the table still cannot accept an invite. */
const hashCode = (code: string) => createHash('sha256').update(code).digest('hex');

/** What an invite grants, resolved and checked: the grant's scope and the district it lies in (for scope checks). */
export interface InviteTarget {
  role: InviteRole;
  orgId: string | null;
  districtId: string | null;
}

export function invitesServiceFactory(deps: {
  db: Db;
  invitesRepository: InvitesRepository;
  directoryRepository: Pick<DirectoryPort, 'findPartyOrg' | 'findDistrict'>;
  authRepository: AuthPort;
  clock: Clock;
  ttlSeconds?: number;
}) {
  const ttlMs = (deps.ttlSeconds ?? INVITE_TTL_SECONDS) * 1000;

  return {
    /** Checks that `orgId` is the right kind of thing for the role. */
    async resolveTarget(role: InviteRole, orgId: string | null | undefined): Promise<InviteTarget> {
      if (role === 'city_admin') {
        if (orgId) throw invalid('orgId', 'must be null for city_admin', '市级管理员邀请不应指定组织');
        return { role, orgId: null, districtId: null };
      }
      if (!orgId) throw invalid('orgId', `required for ${role}`, '请选择组织');
      if (role === 'district_admin') {
        const district = await deps.directoryRepository.findDistrict(orgId);
        if (!district) throw invalid('orgId', 'must be a district id', '所选板块不存在');
        return { role, orgId, districtId: district.id };
      }
      const kind = role === 'secretary' ? 'community' : 'unit';
      const org = await deps.directoryRepository.findPartyOrg(orgId);
      if (!org || org.kind !== kind) {
        throw invalid('orgId', `must be a ${kind} party org id`, kind === 'community' ? '所选社区党组织不存在' : '所选单位党组织不存在');
      }
      return { role, orgId, districtId: org.districtId };
    },

    async create(actorUserId: string, target: InviteTarget): Promise<InviteCreateResponse> {
      const code = randomBytes(18).toString('base64url');
      const expiresAt = new Date(deps.clock.now().getTime() + ttlMs);
      await transaction(deps.db, async (tx) => {
        const invite = await deps.invitesRepository.insert(
          { codeHash: hashCode(code), role: target.role, orgId: target.orgId, createdBy: actorUserId, expiresAt },
          tx,
        );
        await writeAudit(tx, {
          at: deps.clock.now(),
          actorUserId,
          action: 'invite.create',
          entity: 'invite',
          entityId: invite.id,
          data: { role: target.role, orgId: target.orgId, expiresAt: expiresAt.toISOString() },
        });
      });
      return { code, expiresAt: expiresAt.toISOString() };
    },

    async accept(userId: string, code: string): Promise<User> {
      const codeHash = hashCode(code);
      const now = deps.clock.now();
      await transaction(deps.db, async (tx) => {
        const invite = await deps.invitesRepository.consume(codeHash, userId, now, tx);
        if (!invite) {
          const known = await deps.invitesRepository.findByHash(codeHash, tx);
          if (known && !known.acceptedAt && known.expiresAt <= now) throw new AppError('CODE_EXPIRED', '邀请已过期，请联系管理员重新邀请');
          throw new AppError('CODE_INVALID', '邀请码无效或已被使用');
        }
        await deps.authRepository.grant(userId, invite.role, invite.orgId, tx);
        await writeAudit(tx, {
          at: now,
          actorUserId: userId,
          action: 'invite.accept',
          entity: 'invite',
          entityId: invite.id,
          data: { role: invite.role, orgId: invite.orgId },
        });
      });
      const principal = await deps.authRepository.loadPrincipal(userId);
      if (!principal) throw new AppError('UNAUTHENTICATED');
      return toUser(principal);
    },
  };
}

export type InvitesService = ReturnType<typeof invitesServiceFactory>;
