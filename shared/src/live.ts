import { z } from 'zod';
import { ErrorCodeSchema } from './common';
import { LiveCountSchema } from './tasks';

/*
 * Server → client messages on `/api/v1/live` (the client's are LiveClientMessageSchema in tasks.ts).
 * A count carries no `type`: contract v1 fixes it as `{ taskId, claimed, remaining, status }`.
 */

/** Sent once the socket's token is accepted. */
export const LiveReadySchema = z.object({ type: z.literal('ready') });

/** A message the server could not take; `UNAUTHENTICATED` comes just before the socket closes. */
export const LiveErrorSchema = z.object({ type: z.literal('error'), code: ErrorCodeSchema, message: z.string() });

export const LiveServerMessageSchema = z.union([LiveCountSchema, LiveReadySchema, LiveErrorSchema]);
export type LiveServerMessage = z.infer<typeof LiveServerMessageSchema>;
