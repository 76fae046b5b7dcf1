/** Heard by every process's live listener (see live-hub.ts); notified when a user's sessions end. */
export const SESSIONS_REVOKED_CHANNEL = 'sessions_revoked';
