import { dateOf, sqlText } from '../../server/src/db/sql-text';
import { transaction } from '../../server/src/db/transaction';
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
