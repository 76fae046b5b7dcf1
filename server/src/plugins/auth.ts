import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorCode, Role } from '@pioneer/shared';
import { AppError } from '../lib/errors';
import { answers } from '../lib/openapi';
import { TwoGenerationCache } from '../lib/two-generation-cache';
import type { Config } from '../config';
import type { Principal } from '../lib/principal';

export const SESSION_AUDIENCE = 'pioneer-code:session';
const BEARER = /^Bearer\s/i;
const VERIFIED_TOKENS_PER_GENERATION = 100_000;

export interface SessionClaims {
  sub: string;
  /**
   * The member id, when the user was a registered member at sign-in. A member id never changes
   * once registered, so a claim can name the member from the token alone; tokens without it
   * (signed before registering) still work and the id is looked up.
   */
  mid?: string;
  /** The user's token version at signing; a token older than the user's current version is revoked. */
  tv?: number;
}

/** Who a valid session token names, without the database. */
export interface Session {
  userId: string;
  memberId: string | null;
  tokenVersion: number;
}

/**
 * What the plugin needs from the database: the interface is the plugin's, the auth module's
 * repository implements it (the arrow runs from modules/auth to here, never back).
 */
export interface PrincipalSource {
  loadPrincipal(userId: string): Promise<Principal | null>;
  /** Every user whose sessions were ever revoked, with the token version now valid. */
  revokedVersions(): Promise<Array<{ userId: string; tokenVersion: number }>>;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: SessionClaims;
    user: SessionClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
    /** The user and (when the token names one) member of a valid session token; throws UNAUTHENTICATED. No database. */
    session(request: FastifyRequest): Session;
    signSession(userId: string, memberId?: string | null, tokenVersion?: number): string;
    /** Ends in this process, at once, every session of the user signed before `tokenVersion`. */
    sessionsRevoked(userId: string, tokenVersion: number): void;
    /**
     * Reloads every revocation from the database into this process's set: at start (the set
     * starts empty) and whenever the listener reconnects (announcements made meanwhile were lost).
     */
    syncRevocations(): Promise<void>;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const hasRole = (p: Principal, ...roles: Role[]) => p.roles.some((g) => roles.includes(g.role));

export default fp(
  async function auth(app: FastifyInstance, opts: { config: Config; authRepository: PrincipalSource }) {
    await app.register(fastifyJwt, {
      secret: opts.config.jwtSecret,
      sign: { algorithm: 'HS256', aud: SESSION_AUDIENCE, expiresIn: opts.config.sessionTtlSeconds },
      verify: { algorithms: ['HS256'], allowedAud: SESSION_AUDIENCE, requiredClaims: ['sub', 'exp', 'iat', 'aud'] },
    });
    app.decorateRequest('principal', null);

    app.decorate('signSession', (userId: string, memberId: string | null = null, tokenVersion = 0) =>
      app.jwt.sign(memberId ? { sub: userId, mid: memberId, tv: tokenVersion } : { sub: userId, tv: tokenVersion }),
    );

    // Revocations heard by this process (its own and, through the live listener, other processes'),
    // loaded from the database at start and on every reconnect of the listener: the claim route's
    // answers from memory trust a verified token without the database (its statement checks it).
    const revoked = new Map<string, number>();
    app.decorate('sessionsRevoked', (userId: string, tokenVersion: number) => {
      if ((revoked.get(userId) ?? -1) < tokenVersion) revoked.set(userId, tokenVersion);
    });
    app.decorate('syncRevocations', async () => {
      for (const r of await opts.authRepository.revokedVersions()) app.sessionsRevoked(r.userId, r.tokenVersion);
    });

    // A token verified once is the same token next time: only its expiry can change the answer.
    interface Verified extends Session {
      expMs: number;
    }
    const known = new TwoGenerationCache<string, Verified>(VERIFIED_TOKENS_PER_GENERATION);
    const verified = (token: string): Verified | null => {
      const hit = known.get(token);
      if (hit) return Date.now() < hit.expMs ? hit : null;
      let claims: SessionClaims & { exp?: number };
      try {
        // The plugin's verifier directly: request.jwtVerify() re-merges options and decodes twice.
        claims = app.jwt.verify<SessionClaims & { exp?: number }>(token);
      } catch {
        return null;
      }
      if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
      if (claims.mid !== undefined && typeof claims.mid !== 'string') return null;
      if (claims.tv !== undefined && !Number.isSafeInteger(claims.tv)) return null;
      const v: Verified = { userId: claims.sub, memberId: claims.mid ?? null, tokenVersion: claims.tv ?? 0, expMs: claims.exp * 1000 };
      known.set(token, v);
      return v;
    };

    /** Any failure (missing, malformed, bad signature, expired) is 401. */
    const session = (request: FastifyRequest): Session => {
      const header = request.headers.authorization;
      if (header && BEARER.test(header)) {
        const parts = header.split(' ');
        if (parts.length === 2 && parts[1]) {
          const v = verified(parts[1]);
          if (v !== null && v.tokenVersion >= (revoked.get(v.userId) ?? 0)) return v;
        }
      }
      throw new AppError('UNAUTHENTICATED');
    };
    app.decorate('session', session);

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const s = session(request);
      const principal = await opts.authRepository.loadPrincipal(s.userId);
      // The database's version is the truth: a token signed before a logout or revocation is dead.
      if (!principal || principal.tokenVersion !== s.tokenVersion) throw new AppError('UNAUTHENTICATED');
      request.principal = principal;
    });
  },
  { name: 'auth' },
);

/** Route guard for any signed-in caller: `onRequest: requireAuth`, like the role guards below. */
export const requireAuth = answers(
  async function requireAuth(this: FastifyInstance, request: FastifyRequest) {
    await this.authenticate(request);
  },
  ['UNAUTHENTICATED'],
);

/** The principal of an authenticated request (routes guarded by `requireAuth`). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED');
  return request.principal;
}

/**
 * Route guards run as `onRequest` hooks, before the body is parsed and validated (contract v2): a
 * caller without the role gets 401/403, never a validation answer that teaches it the body's rules.
 * Scope checks on ids inside a body stay in the handler, after validation.
 */
export function requireRoles(...roles: Role[]) {
  return answers(
    async function guardRoles(this: FastifyInstance, request: FastifyRequest) {
      await this.authenticate(request);
      if (!hasRole(principalOf(request), ...roles)) throw new AppError('FORBIDDEN');
    },
    ['UNAUTHENTICATED', 'FORBIDDEN'],
  );
}

/**
 * A guard that needs the validated request (a scope named in the query, a post named in the
 * path): its `preHandler` decides, after role guards and validation, and `of(request)` hands the
 * handler what it looked up. `codes`: the error answers `decide` gives (documented on the route).
 */
export function scopeGuard<T>(decide: (request: FastifyRequest, principal: Principal) => Promise<T>, codes: readonly ErrorCode[]) {
  const found = new WeakMap<FastifyRequest, T>();
  return {
    preHandler: answers(async (request: FastifyRequest) => {
      found.set(request, await decide(request, principalOf(request)));
    }, codes),
    of(request: FastifyRequest): T {
      if (!found.has(request)) throw new Error('the scope guard did not run on this route');
      return found.get(request)!;
    },
  };
}

/** A registered member (一键报到 done); any other signed-in caller gets 403 NOT_REGISTERED. */
export const requireMember = answers(
  async function requireMember(this: FastifyInstance, request: FastifyRequest) {
    await this.authenticate(request);
    if (!principalOf(request).memberId) throw new AppError('NOT_REGISTERED');
  },
  ['UNAUTHENTICATED', 'NOT_REGISTERED'],
);
