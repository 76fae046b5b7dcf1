import { z } from 'zod';
import { CategorySchema, CursorSchema, DateTimeSchema, IdSchema, text } from './common';

/** WeChat one-time subscribe message templates; each one's id comes from `WECHAT_TEMPLATE_<KEY>`. */
export const TEMPLATE_KEYS = [
  'claim_result',
  'waitlist_offer',
  'task_reminder',
  'task_changed',
  'service_recorded',
  'new_task',
  'whistle_update',
  'unit_update',
  'meeting_update',
] as const;
export const TemplateKeySchema = z.enum(TEMPLATE_KEYS);
export type TemplateKey = z.infer<typeof TemplateKeySchema>;

/** A message's kind is the template it would be sent with. */
export const MessageKindSchema = TemplateKeySchema;
export type MessageKind = TemplateKey;

export const TEMPLATE_LABELS: Record<TemplateKey, string> = {
  claim_result: '抢岗结果',
  waitlist_offer: '候补名额',
  task_reminder: '岗位开始提醒',
  task_changed: '岗位变更',
  service_recorded: '服务时长记录',
  new_task: '新岗位发布',
  whistle_update: '吹哨报到',
  unit_update: '组织报到',
  meeting_update: '共商共办',
};

/** What `wx.requestSubscribeMessage` answered per template (after mapping template ids back to keys). */
export const SubscribeResultSchema = z.enum(['accept', 'reject', 'ban', 'filter']);
export type SubscribeResult = z.infer<typeof SubscribeResultSchema>;

export const SubscriptionsBodySchema = z.object({
  results: z.partialRecord(TemplateKeySchema, SubscribeResultSchema),
});
export type SubscriptionsBody = z.infer<typeof SubscriptionsBodySchema>;

export const CreditsSchema = z.partialRecord(TemplateKeySchema, z.number().int().min(0));
export type Credits = z.infer<typeof CreditsSchema>;

export const SubscriptionsResponseSchema = z.object({ credits: CreditsSchema });
export type SubscriptionsResponse = z.infer<typeof SubscriptionsResponseSchema>;

/**
 * `GET /me/subscriptions` (contract extension): the caller's credits and the WeChat template ids the
 * server sends with (only configured ones), so the mini-program can ask for them in a tap.
 */
export const SubscriptionsStateSchema = z.object({
  credits: CreditsSchema,
  templates: z.partialRecord(TemplateKeySchema, z.string()),
});
export type SubscriptionsState = z.infer<typeof SubscriptionsStateSchema>;

export const MessageSchema = z.object({
  id: IdSchema,
  kind: MessageKindSchema,
  title: z.string(),
  body: z.string(),
  taskId: IdSchema.optional(),
  whistleId: IdSchema.optional(),
  meetingId: IdSchema.optional(),
  createdAt: DateTimeSchema,
  readAt: DateTimeSchema.nullable(),
});
export type Message = z.infer<typeof MessageSchema>;

export const MessageListQuerySchema = z.object({
  cursor: CursorSchema,
  limit: z.coerce.number().int().min(1).max(50).default(20),
});
export type MessageListQuery = z.infer<typeof MessageListQuerySchema>;

export const MessageListSchema = z.object({
  items: z.array(MessageSchema),
  unread: z.number().int(),
  nextCursor: z.string().nullable(),
});
export type MessageList = z.infer<typeof MessageListSchema>;

export const MessagesReadBodySchema = z.object({
  ids: z.array(IdSchema).min(1).max(200),
});
export type MessagesReadBody = z.infer<typeof MessagesReadBodySchema>;

/** `POST /me/messages/read` answers the unread count left (contract extension: the contract names only 200). */
export const MessagesReadResponseSchema = z.object({ unread: z.number().int() });
export type MessagesReadResponse = z.infer<typeof MessagesReadResponseSchema>;

export const UnreadSchema = z.object({ unread: z.number().int() });
export type Unread = z.infer<typeof UnreadSchema>;

/** Minutes before a post's start; a week at most. */
export const RemindBeforeSchema = z
  .number()
  .int()
  .min(5)
  .max(7 * 24 * 60);
export const DEFAULT_REMIND_BEFORE_MINUTES = [1440, 120];

export const PreferencesSchema = z.object({
  followCategories: z.array(CategorySchema),
  remindBeforeMinutes: z.array(z.number().int()),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export const PreferencesBodySchema = z.object({
  followCategories: z
    .array(CategorySchema)
    .max(8)
    .refine((keys) => new Set(keys).size === keys.length, '关注的类别不能重复'),
  remindBeforeMinutes: z
    .array(RemindBeforeSchema)
    .max(4)
    .refine((ns) => new Set(ns).size === ns.length, '提醒时间不能重复'),
});
export type PreferencesBody = z.infer<typeof PreferencesBodySchema>;

export const PreferencesResponseSchema = z.object({ preferences: PreferencesSchema });
export type PreferencesResponse = z.infer<typeof PreferencesResponseSchema>;

export const CalendarUrlSchema = z.object({ url: z.string() });
export type CalendarUrl = z.infer<typeof CalendarUrlSchema>;

/** `/calendar/<secret>.ics`: the secret is 43 base64url characters (256 bits). */
export const CalendarParamsSchema = z.object({ file: text().max(64) });

/** What the client offers as reminder choices (minutes before the start). */
export const REMIND_CHOICES: Array<{ minutes: number; label: string }> = [
  { minutes: 2880, label: '提前2天' },
  { minutes: 1440, label: '提前1天' },
  { minutes: 240, label: '提前4小时' },
  { minutes: 120, label: '提前2小时' },
  { minutes: 30, label: '提前30分钟' },
];
