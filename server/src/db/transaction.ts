import { drizzle } from 'drizzle-orm/node-postgres';
import { PgTransaction } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Db, DbOrTx } from './client';
import * as schema from './schema';

/**
 * The one way into a transaction. drizzle's own `db.transaction()` sends `begin` before its
 * try/finally, so a connection killed at that moment never goes back to the pool (and a dead
 * client whose rollback failed is pooled again): after a few dozen kills the pool is empty for
 * good. Here the client is checked out once, and on every path (begin, the callback, commit)
 * it is either released healthy or destroyed.
 */

/** A drizzle handle bound to one checked-out client inside begin … commit. `$client` is that client. */
export type Tx = Db & { readonly $client: pg.PoolClient };

/** One drizzle handle per pooled connection: building one reads the whole schema, a connection lives long. */
const handles = new WeakMap<pg.PoolClient, Tx>();
/** Handles currently inside a transaction of this helper: a nested call joins instead of beginning again. */
const open = new WeakSet<object>();

function handleFor(client: pg.PoolClient): Tx {
  let tx = handles.get(client);
  if (!tx) {
    tx = drizzle(client, { schema, casing: 'snake_case' }) as unknown as Tx;
    handles.set(client, tx);
  }
  return tx;
}

/** The pool behind the database handle (drizzle keeps it as `$client`). */
const poolOf = (db: Db): pg.Pool => (db as Db & { $client: pg.Pool }).$client;

/** True when `db` already is an open transaction (of this helper, or a drizzle one handed down). */
export function isTransaction(db: DbOrTx): boolean {
  return open.has(db) || db instanceof PgTransaction;
}

/**
 * Runs `fn` in a transaction and returns its result. `on` is the database: a client of its pool
 * is checked out for the transaction. When `on` is already a transaction (the `tx ?? db` a
 * repository was handed), `fn` runs inside it and the outer caller commits.
 *
 * Failure paths: `begin` failing, the callback throwing and `commit` failing all roll back and
 * release the client; a client whose rollback fails (its connection died) is destroyed so the
 * pool opens a fresh one.
 */
export async function transaction<T>(on: DbOrTx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (isTransaction(on)) return fn(on as Tx);
  const client = await poolOf(on as Db).connect();
  const tx = handleFor(client);
  let broken: Error | undefined;
  try {
    await client.query('begin');
    open.add(tx);
    const result = await fn(tx);
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback').catch((err: Error) => {
      broken = err;
    });
    throw e;
  } finally {
    open.delete(tx);
    client.release(broken);
  }
}

/**
 * Runs independent reads at once on the pool, one after another inside a transaction: its one
 * connection runs one query at a time (pg queues overlapping queries today, with a deprecation
 * warning, and pg 9 refuses them).
 */
export async function readAll<T extends unknown[]>(on: DbOrTx, reads: [...{ [K in keyof T]: () => Promise<T[K]> }]): Promise<T> {
  if (!isTransaction(on)) return (await Promise.all(reads.map((read) => read()))) as T;
  const results: unknown[] = [];
  for (const read of reads) results.push(await read());
  return results as T;
}
