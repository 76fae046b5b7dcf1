import fastifyWebsocket from '@fastify/websocket';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RawData } from 'ws';
import {
  ERROR_MESSAGES,
  LIVE_CLOSE_UNAUTHENTICATED,
  LiveClientMessageSchema,
  LiveServerMessageSchema,
  type ErrorCode,
  type LiveServerMessage,
} from '@pioneer/shared';
import type { SessionClaims } from '../../plugins/auth';
import type { Principal } from '../../lib/principal';
import type { LiveHub } from './live-hub';

const AUTH_TIMEOUT_MS = 10_000;

/**
 * `/live`: the session token comes in the query (`?token=`) or as the first message
 * `{type:'auth', token}`; then `{type:'subscribe', taskIds}` and the server pushes a
 * LiveCount for each task at once and on every change. Messages are handled in order,
 * so a subscribe sent right after connecting waits for the query token's check.
 */
export const liveRoutes: FastifyPluginAsyncZod<{
  liveHub: LiveHub;
  loadPrincipal(userId: string): Promise<Principal | null>;
  /** Whether this user may hear the meeting's attendance (reads its detail). */
  mayWatchMeeting(principal: Principal, meetingId: string): Promise<boolean>;
}> = async (app, opts) => {
  const hub = opts.liveHub;
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  /** The token's user, or null when it is not (or no longer) accepted. */
  async function verify(token: string): Promise<string | null> {
    try {
      const claims = app.jwt.verify<SessionClaims>(token);
      const principal = await opts.loadPrincipal(claims.sub);
      return principal !== null && principal.tokenVersion === (claims.tv ?? 0) ? claims.sub : null;
    } catch {
      return null;
    }
  }

  app.get('/live', { websocket: true, schema: { hide: true } }, (socket, request) => {
    let authed = false;
    let userId: string | null = null;
    let closed = false;
    let queue: Promise<void> = Promise.resolve();

    const send = (msg: LiveServerMessage) => {
      if (!closed) socket.send(JSON.stringify(LiveServerMessageSchema.parse(msg)));
    };
    const fail = (code: ErrorCode, close = false) => {
      send({ type: 'error', code, message: ERROR_MESSAGES[code] });
      if (close) socket.close(LIVE_CLOSE_UNAUTHENTICATED, 'unauthenticated');
    };
    const authenticate = async (token: string) => {
      userId = await verify(token);
      if (userId) {
        authed = true;
        send({ type: 'ready' });
      } else {
        fail('UNAUTHENTICATED', true);
      }
    };

    const timer = setTimeout(() => {
      if (!authed) fail('UNAUTHENTICATED', true);
    }, AUTH_TIMEOUT_MS);
    timer.unref();

    const queryToken = (request.query as { token?: unknown }).token;
    if (typeof queryToken === 'string' && queryToken) queue = queue.then(() => authenticate(queryToken));

    const handle = async (raw: RawData) => {
      if (closed) return;
      let parsed;
      try {
        parsed = LiveClientMessageSchema.safeParse(JSON.parse(raw.toString()));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) return fail('VALIDATION_FAILED');
      const msg = parsed.data;
      if (msg.type === 'auth') return authed ? undefined : authenticate(msg.token);
      if (!authed) return fail('UNAUTHENTICATED', true);
      if (msg.type === 'subscribe') return hub.subscribe(socket, msg.taskIds);
      if (msg.type === 'watch-meeting') {
        // Rights are read now, not at sign-in: a role taken away since then no longer hears.
        const principal = userId ? await opts.loadPrincipal(userId) : null;
        if (!principal || !(await opts.mayWatchMeeting(principal, msg.meetingId))) return fail('NOT_FOUND');
        return hub.watchMeeting(socket, msg.meetingId);
      }
      hub.unsubscribe(socket, msg.taskIds);
    };

    socket.on('message', (raw: RawData) => {
      queue = queue
        .then(() => handle(raw))
        .catch((err) => {
          request.log.warn({ err }, 'live message failed');
          fail('INTERNAL_ERROR');
        });
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      hub.drop(socket);
    });
  });
};
