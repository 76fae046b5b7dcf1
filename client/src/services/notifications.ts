import Taro from '@tarojs/taro';
import {
  CalendarUrlSchema,
  MessageListSchema,
  MessagesReadResponseSchema,
  PreferencesResponseSchema,
  SubscriptionsResponseSchema,
  SubscriptionsStateSchema,
  UnreadSchema,
  type PreferencesBody,
  type SubscribeResult,
  type TemplateKey,
} from '@pioneer/shared';
import { IS_H5 } from './config';
import { request } from './http';

export function listMessages(cursor?: string | null) {
  return request({ path: '/me/messages', query: { cursor: cursor ?? undefined, limit: 20 }, schema: MessageListSchema });
}

export function unreadCount() {
  return request({ path: '/me/messages/unread', schema: UnreadSchema }).then((r) => r.unread);
}

export function markRead(ids: string[]) {
  return request({ method: 'POST', path: '/me/messages/read', data: { ids }, schema: MessagesReadResponseSchema }).then((r) => r.unread);
}

export function getPreferences() {
  return request({ path: '/members/me/preferences', schema: PreferencesResponseSchema }).then((r) => r.preferences);
}

export function savePreferences(body: PreferencesBody) {
  return request({ method: 'PUT', path: '/members/me/preferences', data: body, schema: PreferencesResponseSchema }).then(
    (r) => r.preferences,
  );
}

export function getCalendarUrl() {
  return request({ path: '/members/me/calendar-url', schema: CalendarUrlSchema }).then((r) => r.url);
}

export function resetCalendarUrl() {
  return request({ method: 'POST', path: '/members/me/calendar-url/reset', schema: CalendarUrlSchema }).then((r) => r.url);
}

/** Which subscriptions each tap asks for (WeChat shows at most three per request). */
export const SUBSCRIBE_ON: Record<'grab' | 'waitlist' | 'entry' | 'whistle', TemplateKey[]> = {
  grab: ['claim_result', 'task_reminder', 'task_changed'],
  waitlist: ['waitlist_offer', 'claim_result', 'task_reminder'],
  entry: ['claim_result', 'task_reminder', 'task_changed'],
  // A unit's liaisons and admins hear of each later step of a whistle addressed to it; the raiser's
  // secretaries or district admins hear when a unit answers, returns it or asks for more time.
  whistle: ['whistle_update'],
};

/** Template ids by key, loaded ahead: the request must start inside the tap, without waiting on the network. */
let templateIds: Partial<Record<TemplateKey, string>> = {};

export async function loadSubscribeTemplates(): Promise<void> {
  if (IS_H5) return;
  try {
    const state = await request({ path: '/me/subscriptions', schema: SubscriptionsStateSchema });
    templateIds = state.templates;
  } catch {
    // Without ids the taps simply ask nothing; the message center still gets everything.
  }
}

export function setSubscribeTemplates(ids: Partial<Record<TemplateKey, string>>) {
  templateIds = ids;
}

const RESULTS = new Set<string>(['accept', 'reject', 'ban', 'filter']);

/**
 * Asks WeChat for one-time subscriptions and reports what the member allowed. Call it first thing
 * in a tap handler and do not await it: WeChat only shows the dialog from a tap, and the claim
 * must not wait for the member to answer it. Never throws.
 */
export function askSubscribe(keys: TemplateKey[]): Promise<void> {
  if (IS_H5) return Promise.resolve();
  const wanted = keys.filter((k) => templateIds[k]).slice(0, 3);
  if (wanted.length === 0) return Promise.resolve();
  const byId = new Map(wanted.map((k) => [templateIds[k]!, k]));
  let asked: Promise<Record<string, string>>;
  try {
    const option = { tmplIds: [...byId.keys()] } as Taro.requestSubscribeMessage.Option;
    // The answer maps each template id to accept / reject / ban / filter.
    asked = Taro.requestSubscribeMessage(option) as unknown as Promise<Record<string, string>>;
  } catch {
    return Promise.resolve();
  }
  return asked
    .then((answer) => {
      const results: Partial<Record<TemplateKey, SubscribeResult>> = {};
      for (const [id, key] of byId) {
        const r = answer?.[id];
        if (typeof r === 'string' && RESULTS.has(r)) results[key] = r as SubscribeResult;
      }
      if (Object.keys(results).length === 0) return;
      return request({ method: 'POST', path: '/me/subscriptions', data: { results }, schema: SubscriptionsResponseSchema }).then(
        () => undefined,
      );
    })
    .catch(() => undefined);
}
