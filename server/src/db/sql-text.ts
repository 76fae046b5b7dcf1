import { sql, type SQL } from 'drizzle-orm';
import pg from 'pg';
import type { DbOrTx } from './client';

/**
 * A statement written as `$n` text (the hot path's CTEs and the fragments modules lend each
 * other) with its values, as a drizzle SQL for `tx.execute`: the text is sent as written, each
 * `$n` becoming one bound parameter of its value. A value that is an array stays ONE parameter
 * (a PostgreSQL array for `any($1::uuid[])` / `unnest`): interpolated into a `sql` template a
 * JS array would expand into a list of parameters instead.
 */
export function sqlText(text: string, values: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) chunks.push(sql.raw(parts[i]));
    else {
      const n = Number(parts[i]);
      if (n < 1 || n > values.length) throw new Error(`sqlText: $${n} without a value`);
      chunks.push(sql`${sql.param(values[n - 1])}`);
    }
  }
  return sql.join(chunks);
}

/** One array as one bound parameter (see `sqlText`): `${arrayParam(ids)}::uuid[]`. */
export const arrayParam = (values: readonly unknown[]): SQL => sql`${sql.param(values)}`;

const parseTimestamptz = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ) as (v: string) => Date;

/**
 * A timestamptz column of a `tx.execute` row as a Date: drizzle's raw execution hands timestamps
 * back as PostgreSQL's text (its builder maps them through the column), parsed here as pg would.
 */
export const dateOf = (v: string | Date | null | undefined): Date | null =>
  v == null ? null : v instanceof Date ? v : parseTimestamptz(v);

const parseTimestamptzArray = pg.types.getTypeParser(1185 as Parameters<typeof pg.types.getTypeParser>[0] /* timestamptz[] */) as (
  v: string,
) => Date[];

/** A timestamptz[] column of a raw row as Dates (see `dateOf`). */
export const datesOf = (v: string | Date[] | null | undefined): Date[] =>
  v == null ? [] : Array.isArray(v) ? v.map((d) => dateOf(d)!) : parseTimestamptzArray(v);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a hand-written statement's row: its reader gives it a type
export type RawRow = Record<string, any>;

/**
 * A `$n` statement sent exactly as written (its text and numbering untouched) as a NAMED prepared
 * statement: each connection parses and plans it once, as pg's `{ name, text }` queries did. The
 * claim path's statements go this way; it is drizzle's own session, the one `tx.execute` uses,
 * so a transaction's `tx` runs it on the transaction's connection. Array values stay one
 * parameter each. Rows as PostgreSQL sent them: timestamps as text (`dateOf`, `datesOf`).
 * `prepareQuery` is typed but not documented by drizzle: tests/server/sql-text.test.ts checks,
 * against the installed version, that the statement is named on the connection and run in one query.
 */
export async function executeNamed(
  on: DbOrTx,
  name: string,
  text: string,
  values: unknown[],
): Promise<{ rows: RawRow[]; rowCount: number | null }> {
  const prepared = on._.session.prepareQuery({ sql: text, params: values }, undefined, name, false);
  return (await prepared.execute()) as { rows: RawRow[]; rowCount: number | null };
}
