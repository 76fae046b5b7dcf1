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

/** A serialization failure or a deadlock PostgreSQL broke: the transaction may simply run again. */
export function isRetryableConflict(e: unknown): boolean {
  const code = pgError(e)?.code;
  return code === '40001' || code === '40P01';
}

/** admin_shutdown, crash_shutdown, cannot_connect_now: PostgreSQL going down or starting up. */
export function isDatabaseStopping(e: unknown): boolean {
  return /^57P0[1-3]$/.test(pgError(e)?.code ?? '');
}

// SQLSTATE classes and codes that mean "the database is not there right now", not "the request is wrong":
// 08 connection exception, 57P01-57P03 shutdown / cannot connect now, 53300 too many connections,
// 40001/40P01 serialization failure and deadlock (safe to retry).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300|40001|40P01)$/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
// pg's own errors for a connection that died or never came: they carry no code.
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'Client was closed and is not queryable',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
  'Cannot use a pool after calling end on the pool',
  'the database system is',
];

/** True when the error says the database could not be reached or dropped us: answer 503, not 500. */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    // A FATAL error ends the session (shutdown, refused connection, the database closed to
    // connections): never the request's fault.
    const severity = (cur as { severity?: unknown }).severity;
    if (severity === 'FATAL' || severity === 'PANIC') return true;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
    const message = (cur as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
    if (Array.isArray((cur as { errors?: unknown }).errors)) {
      // AggregateError from a connect that tried several addresses.
      if ((cur as { errors: unknown[] }).errors.some((x) => isDatabaseUnavailable(x))) return true;
    }
  }
  return false;
}

const SAFE_PG_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'dataType', 'routine'] as const;

/**
 * What may be logged of an error. Driver and ORM texts carry data: drizzle's message lists every
 * bound parameter, PostgreSQL's `detail` quotes key values and some messages quote the input. So a
 * database error is logged by its SQLSTATE and names only; other errors keep their message, and
 * stacks lose their first line (which repeats the message).
 */
export function loggableError(e: unknown): { type: string; message: string; stack: string; [key: string]: unknown } {
  if (!e || typeof e !== 'object') return { type: typeof e, message: '', stack: '' };
  const err = e as Error & Record<string, unknown>;
  const frames =
    typeof err.stack === 'string'
      ? err.stack
          .split('\n')
          .filter((l) => /^\s+at /.test(l))
          .join('\n')
      : '';
  const db = findDbError(err);
  if (db) {
    const out = { type: err.name ?? 'Error', message: db.code ? `database error ${String(db.code)}` : 'database error', stack: frames } as {
      type: string;
      message: string;
      stack: string;
      [key: string]: unknown;
    };
    for (const k of SAFE_PG_FIELDS) if (typeof db[k] === 'string') out[k] = db[k];
    return out;
  }
  return { type: err.name ?? 'Error', message: err.message, code: typeof err.code === 'string' ? err.code : undefined, stack: frames };
}

/** The pg (or drizzle-wrapped) error in a chain, recognised by its fields, not its class. */
function findDbError(e: unknown): Record<string, unknown> | null {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const c = cur as Record<string, unknown>;
    const name = typeof c.name === 'string' ? c.name : '';
    if (name === 'DrizzleQueryError' || 'severity' in c || 'routine' in c || (typeof c.query === 'string' && 'params' in c)) {
      const inner = c.cause && typeof c.cause === 'object' ? (c.cause as Record<string, unknown>) : null;
      return inner && typeof inner.code === 'string' ? inner : c;
    }
  }
  return null;
}

/**
 * A claim naming a member that no longer exists (注销 since the session was signed): the
 * claims' member check (migration `registry_functions`) raises this.
 */
export function isGoneMember(e: unknown): boolean {
  const err = pgError(e);
  return err?.code === '23503' && err.constraint === 'claims_member_id_members_id_fk';
}
