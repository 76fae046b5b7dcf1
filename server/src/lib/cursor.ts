import { z } from 'zod';
import { IdSchema, isWithinDateRange, text } from '@pioneer/shared';
import { invalid } from './errors';

/** Opaque paging cursors: JSON in base64url, checked against a schema when they come back. */
export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(raw: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid('cursor', 'malformed cursor');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid('cursor', 'malformed cursor');
  return parsed.data;
}

/**
 * A time exactly as `Date.toISOString` writes it. JavaScript accepts "0" or "2020-02-30" and
 * PostgreSQL refuses them, so a cursor's time must round-trip to itself; and, like every time
 * in a request (contract v3), lie within 2000–2100.
 */
export const CursorTimeSchema = z.string().refine((s) => {
  const t = Date.parse(s);
  return !Number.isNaN(t) && isWithinDateRange(t) && new Date(t).toISOString() === s;
});

export const CursorIdSchema = IdSchema;
export const CursorTextSchema = text().max(200);

/** The most common keyset: a time (newest first) with the id to break ties. */
export const TimeIdCursorSchema = z.object({ c: CursorTimeSchema, i: CursorIdSchema });
export const encodeTimeIdCursor = (at: Date, id: string): string => encodeCursor({ c: at.toISOString(), i: id });
