import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role, RoleGrant } from '@pioneer/shared';
import { AppError } from '../lib/errors';
import type { Config } from '../config';
import type { AuthRepository } from '../modules/auth/auth-repository';

export const SESSION_AUDIENCE = 'pioneer-code:session';
const BEARER = /^Bearer\s/i;

export interface SessionClaims {
  sub: string;
}

/** Who is calling: loaded once per request from the database, so new grants apply at once. */
export interface Principal {
  userId: string;
  roles: RoleGrant[];
  memberId: string | null;
  memberCommunityOrgId: string | null;
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
    /** The user id of a valid session token in the request; throws UNAUTHENTICATED. No database. */
    sessionUserId(request: FastifyRequest): string;
    signSession(userId: string): string;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const hasRole = (p: Principal, ...roles: Role[]) => p.roles.some((g) => roles.includes(g.role));

export default fp(
  async function auth(app: FastifyInstance, opts: { config: Config; authRepository: AuthRepository }) {
    await app.register(fastifyJwt, {
      secret: opts.config.jwtSecret,
      sign: { algorithm: 'HS256', aud: SESSION_AUDIENCE, expiresIn: opts.config.sessionTtlSeconds },
      verify: { algorithms: ['HS256'], allowedAud: SESSION_AUDIENCE, requiredClaims: ['sub', 'exp', 'iat', 'aud'] },
    });
    app.decorateRequest('principal', null);

    app.decorate('signSession', (userId: string) => app.jwt.sign({ sub: userId }));

    // The plugin's global verifier directly: request.jwtVerify() re-merges options and decodes
    // the token twice per call. Any failure (missing, malformed, bad signature, expired) is 401.
    const sessionUserId = (request: FastifyRequest): string => {
      const header = request.headers.authorization;
      if (header && BEARER.test(header)) {
        const parts = header.split(' ');
        if (parts.length === 2 && parts[1]) {
          try {
            const sub = app.jwt.verify<SessionClaims>(parts[1]).sub;
            if (typeof sub === 'string') return sub;
          } catch {
            // falls through to 401
          }
        }
      }
      throw new AppError('UNAUTHENTICATED');
    };
    app.decorate('sessionUserId', sessionUserId);

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const principal = await opts.authRepository.loadPrincipal(sessionUserId(request));
      if (!principal) throw new AppError('UNAUTHENTICATED');
      request.principal = principal;
    });
  },
  { name: 'auth' },
);

/** Route-level guard: `preHandler: requireAuth` for any signed-in caller. */
export async function requireAuth(this: FastifyInstance, request: FastifyRequest) {
  await this.authenticate(request);
}

/** The principal of an authenticated request (routes guarded by `requireAuth`). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED');
  return request.principal;
}
