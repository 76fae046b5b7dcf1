import type { NotificationsRepository } from './notifications-repository';

/**
 * What other modules may use of the notifications' repository (app.ts hands the repository
 * itself): a user's messages, preferences, calendar feed and credits, read for its export and
 * erased in 注销.
 */
export type NotificationsPersonalDataPort = Pick<NotificationsRepository, 'messagesOf' | 'personalData' | 'eraseUser'>;
