import type pg from 'pg';

/**
 * Runs `fn` in a transaction on a pooled client of raw pg (hot paths, advisory locks). A client
 * whose rollback fails (its connection died) is destroyed, not pooled again.
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (e) {
    await client.query('rollback').catch((err: Error) => {
      broken = err;
    });
    throw e;
  } finally {
    client.release(broken);
  }
}
