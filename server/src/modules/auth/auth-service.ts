import type { LoginResponse, User } from '@pioneer/shared';
import { AppError } from '../../lib/errors';
import type { Principal } from '../../lib/principal';
import type { AuthRepository } from './auth-repository';
import type { WechatProvider } from './wechat-provider';

export const toUser = (p: Principal): User => ({ id: p.userId, roles: p.roles, memberId: p.memberId });

export function authServiceFactory(deps: {
  authRepository: AuthRepository;
  wechat: WechatProvider;
  signSession: (userId: string, memberId: string | null, tokenVersion: number) => string;
  /** Tells this process at once; other processes hear the database's notification. */
  sessionsRevoked: (userId: string, tokenVersion: number) => void;
  sessionTtlSeconds: number;
  /** Counts a sign-in of this openid; throws RATE_LIMITED when one identity signs in too often. */
  limitIdentity?: (openid: string) => Promise<void>;
}) {
  return {
    async login(code: string): Promise<LoginResponse> {
      const { openid } = await deps.wechat.exchange(code);
      await deps.limitIdentity?.(openid);
      const { id } = await deps.authRepository.upsertUserByOpenid(openid);
      const principal = await deps.authRepository.loadPrincipal(id);
      if (!principal) throw new AppError('INTERNAL_ERROR');
      return {
        token: deps.signSession(id, principal.memberId, principal.tokenVersion),
        expiresIn: deps.sessionTtlSeconds,
        user: toUser(principal),
      };
    },

    /** Logout, deregistration and an admin's revocation: every token the user holds stops working. */
    async revokeSessions(userId: string): Promise<void> {
      const version = await deps.authRepository.revokeSessions(userId);
      if (version === null) throw new AppError('NOT_FOUND');
      deps.sessionsRevoked(userId, version);
    },
  };
}

export type AuthService = ReturnType<typeof authServiceFactory>;
