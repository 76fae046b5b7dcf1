import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import * as schema from '../../src/db/schema';
import { rollupsServiceFactory } from '../../src/modules/rollups/rollups-service';
import { generateCity, type City, type Columns, type ExistingData, type PostBatch } from './generate';
import { seedUnits, type UnitsCounts } from './units';

type ColumnType = 'uuid' | 'text' | 'int' | 'ts' | 'text[]';

/** Column types of the tables loaded here (names as in the database). */
const TABLES: Record<
  keyof Omit<City, 'counts' | 'firstMemberNames' | 'posts'> | keyof PostBatch,
  { table: string; types: Record<string, ColumnType> }
> = {
  districts: { table: 'districts', types: { id: 'uuid', name: 'text', sort_order: 'int' } },
  orgs: {
    table: 'party_orgs',
    types: { id: 'uuid', kind: 'text', name: 'text', district_id: 'uuid', register_code: 'text', created_at: 'ts' },
  },
  estates: { table: 'estates', types: { id: 'uuid', community_org_id: 'uuid', name: 'text', created_at: 'ts' } },
  users: { table: 'users', types: { id: 'uuid', openid: 'text', created_at: 'ts', last_login_at: 'ts' } },
  grants: { table: 'role_grants', types: { id: 'uuid', user_id: 'uuid', role: 'text', org_id: 'uuid', created_at: 'ts' } },
  members: {
    table: 'members',
    types: {
      id: 'uuid',
      user_id: 'uuid',
      name: 'text',
      phone_cipher: 'text',
      phone_hash: 'text',
      phone_masked: 'text',
      unit_org_id: 'uuid',
      work_unit: 'text',
      community_org_id: 'uuid',
      estate_id: 'uuid',
      building: 'text',
      unit_no: 'text',
      room: 'text',
      intentions: 'text[]',
      consent_version: 'text',
      consented_at: 'ts',
      registered_at: 'ts',
      updated_at: 'ts',
    },
  },
  tasks: {
    table: 'tasks',
    types: {
      id: 'uuid',
      community_org_id: 'uuid',
      title: 'text',
      category: 'text',
      description: 'text',
      location: 'text',
      starts_at: 'ts',
      ends_at: 'ts',
      capacity: 'int',
      claimed: 'int',
      service_minutes: 'int',
      status: 'text',
      claim_opens_at: 'ts',
      cancel_cutoff_minutes: 'int',
      filled_at: 'ts',
      created_by: 'uuid',
      created_at: 'ts',
      cancelled_at: 'ts',
    },
  },
  households: {
    table: 'households',
    types: {
      id: 'uuid',
      community_org_id: 'uuid',
      estate_id: 'uuid',
      building: 'text',
      unit_no: 'text',
      room: 'text',
      owner_name_cipher: 'text',
      owner_name_hash: 'text',
      phone_cipher: 'text',
      phone_hash: 'text',
      phone_masked: 'text',
      created_at: 'ts',
      updated_at: 'ts',
    },
  },
  claims: {
    table: 'claims',
    types: {
      id: 'uuid',
      task_id: 'uuid',
      member_id: 'uuid',
      status: 'text',
      claimed_at: 'ts',
      cancelled_at: 'ts',
      checked_in_at: 'ts',
      checked_out_at: 'ts',
      minutes: 'int',
    },
  },
};

/** Rows per string handed to the COPY stream: big enough to keep the socket busy, small enough to stay cheap. */
const COPY_CHUNK_ROWS = 4_000;
/**
 * Posts generated and loaded per batch (about 14 claims each): at scale 100 the 13 M claims
 * never sit in memory together, which held the Node heap above 13 GB and spent the time in GC.
 */
const POST_BATCH_TASKS = 10_000;

/** COPY text format: backslash, tab, newline and carriage return escaped; null is `\N`. */
const escapeText = (v: string) => (/[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : v);
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One column value in COPY text form. Times are epoch milliseconds; intentions are comma-joined category keys. */
function copyValue(type: ColumnType, v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  switch (type) {
    case 'uuid':
    case 'int':
      return String(v);
    case 'ts':
      return new Date(v as number).toISOString();
    case 'text[]':
      // Category keys are plain identifiers: no quoting needed inside the array literal.
      return `{${v as string}}`;
    default:
      return escapeText(v as string);
  }
}

/**
 * Streams column arrays into `table` with COPY … FROM STDIN (pg-copy-streams): PostgreSQL parses
 * rows while the next chunk is being formatted, with no per-statement planning and no array
 * parameters to unpack.
 */
async function copyColumns(
  client: pg.ClientBase,
  table: string,
  types: Record<string, ColumnType>,
  cols: Columns,
  onRows: (n: number) => void,
) {
  const names = Object.keys(types);
  const columns = names.map((n) => ({ values: cols[n], type: types[n] }));
  const total = columns[0].values.length;
  // An empty COPY stream never finishes (the districts may all be the demo's).
  if (total === 0) return;
  const stream = client.query(copyFrom(`copy ${table} (${names.join(', ')}) from stdin`));
  const done = finished(stream);
  for (let from = 0; from < total; from += COPY_CHUNK_ROWS) {
    const to = Math.min(total, from + COPY_CHUNK_ROWS);
    const lines: string[] = new Array(to - from);
    for (let r = from; r < to; r++) {
      let line = copyValue(columns[0].type, columns[0].values[r]);
      for (let c = 1; c < columns.length; c++) line += '\t' + copyValue(columns[c].type, columns[c].values[r]);
      lines[r - from] = line;
    }
    if (!stream.write(Buffer.from(lines.join('\n') + '\n'))) await once(stream, 'drain');
    onRows(to - from);
  }
  stream.end();
  await done;
}

/**
 * Heap the generator needs at `scale`, when more than the process may use: the city without its
 * posts stays in memory until loaded (about 50 MB per unit of scale: 487 MB at scale 10, ~5 GB at
 * 100) and the default Node heap is about 4 GB, so a province-sized seed must ask for more up
 * front instead of running out of memory minutes in. Null when `limitMb` suffices.
 */
export function heapShortfall(scale: number, limitMb: number): { needMb: number; limitMb: number; nodeOptions: string } | null {
  const needMb = Math.ceil(60 * scale + 300);
  if (needMb <= limitMb) return null;
  return { needMb, limitMb: Math.floor(limitMb), nodeOptions: `--max-old-space-size=${Math.ceil(needMb / 1024) * 1024}` };
}

/** The roll-up tables rebuilt after the load. */
const ROLLUP_TABLES = ['stats_rollups', 'stats_fill_times'];
const isRollupIndex = (def: string) => ROLLUP_TABLES.some((t) => def.includes(` ON public.${t} `));

/** Every table the city touches, emptied by `--reset` (CASCADE reaches whatever references them). */
export const DOMAIN_TABLES = [
  'households',
  'member_consents',
  'claims',
  'tasks',
  'members',
  'estates',
  'role_grants',
  'invites',
  'idempotency_keys',
  'audit_log',
  'party_orgs',
  'districts',
  'users',
  'rollup_queue',
  'rollup_changes',
  'stats_rollups',
  'stats_fill_times',
  'index_scores',
];

export async function resetDomainTables(pool: pg.Pool): Promise<void> {
  await pool.query(`truncate ${DOMAIN_TABLES.join(', ')} restart identity cascade`);
}

export interface SeedCityOptions {
  scale: number;
  seed: number;
  phoneEncKey: Buffer;
  phoneHashKey: Buffer;
  now?: number;
  /** Posts per generated and loaded batch (tests cut small cities into several). */
  postBatchTasks?: number;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export type SeedCityResult = City['counts'] & UnitsCounts & { firstMemberNames: string[]; ms: number };

export class CityAlreadySeededError extends Error {}

/**
 * Generates a city deterministically from `seed` and loads it in one transaction.
 * Districts that already exist (the demo's) are reused by name; other names avoid collisions.
 */
export async function seedCity(pool: pg.Pool, opts: SeedCityOptions): Promise<SeedCityResult> {
  const started = performance.now();
  const client = await pool.connect();
  try {
    const seeded = await client.query(`select 1 from users where openid = 'dev_city_admin'`);
    if (seeded.rowCount) throw new CityAlreadySeededError('city data is already loaded (use --reset)');
    const existing: ExistingData = {
      districtIds: new Map(
        (await client.query<{ id: string; name: string }>('select id, name from districts')).rows.map((r) => [r.name, r.id]),
      ),
      orgNames: new Set((await client.query<{ name: string }>('select name from party_orgs')).rows.map((r) => r.name)),
      registerCodes: new Set(
        (await client.query<{ c: string }>('select register_code as c from party_orgs where register_code is not null')).rows.map(
          (r) => r.c,
        ),
      ),
    };
    const city = generateCity(
      { scale: opts.scale, seed: opts.seed, now: opts.now ?? Date.now(), phoneEncKey: opts.phoneEncKey, phoneHashKey: opts.phoneHashKey },
      existing,
      (done, total) => opts.onProgress?.('generate', done, total),
    );

    const order = ['districts', 'orgs', 'estates', 'users', 'grants', 'members', 'households'] as const;
    const postTables = ['tasks', 'claims'] as const;
    const cityRows = order.reduce((n, k) => n + city[k].id.length, 0);
    let loaded = 0;
    await client.query('begin');
    // The roll-ups' statements go through drizzle, on this client's transaction.
    const onLoad = drizzle(client, { schema, casing: 'snake_case' });
    // The roll-up job's lock first (the rebuild below needs it): held before any table is locked.
    await rollupsServiceFactory({ db: onLoad, intervalMs: 0 }).holdJob(onLoad);
    // Commit waits for one WAL flush at the end instead of many: the load is all-or-nothing anyway.
    await client.query('set local synchronous_commit = off');
    // As a superuser (the embedded PostgreSQL), skip the per-row foreign-key and roll-up queue
    // triggers: the generator writes only rows that reference rows it wrote (its test checks),
    // and the roll-ups are rebuilt below. Checks and unique indexes still apply.
    const { rows: role } = await client.query<{ su: boolean }>('select rolsuper as su from pg_roles where rolname = current_user');
    if (role[0]?.su) await client.query('set local session_replication_role = replica');
    // History notifies nobody: the claims triggers skip their outbox rows (migration 0012).
    await client.query(`set local pioneer.notifications = 'off'`);
    const loadedTables = [...order, ...postTables].map((k) => TABLES[k].table);
    // Indexes that back no constraint are built once after the load (a sort) rather than kept up
    // to date row by row (random inserts into every btree): same indexes, same transaction.
    const { rows: deferred } = await client.query<{ name: string; def: string }>(
      `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
         from pg_index i
        where i.indrelid = any($1::regclass[]) and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
      [[...loadedTables, ...ROLLUP_TABLES]],
    );
    for (const d of deferred) await client.query(`drop index ${d.name}`);
    for (const key of order) {
      const { table, types } = TABLES[key];
      await copyColumns(client, table, types, city[key], (n) => {
        loaded += n;
        opts.onProgress?.(`load ${table}`, loaded, cityRows);
      });
      // Loaded rows are not needed again: let the collector have them before the posts are made.
      city[key] = {};
    }
    // Posts a batch at a time: generate, load the posts, then their claims (which reference them).
    let postsDone = 0;
    const batches = city.posts(opts.postBatchTasks ?? POST_BATCH_TASKS);
    for (;;) {
      opts.onProgress?.('generate posts', postsDone, city.counts.tasks);
      const next = batches.next();
      if (next.done) break;
      for (const key of postTables) {
        const { table, types } = TABLES[key];
        await copyColumns(client, table, types, next.value[key], () => opts.onProgress?.(`load ${table}`, postsDone, city.counts.tasks));
      }
      postsDone += next.value.tasks.id.length;
    }
    // 组织报到: agreements, needs and projects of the loaded orgs.
    opts.onProgress?.('agreements and projects', 0, 1);
    const unitsCounts = await seedUnits(client, { seed: opts.seed, now: opts.now ?? Date.now(), phoneEncKey: opts.phoneEncKey });
    const totalRows = cityRows + city.counts.tasks + city.counts.claims;
    opts.onProgress?.('indexes', totalRows, totalRows);
    await client.query(`set local maintenance_work_mem = '256MB'`);
    const [rollupIndexes, rowIndexes] = [deferred.filter((d) => isRollupIndex(d.def)), deferred.filter((d) => !isRollupIndex(d.def))];
    for (const d of rowIndexes) await client.query(d.def);
    // Statistics before the roll-ups read the rows: without them the planner takes the fresh tables
    // for empty (autovacuum has not seen them) and at scale 100 the first roll-up query ran over
    // 20 minutes instead of seconds. ANALYZE counts this transaction's own rows.
    opts.onProgress?.('analyze', totalRows, totalRows);
    await client.query(`analyze ${loadedTables.join(', ')}`);
    // The roll-ups the statistics read, from scratch, in the same transaction as the rows.
    opts.onProgress?.('roll-ups', totalRows, totalRows);
    await rollupsServiceFactory({ db: onLoad, intervalMs: 0 }).rebuildAll(onLoad);
    // The roll-ups' reading indexes (ranking, members) likewise: built once over the finished rows.
    for (const d of rollupIndexes) await client.query(d.def);
    await client.query('commit');
    // Vacuumed, so the ranking's covering indexes answer without visiting the table.
    await client.query('vacuum (analyze) stats_rollups, stats_fill_times');
    return { ...city.counts, ...unitsCounts, firstMemberNames: city.firstMemberNames, ms: Math.round(performance.now() - started) };
  } catch (e) {
    await client.query('rollback').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
