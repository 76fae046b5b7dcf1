import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { AppError } from '../../lib/errors';
import type { Clock } from '../../lib/clock';

export const PIONEER_CODE_AUDIENCE = 'pioneer-code:member-code';
export const PIONEER_CODE_TYPE = 'pioneer-code';
export const PIONEER_CODE_TTL_SECONDS = 60;

/**
 * The 先锋码: a short-lived token naming a member, signed with its own key, audience and
 * type, so it can never pass as a session token nor a session token as a code.
 */
export function pioneerCodeServiceFactory(deps: { secret: string; clock: Clock; ttlSeconds?: number }) {
  const ttl = Math.min(deps.ttlSeconds ?? PIONEER_CODE_TTL_SECONDS, PIONEER_CODE_TTL_SECONDS);
  const sign = createSigner({ key: deps.secret, algorithm: 'HS256', aud: PIONEER_CODE_AUDIENCE });
  const verifier = (now: number) =>
    createVerifier({
      key: deps.secret,
      algorithms: ['HS256'],
      allowedAud: PIONEER_CODE_AUDIENCE,
      requiredClaims: ['sub', 'exp', 'iat', 'aud', 'typ'],
      clockTimestamp: now,
      cache: false,
    });

  return {
    issue(memberId: string): { token: string; expiresAt: Date } {
      const nowMs = deps.clock.now().getTime();
      const iat = Math.floor(nowMs / 1000);
      const exp = iat + ttl;
      const token = sign({ sub: memberId, typ: PIONEER_CODE_TYPE, iat, exp });
      return { token, expiresAt: new Date(exp * 1000) };
    },

    /** The member id the code names; CODE_EXPIRED past its lifetime, CODE_INVALID for anything else. */
    verify(token: string): { memberId: string } {
      let payload: { sub?: unknown; typ?: unknown; iat?: unknown; exp?: unknown };
      try {
        payload = verifier(deps.clock.now().getTime())(token);
      } catch (e) {
        if (e instanceof TokenError && e.code === TokenError.codes.expired) throw new AppError('CODE_EXPIRED');
        throw new AppError('CODE_INVALID');
      }
      if (payload.typ !== PIONEER_CODE_TYPE || typeof payload.sub !== 'string') throw new AppError('CODE_INVALID');
      // Only codes this server could have issued: a longer-lived one was signed by someone else.
      if (typeof payload.iat !== 'number' || typeof payload.exp !== 'number' || payload.exp - payload.iat > PIONEER_CODE_TTL_SECONDS) {
        throw new AppError('CODE_INVALID');
      }
      return { memberId: payload.sub };
    },
  };
}

export type PioneerCodeService = ReturnType<typeof pioneerCodeServiceFactory>;
