import { useEffect, useState } from 'react';
import { ensureSignedIn, goToLogin } from '@/services/auth';
import { IS_H5 } from '@/services/config';
import { errorMessage } from '@/services/http';
import { useSession } from './use-session';

/** Signs in on first use: silently in WeChat, through the login page on H5. */
export function useAuthReady() {
  const session = useSession();
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (session.token) return;
    let alive = true;
    ensureSignedIn().catch((err) => {
      if (!alive) return;
      if (IS_H5) goToLogin();
      else setError(errorMessage(err));
    });
    return () => {
      alive = false;
    };
  }, [session.token, attempt]);

  return {
    ready: Boolean(session.token && session.user),
    user: session.user,
    error,
    retry: () => {
      setError(null);
      setAttempt((n) => n + 1);
    },
  };
}
