import { useEffect, useRef } from 'react';
import Taro from '@tarojs/taro';
import { LiveServerMessageSchema, type LiveClientMessage, type LiveServerMessage } from '@pioneer/shared';
import { liveSocketUrl } from '@/services/config';
import { getSession } from '@/services/session';

const MAX_BACKOFF_MS = 30000;

/**
 * The app's live channel (`/api/v1/live`) while `active` and `key` is non-empty: `onOpen` says what
 * to hear (on every (re)connect, with `send`), `onMessage` gets each message in the shared schema.
 * Reconnects with backoff; a refused session is not retried.
 */
export function useLiveSocket(
  key: string,
  active: boolean,
  onOpen: (send: (msg: LiveClientMessage) => void) => void,
  onMessage: (msg: LiveServerMessage) => void,
): void {
  const handlers = useRef({ onOpen, onMessage });
  handlers.current = { onOpen, onMessage };

  useEffect(() => {
    const token = getSession().token;
    if (!active || !token || !key) return undefined;
    let closed = false;
    let socket: Taro.SocketTask | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | null = null;
    let backoff = 1000;

    const connect = async () => {
      try {
        const task = await Taro.connectSocket({ url: liveSocketUrl(token), fail: () => undefined });
        if (closed) {
          task.close({});
          return;
        }
        socket = task;
        task.onOpen(() => {
          backoff = 1000;
          handlers.current.onOpen((msg) => task.send({ data: JSON.stringify(msg) }));
        });
        task.onMessage((msg) => {
          if (typeof msg.data !== 'string') return;
          let body: unknown;
          try {
            body = JSON.parse(msg.data);
          } catch {
            return;
          }
          const parsed = LiveServerMessageSchema.safeParse(body);
          if (!parsed.success) return;
          const message = parsed.data;
          // A token the server no longer accepts stays refused: no reconnecting with it. The next
          // request over HTTP meets the same answer and signs in again.
          if ('type' in message && message.type === 'error' && message.code === 'UNAUTHENTICATED') closed = true;
          handlers.current.onMessage(message);
        });
        task.onClose(() => scheduleReconnect());
        task.onError(() => undefined);
      } catch {
        scheduleReconnect();
      }
    };

    const scheduleReconnect = () => {
      if (closed || retryTimer) return;
      socket = null;
      retryTimer = setTimeout(() => {
        retryTimer = null;
        connect();
      }, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };

    connect();
    return () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      socket?.close({});
    };
  }, [key, active]);
}
