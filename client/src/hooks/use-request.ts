import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from '../services/http';

/** Runs `fn` whenever `enabled` turns true or a dependency changes; `reload` runs it again. */
export function useRequest<T>(fn: () => Promise<T>, deps: unknown[], enabled = true) {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(enabled);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);

  const run = useCallback(async () => {
    const id = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const result = await fn();
      if (id === seq.current) setData(result);
      return result;
    } catch (err) {
      if (id === seq.current) setError(errorMessage(err));
      return null;
    } finally {
      if (id === seq.current) setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    if (enabled) run();
  }, [run, enabled]);

  return { data, setData, loading, error, reload: run };
}
