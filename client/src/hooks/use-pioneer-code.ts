import { useCallback, useEffect, useRef, useState } from 'react';
import type { PioneerCodeResponse } from '@pioneer/shared';
import { errorMessage } from '@/services/http';

const DEFAULT_LIFETIME_MS = 60000;
const RETRY_MS = 5000;

interface Options {
  /** Fetch a new code this long before the current one expires. */
  leadMs?: number;
  enabled?: boolean;
}

/**
 * Keeps a fresh 先锋码: fetches, then refetches `leadMs` before expiry, and ticks a
 * countdown every second. The lifetime is measured on the device clock from the
 * server's expiresAt; a clock that disagrees wildly falls back to 60 s.
 */
export function usePioneerCode(fetcher: () => Promise<PioneerCodeResponse>, options: Options = {}) {
  const { leadMs = 10000, enabled = true } = options;
  const [code, setCode] = useState<PioneerCodeResponse | null>(null);
  const [expiresAtMs, setExpiresAtMs] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const alive = useRef(true);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  const clear = () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  };

  const load = useCallback(async () => {
    clear();
    setLoading(true);
    try {
      const next = await fetcherRef.current();
      if (!alive.current) return;
      const fetchedAt = Date.now();
      const ttl = Date.parse(next.expiresAt) - fetchedAt;
      const lifetime = ttl > 0 && ttl <= 10 * DEFAULT_LIFETIME_MS ? ttl : DEFAULT_LIFETIME_MS;
      setCode(next);
      setExpiresAtMs(fetchedAt + lifetime);
      setNow(fetchedAt);
      setError(null);
      timer.current = setTimeout(load, Math.max(lifetime - leadMs, 1000));
    } catch (err) {
      if (!alive.current) return;
      setError(errorMessage(err));
      timer.current = setTimeout(load, RETRY_MS);
    } finally {
      if (alive.current) setLoading(false);
    }
  }, [leadMs]);

  useEffect(() => {
    alive.current = true;
    if (!enabled) return undefined;
    load();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(tick);
      clear();
    };
  }, [enabled, load]);

  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );

  const secondsLeft = expiresAtMs === null ? 0 : Math.max(0, Math.ceil((expiresAtMs - now) / 1000));
  return { code, secondsLeft, error, loading, refresh: load };
}
