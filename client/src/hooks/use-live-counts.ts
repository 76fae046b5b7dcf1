import { useRef, useState } from 'react';
import type { LiveCount } from '@pioneer/shared';
import { useLiveSocket } from '@/hooks/use-live-socket';

/**
 * Live `{claimed, remaining, status}` per task from `/api/v1/live`. Reconnects with
 * backoff; the list shown from the last HTTP answer stays valid meanwhile.
 */
export function useLiveCounts(taskIds: string[], active = true): Record<string, LiveCount> {
  const [counts, setCounts] = useState<Record<string, LiveCount>>({});
  const key = taskIds.slice().sort().join(',');
  const idsRef = useRef<string[]>(taskIds);
  idsRef.current = taskIds;

  useLiveSocket(
    key,
    active,
    (send) => {
      const ids = idsRef.current.slice(0, 200);
      if (ids.length) send({ type: 'subscribe', taskIds: ids });
    },
    (message) => {
      if ('type' in message) return;
      const count = message;
      setCounts((prev) => {
        // A count read for a (re)subscribe can reach us after a newer notified one.
        const seen = prev[count.taskId]?.version;
        if (seen !== undefined && count.version !== undefined && count.version < seen) return prev;
        return { ...prev, [count.taskId]: count };
      });
    },
  );

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
