import { useEffect, useState } from 'react';
import { getSession, subscribeSession, type Session } from '@/services/session';

export function useSession(): Session {
  const [session, setSession] = useState<Session>(getSession());
  useEffect(() => {
    setSession(getSession());
    return subscribeSession(setSession);
  }, []);
  return session;
}
