import { createDatabase } from '../../server/src/db/client';
import { dateOf, executeNamed, sqlText } from '../../server/src/db/sql-text';
import { readAll, transaction } from '../../server/src/db/transaction';
import { createTestContext, type TestContext } from '../helpers/test-app';

// The repositories send `$n` statements and array parameters through drizzle: these are the
// rules they rely on, on a real PostgreSQL.
let ctx: TestContext;
let database: TestContext['database'];

beforeAll(async () => {
  ctx = await createTestContext();
  database = ctx.database;
});
afterAll(async () => ctx?.close());

const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];

test('sqlText binds each $n to its value, an array as ONE parameter (a sql template would expand it), repeats included', async () => {
  const { rows } = await database.db.execute<{ n: number; first: string; same: boolean; hit: boolean; miss: boolean }>(
    sqlText(
      `select cardinality($1::uuid[]) as n, ($1::uuid[])[1]::text as first, $2::int = $2::int as same,
              $3::uuid = any($1::uuid[]) as hit, $4::uuid = any($1::uuid[]) as miss`,
      [ids, 7, ids[2], '00000000-0000-4000-8000-000000000009'],
    ),
  );
  expect(rows[0]).toEqual({ n: 3, first: ids[0], same: true, hit: true, miss: false });
  expect(() => sqlText('select $2', [1])).toThrow('$2 without a value');
});

test('raw rows keep timestamptz as text; dateOf reads it back exactly', async () => {
  const at = new Date('2030-06-01T08:09:10.123Z');
  const { rows } = await database.db.execute<{ t: string }>(sqlText('select $1::timestamptz as t', [at]));
  expect(typeof rows[0].t).toBe('string');
  expect(dateOf(rows[0].t)!.toISOString()).toBe(at.toISOString());
  expect(dateOf(null)).toBeNull();
});

test('a statement inside transaction() runs on the transaction and rolls back with it', async () => {
  await database.db.execute(sqlText('create table sql_text_probe (id int)', []));
  await expect(
    transaction(database.db, async (tx) => {
      await tx.execute(sqlText('insert into sql_text_probe values ($1)', [1]));
      throw new Error('abort');
    }),
  ).rejects.toThrow('abort');
  const { rows } = await database.db.execute<{ n: number }>(sqlText('select count(*)::int as n from sql_text_probe', []));
  expect(rows[0].n).toBe(0);
});

describe('readAll', () => {
  /** Reads that note how many of them run at once, each a real query on the handle given. */
  const probe = (on: Parameters<typeof readAll>[0]) => {
    let running = 0;
    let most = 0;
    const read = (n: number) => async () => {
      most = Math.max(most, ++running);
      const { rows } = await on.execute<{ n: number }>(sqlText('select $1::int as n from pg_sleep(0.01)', [n]));
      running--;
      return rows[0].n;
    };
    return { reads: [read(1), read(2), read(3)] as const, most: () => most };
  };

  test('inside a transaction, one read after another: its connection never holds two queries (pg 9 refuses that)', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const got = await transaction(database.db, async (tx) => {
        const p = probe(tx);
        const result = await readAll(tx, [...p.reads]);
        return { result, most: p.most() };
      });
      expect(got).toEqual({ result: [1, 2, 3], most: 1 });
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('on the pool, the reads run at once', async () => {
    const p = probe(database.db);
    expect(await readAll(database.db, [...p.reads])).toEqual([1, 2, 3]);
    expect(p.most()).toBe(3);
  });
});

/**
 * `executeNamed` reaches drizzle's session through `prepareQuery`, which drizzle types but does
 * not document: these pin down, against the installed drizzle-orm and pg, what the claim path
 * relies on. A drizzle upgrade that changes how a session prepares (unnamed statements, two
 * round trips, array mode, another connection) fails here before it reaches the bench.
 */
describe('executeNamed', () => {
  const NAMED = `select $1::int + 1 as n, cardinality($2::uuid[]) as ids, $3::timestamptz as t, $4::text as label`;
  const at = new Date('2031-02-03T04:05:06.789Z');

  test('runs as a named prepared statement on the transaction connection, once parsed, one query each, rows as objects', async () => {
    await transaction(database.db, async (tx) => {
      const calls: unknown[] = [];
      const client = tx.$client;
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      // Counts what reaches pg's client: one query (Parse/Bind/Execute in one flight) per statement.
      const spy = jest.spyOn(client, 'query').mockImplementation(((...args: unknown[]) => {
        calls.push(args[0]);
        return query(...args);
      }) as typeof client.query);
      try {
        const first = await executeNamed(tx, 'sql_text_named_probe', NAMED, [1, ids, at, 'a']);
        const second = await executeNamed(tx, 'sql_text_named_probe', NAMED, [41, ids.slice(0, 1), at, 'b']);
        expect(calls).toHaveLength(2);
        expect(calls[0]).toMatchObject({ name: 'sql_text_named_probe', text: NAMED });
        expect(first.rowCount).toBe(1);
        expect(first.rows[0]).toMatchObject({ n: 2, ids: 3, label: 'a' });
        expect(second.rows[0]).toMatchObject({ n: 42, ids: 1, label: 'b' });
        // Timestamps come back as PostgreSQL's text, as from tx.execute: dateOf reads them.
        expect(typeof first.rows[0].t).toBe('string');
        expect(dateOf(first.rows[0].t)!.toISOString()).toBe(at.toISOString());
      } finally {
        spy.mockRestore();
      }
      // The same session knows the statement by its name, with the text as written and the array as one parameter.
      const { rows } = await tx.execute<{ statement: string; parameter_types: string }>(
        sqlText(`select statement, parameter_types::text from pg_prepared_statements where name = $1`, ['sql_text_named_probe']),
      );
      expect(rows).toEqual([{ statement: NAMED, parameter_types: '{integer,uuid[],"timestamp with time zone",text}' }]);
    });
  });

  test('on the database (pool) handle it prepares on the connection it ran on', async () => {
    // A pool of one connection: pg_prepared_statements is then read on the same session.
    const single = createDatabase(ctx.dbUrl, 1);
    try {
      const { rows } = await executeNamed(single.db, 'sql_text_named_pool', 'select $1::text || $2::text as s', ['ab', 'c']);
      expect(rows).toEqual([{ s: 'abc' }]);
      const again = await executeNamed(single.db, 'sql_text_named_pool', 'select $1::text || $2::text as s', ['x', 'y']);
      expect(again.rows).toEqual([{ s: 'xy' }]);
      const seen = await single.db.execute<{ n: number }>(
        sqlText(`select count(*)::int as n from pg_prepared_statements where name = $1`, ['sql_text_named_pool']),
      );
      expect(seen.rows[0].n).toBe(1);
    } finally {
      await single.close();
    }
  });
});
