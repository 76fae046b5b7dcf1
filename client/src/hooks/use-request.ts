import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '@/services/http';

/** Failures worth a 重试: the network, a busy or failing server. Not "this does not exist". */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status === 429 || err.status >= 500 || err.code === 'BAD_RESPONSE';
}

/**
 * Runs `fn` whenever `enabled` turns true or a dependency changes; `reload` runs it again.
 * New dependencies drop the old answer at once (a list of another category is never shown as
 * this one's); a reload keeps it on screen until the new answer or an error replaces it.
 */
export function useRequest<T>(fn: () => Promise<T>, deps: unknown[], enabled = true) {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(enabled);
  const [error, setError] = useState<string | null>(null);
  const [retryable, setRetryable] = useState(true);
  const seq = useRef(0);

  const run = useCallback(async (keep: boolean) => {
    const id = ++seq.current;
    setLoading(true);
    setError(null);
    if (!keep) setData(null);
    try {
      const result = await fn();
      if (id === seq.current) setData(result);
      return result;
    } catch (err) {
      if (id === seq.current) {
        setError(errorMessage(err));
        setRetryable(isRetryable(err));
      }
      return null;
    } finally {
      if (id === seq.current) setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    if (enabled) run(false);
  }, [run, enabled]);

  const reload = useCallback(() => run(true), [run]);
  return { data, setData, loading, error, retryable, reload };
}
