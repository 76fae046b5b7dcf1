import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema';

export type Db = NodePgDatabase<typeof schema>;
/** Either the database or an open transaction: repositories take one of these. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  url: string;
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

// timestamptz as Date, bigint counts as numbers (counts here never exceed 2^53).
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * Waiting longer than this for a connection means the database is not coming: answer 503. The
 * wait includes queueing for a pooled connection, which a burst of hundreds of claims on a busy
 * machine legitimately spends seconds on; a database that is down refuses at once anyway.
 */
const CONNECT_TIMEOUT_MS = 30_000;

export function createDatabase(url: string, poolSize: number, opts: { onClientError?(err: Error): void } = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  const onClientError = opts.onClientError ?? (() => {});
  // pg's pool listens for 'error' only on idle clients and removes that listener at checkout, so a
  // connection that drops inside a transaction would emit 'error' with nobody listening and kill
  // the process. Every client gets a listener of its own for its whole life; the query in flight
  // fails on its own, and the broken client is discarded when it is released.
  pool.on('connect', (client) => {
    client.on('error', onClientError);
  });
  pool.on('error', onClientError);
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  return { url, pool, db, close: () => pool.end() };
}
