import { createHash, createHmac } from 'node:crypto';
import ical, { ICalEventStatus } from 'ical-generator';

/** 32 bytes of HMAC as base64url: the secret part of a calendar URL. */
export const CALENDAR_TOKEN = /^([A-Za-z0-9_-]{43})\.ics$/;

export function calendarToken(key: Buffer, memberId: string, generation: number): string {
  return createHmac('sha256', key).update(`calendar-feed:${memberId}:${generation}`).digest('base64url');
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

interface CalendarEntry {
  taskId: string;
  title: string;
  description: string;
  location: string;
  communityName: string;
  startsAt: Date;
  endsAt: Date;
  version: number;
  createdAt: Date;
  status: string;
}

/**
 * One VEVENT per post the member holds a live claim on. The UID names the post and the member,
 * so an edited post (new time, place) updates the same event in the member's calendar; SEQUENCE
 * is the post's row version, which every edit raises.
 */
export function renderCalendar(opts: { host: string; memberId: string; entries: CalendarEntry[]; now: Date; publicUrl: string }): string {
  const cal = ical({
    name: '先锋领航·我的岗位',
    prodId: { company: 'pioneer-code', product: 'pioneer-code', language: 'ZH' },
    ttl: 3600,
  });
  for (const e of opts.entries) {
    cal.createEvent({
      id: `${e.taskId}.${opts.memberId}@${opts.host}`,
      sequence: e.version,
      stamp: opts.now,
      created: e.createdAt,
      lastModified: opts.now,
      start: e.startsAt,
      end: e.endsAt,
      summary: e.title,
      location: `${e.communityName} ${e.location}`,
      description: e.description ? `${e.description}\n\n${opts.publicUrl}` : opts.publicUrl,
      status: ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
