/** PostgreSQL's error, whether thrown by pg directly or wrapped by drizzle (DrizzleQueryError.cause). */
function pgError(e: unknown): { code?: string; constraint?: string } | null {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 3; cur = (cur as { cause?: unknown }).cause, depth++) {
    if (typeof (cur as { code?: unknown }).code === 'string') return cur as { code: string; constraint?: string };
  }
  return null;
}

/** A unique violation, optionally of one named constraint. */
export function isUniqueViolation(e: unknown, constraint?: string): boolean {
  const err = pgError(e);
  return err?.code === '23505' && (constraint === undefined || err.constraint === constraint);
}
