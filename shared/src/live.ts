import { z } from 'zod';
import { ErrorCodeSchema, IdSchema, text } from './common';
import { AttendanceSchema } from './meetings';
import { TaskStatusSchema } from './tasks';

/**
 * The messages of the WebSocket at `/api/v1/live`. A count is pushed bare, in the contract's
 * `{ taskId, claimed, remaining, status }` shape; the server's other messages carry a `type`.
 */

/** Pushed to subscribers of a task at once on subscribing and on every change of its count. */
export const LiveCountSchema = z.object({
  taskId: IdSchema,
  claimed: z.number().int(),
  remaining: z.number().int(),
  status: TaskStatusSchema,
  /** Contract extension: the post's change counter; of two counts of one post, the higher version is newer. */
  version: z.number().int().optional(),
});
export type LiveCount = z.infer<typeof LiveCountSchema>;

/** The session token was accepted: subscriptions are served from now on. */
export const LiveReadySchema = z.object({ type: z.literal('ready') });
export type LiveReady = z.infer<typeof LiveReadySchema>;

/** Close code of a socket that never proved who it is (4000–4999 are the application's). */
export const LIVE_CLOSE_UNAUTHENTICATED = 4401;

/** A message was refused; with `UNAUTHENTICATED` the server then closes the socket (LIVE_CLOSE_UNAUTHENTICATED). */
export const LiveErrorSchema = z.object({ type: z.literal('error'), code: ErrorCodeSchema, message: z.string() });
export type LiveError = z.infer<typeof LiveErrorSchema>;

/**
 * Contract extension: pushed to the watchers of a meeting (`watch-meeting`) on every new attendance, so
 * the convener's check-in screen lists who came without asking again. `count` is the meeting's total.
 */
export const LiveAttendanceSchema = z.object({
  type: z.literal('attendance'),
  meetingId: IdSchema,
  attendance: AttendanceSchema,
  count: z.number().int(),
});
export type LiveAttendance = z.infer<typeof LiveAttendanceSchema>;

/** Server → client. */
export const LiveServerMessageSchema = z.union([LiveCountSchema, LiveReadySchema, LiveErrorSchema, LiveAttendanceSchema]);
export type LiveServerMessage = z.infer<typeof LiveServerMessageSchema>;

/** Client → server. */
export const LiveClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: text() }),
  z.object({ type: z.literal('subscribe'), taskIds: z.array(IdSchema).min(1).max(200) }),
  z.object({ type: z.literal('unsubscribe'), taskIds: z.array(IdSchema).min(1).max(200) }),
  /** Contract extension: the attendance of a meeting the user may see (its detail's readers), pushed as it comes. */
  z.object({ type: z.literal('watch-meeting'), meetingId: IdSchema }),
]);
export type LiveClientMessage = z.infer<typeof LiveClientMessageSchema>;
