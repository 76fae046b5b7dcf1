/** Heard by every process's live listener (see live-hub.ts); notified when a meeting records an attendance. */
export const MEETING_ATTENDANCE_CHANNEL = 'meeting_attendance';
