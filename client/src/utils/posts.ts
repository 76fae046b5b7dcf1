import type { TaskListEntry } from '@pioneer/shared';
import { beijingDate } from './time';

/**
 * The order a secretary works in: today's posts (the ones being checked in) first, then the
 * upcoming ones by start (a just-published post among them), then the past, latest first.
 */
export function orderForSecretary<T extends Pick<TaskListEntry, 'startsAt' | 'endsAt'>>(items: T[], now: number): T[] {
  const today = beijingDate(now);
  const group = (t: T) => (beijingDate(t.startsAt) === today ? 0 : Date.parse(t.startsAt) > now ? 1 : 2);
  return [...items].sort((a, b) => {
    const ga = group(a);
    const gb = group(b);
    if (ga !== gb) return ga - gb;
    const diff = Date.parse(a.startsAt) - Date.parse(b.startsAt);
    return ga === 2 ? -diff : diff;
  });
}
