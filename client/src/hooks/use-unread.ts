import { useEffect, useState } from 'react';
import { getSession } from '@/services/session';
import { unreadCount } from '@/services/notifications';

/** One unread count for every page's badge: asked at most every 15 s, and set directly after reading. */
let unread = 0;
let lastAsked = 0;
let asking: Promise<void> | null = null;
const listeners = new Set<(n: number) => void>();

export function setUnread(n: number) {
  unread = n;
  listeners.forEach((fn) => fn(n));
}

export function refreshUnread(force = false): Promise<void> {
  if (!getSession().token) return Promise.resolve();
  if (asking) return asking;
  if (!force && Date.now() - lastAsked < 15_000) return Promise.resolve();
  lastAsked = Date.now();
  asking = unreadCount()
    .then(setUnread)
    .catch(() => undefined)
    .finally(() => {
      asking = null;
    });
  return asking;
}

export function useUnread(enabled = true): number {
  const [n, setN] = useState(unread);
  useEffect(() => {
    listeners.add(setN);
    setN(unread);
    if (enabled) void refreshUnread();
    const timer = enabled ? setInterval(() => void refreshUnread(), 60_000) : null;
    return () => {
      listeners.delete(setN);
      if (timer) clearInterval(timer);
    };
  }, [enabled]);
  return n;
}
