import { useEffect, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { LiveServerMessageSchema, type LiveClientMessage, type LiveCount } from '@pioneer/shared';
import { liveSocketUrl } from '@/services/config';
import { getSession } from '@/services/session';

const MAX_BACKOFF_MS = 30000;

/**
 * Live `{claimed, remaining, status}` per task from `/api/v1/live`. Reconnects with
 * backoff; the list shown from the last HTTP answer stays valid meanwhile.
 */
export function useLiveCounts(taskIds: string[], active = true): Record<string, LiveCount> {
  const [counts, setCounts] = useState<Record<string, LiveCount>>({});
  const key = taskIds.slice().sort().join(',');
  const idsRef = useRef<string[]>(taskIds);
  idsRef.current = taskIds;

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
          const ids = idsRef.current.slice(0, 200);
          const subscribe: LiveClientMessage = { type: 'subscribe', taskIds: ids };
          if (ids.length) task.send({ data: JSON.stringify(subscribe) });
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
          if ('type' in message) {
            // A token the server no longer accepts stays refused: no reconnecting with it. The next
            // request over HTTP meets the same answer and signs in again.
            if (message.type === 'error' && message.code === 'UNAUTHENTICATED') closed = true;
            return;
          }
          const count = message;
          setCounts((prev) => {
            // A count read for a (re)subscribe can reach us after a newer notified one.
            const seen = prev[count.taskId]?.version;
            if (seen !== undefined && count.version !== undefined && count.version < seen) return prev;
            return { ...prev, [count.taskId]: count };
          });
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

  return counts;
}

/** Overlays live numbers on items fetched over HTTP. */
export function withLive<T extends { id: string; claimed: number; remaining: number; status: LiveCount['status'] }>(
  item: T,
  counts: Record<string, LiveCount>,
): T {
  const live = counts[item.id];
  return live ? { ...item, claimed: live.claimed, remaining: live.remaining, status: live.status } : item;
}
