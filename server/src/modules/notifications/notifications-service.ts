import {
  DEFAULT_REMIND_BEFORE_MINUTES,
  TEMPLATE_KEYS,
  type Credits,
  type MessageKind,
  type MessageList,
  type Preferences,
  type PreferencesBody,
  type SubscriptionsBody,
  type SubscriptionsState,
  type TemplateKey,
} from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeTimeIdCursor, TimeIdCursorSchema } from '../../lib/cursor';
import { AppError, notFound } from '../../lib/errors';
import { CALENDAR_TOKEN, calendarToken, renderCalendar, tokenHash } from './calendar';
import type { NotificationsRepository } from './notifications-repository';

/** Calendar feeds show posts that ended up to this long ago. */
const CALENDAR_PAST_MS = 90 * 24 * 3600_000;

export function notificationsServiceFactory(deps: {
  repo: NotificationsRepository;
  clock: Clock;
  publicUrl: string;
  /** Key of the calendar URLs' HMAC. */
  calendarKey: Buffer;
  templates: Partial<Record<TemplateKey, string>>;
}) {
  const { repo } = deps;
  const host = new URL(deps.publicUrl).host;
  const calendarUrl = (token: string) => `${deps.publicUrl}/api/v1/calendar/${token}.ics`;

  async function credits(userId: string): Promise<Credits> {
    const rows = await repo.credits(userId);
    const out: Credits = Object.fromEntries(TEMPLATE_KEYS.map((k) => [k, 0]));
    for (const r of rows) if ((TEMPLATE_KEYS as readonly string[]).includes(r.templateKey)) out[r.templateKey] = r.credits;
    return out;
  }

  return {
    async subscriptions(userId: string): Promise<SubscriptionsState> {
      return { credits: await credits(userId), templates: deps.templates };
    },

    /**
     * Each `accept` is one send of that template (WeChat's one-time subscriptions); `ban` means
     * WeChat will refuse the template whatever we hold, so its credits go.
     */
    async recordSubscriptions(userId: string, body: SubscriptionsBody): Promise<Credits> {
      const entries = Object.entries(body.results) as Array<[TemplateKey, string]>;
      await repo.changeCredits(
        userId,
        entries.filter(([, r]) => r === 'accept').map(([k]) => k),
        entries.filter(([, r]) => r === 'ban').map(([k]) => k),
      );
      return credits(userId);
    },

    async messages(userId: string, q: { cursor?: string; limit: number }): Promise<MessageList> {
      const rows = await repo.listMessages(userId, q.limit + 1, q.cursor ? decodeCursor(q.cursor, TimeIdCursorSchema) : undefined);
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((m) => ({
          id: m.id,
          kind: m.kind as MessageKind,
          title: m.title,
          body: m.body,
          ...(m.taskId ? { taskId: m.taskId } : {}),
          ...(m.whistleId ? { whistleId: m.whistleId } : {}),
          ...(m.meetingId ? { meetingId: m.meetingId } : {}),
          createdAt: m.createdAt.toISOString(),
          readAt: m.readAt ? m.readAt.toISOString() : null,
        })),
        unread: await repo.unread(userId),
        nextCursor: rows.length > q.limit && last ? encodeTimeIdCursor(last.createdAt, last.id) : null,
      };
    },

    unread: (userId: string) => repo.unread(userId),

    async markRead(userId: string, ids: string[]): Promise<number> {
      await repo.markRead(userId, ids, deps.clock.now());
      return repo.unread(userId);
    },

    async preferences(memberId: string): Promise<Preferences> {
      const p = await repo.preferences(memberId);
      return {
        followCategories: (p?.followCategories ?? []) as Preferences['followCategories'],
        remindBeforeMinutes: p?.remindBeforeMinutes ?? DEFAULT_REMIND_BEFORE_MINUTES,
      };
    },

    async savePreferences(memberId: string, body: PreferencesBody): Promise<Preferences> {
      const remind = [...body.remindBeforeMinutes].sort((a, b) => b - a);
      await repo.savePreferences(memberId, { followCategories: body.followCategories, remindBeforeMinutes: remind });
      return { followCategories: body.followCategories, remindBeforeMinutes: remind };
    },

    async calendarUrl(memberId: string): Promise<string> {
      let generation = await repo.calendarGeneration(memberId);
      if (generation === null) {
        generation = await repo.createCalendarFeed(memberId, tokenHash(calendarToken(deps.calendarKey, memberId, 1)));
      }
      return calendarUrl(calendarToken(deps.calendarKey, memberId, generation));
    },

    /** A new secret: the old URL stops working at once. */
    async resetCalendarUrl(memberId: string): Promise<string> {
      const generation = await repo.resetCalendarFeed(memberId, (g) => tokenHash(calendarToken(deps.calendarKey, memberId, g)));
      return calendarUrl(calendarToken(deps.calendarKey, memberId, generation));
    },

    async calendar(file: string): Promise<string> {
      const m = CALENDAR_TOKEN.exec(file);
      if (!m) throw notFound();
      const memberId = await repo.calendarMember(tokenHash(m[1]));
      if (!memberId) throw notFound();
      const now = deps.clock.now();
      return renderCalendar({
        host,
        memberId,
        now,
        publicUrl: deps.publicUrl,
        entries: await repo.calendarClaims(memberId, new Date(now.getTime() - CALENDAR_PAST_MS)),
      });
    },

    memberOnly(memberId: string | null): string {
      if (!memberId) throw new AppError('NOT_REGISTERED');
      return memberId;
    },
  };
}

export type NotificationsService = ReturnType<typeof notificationsServiceFactory>;
