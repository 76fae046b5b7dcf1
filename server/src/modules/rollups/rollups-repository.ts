import type pg from 'pg';
import {
  ALL_ROWS_SQL,
  CITY_ID,
  CITY_FILL_DELTA_SQL,
  CITY_FILL_PRUNE_SQL,
  CITY_ROWS_SQL,
  DISTRICT_ROWS_SQL,
  FILL_SUMMARY_SQL,
  FILL_TIMES_CLEAR_SQL,
  FILL_TIMES_SUM_SQL,
  REGISTRY_ROWS_SQL,
  UNIT_CLEAR_SQL,
  UNIT_ROWS_SQL,
  communityRowsSql,
  fillTimesSql,
  periodOf,
  type Grain,
} from './rollups-sql';

/** One roll-up job at a time across every server process sharing the database. */
const JOB_LOCK = 0x70_69_6f_6e; // 'pion'

interface Touched {
  /** community id → its district, plus the (grain, period) keys touched. */
  community: Map<string, Set<string>>;
  /** Communities whose homes or members changed: their registry figures are rewritten. */
  registry: Set<string>;
  units: Set<string>;
}

const key = (grain: Grain, period: string) => `${grain}|${period}`;

/** Under the job's lock and in its transaction: the version grows in commit order (see rollupState). */
const BUMP_VERSION_SQL = `insert into rollup_state (id, version) values (1, 1) on conflict (id) do update set version = rollup_state.version + 1
  returning version::text as version`;
/** The communities a version rewrote (a null id: every community). */
const RECORD_CHANGES_SQL = `insert into rollup_changes (version, community_org_id) select $1::bigint, unnest($2::uuid[])`;
/** Versions of rollup_changes kept for readers catching up (about 3 hours of a busy job). */
const CHANGES_KEPT = 10_000;
const PRUNE_CHANGES_SQL = `with pruned as (delete from rollup_changes where version <= $1::bigint)
  update rollup_state set changes_kept_after = greatest(changes_kept_after, $1::bigint) where id = 1`;

/** Bumps the version and records which communities it changed (`null`: all), pruning old entries now and then. */
async function recordVersion(client: pg.PoolClient, communities: (string | null)[]): Promise<void> {
  const { rows } = await client.query<{ version: string }>(BUMP_VERSION_SQL);
  const version = BigInt(rows[0].version);
  if (communities.length) await client.query(RECORD_CHANGES_SQL, [version.toString(), communities]);
  if (version % 100n === 0n && version > BigInt(CHANGES_KEPT))
    await client.query(PRUNE_CHANGES_SQL, [(version - BigInt(CHANGES_KEPT)).toString()]);
}

async function rewrite(client: pg.PoolClient, touched: Touched): Promise<{ communityKeys: number }> {
  // Community rows of each grain.
  const districtKeys = new Map<string, [string, Grain, string]>();
  const cityKeys = new Map<string, [Grain, string]>();
  let communityKeys = 0;
  for (const grain of ['month', 'week'] as const) {
    const ids: string[] = [];
    const periods: string[] = [];
    for (const [id, keys] of touched.community)
      for (const k of keys) {
        const [g, p] = k.split('|');
        if (g === grain) {
          ids.push(id);
          periods.push(p);
        }
      }
    if (ids.length === 0) continue;
    communityKeys += ids.length;
    await client.query(communityRowsSql(grain, 'keys'), [ids, periods]);
    const { rows } = await client.query<{ district_id: string; period: string }>(
      `select distinct po.district_id, u.p::text as period from unnest($1::uuid[], $2::date[]) u(c, p) join party_orgs po on po.id = u.c`,
      [ids, periods],
    );
    for (const r of rows) {
      districtKeys.set(`${r.district_id}|${grain}|${r.period}`, [r.district_id, grain, r.period]);
      cityKeys.set(key(grain, r.period), [grain, r.period]);
    }
  }
  const registry = [...touched.registry];
  if (registry.length) {
    const { rows } = await client.query<{ district_id: string; period: string }>(REGISTRY_ROWS_SQL, [registry]);
    for (const r of rows) {
      districtKeys.set(`${r.district_id}|month|${r.period}`, [r.district_id, 'month', r.period]);
      cityKeys.set(key('month', r.period), ['month', r.period]);
    }
  }
  const units = [...touched.units];
  if (units.length) {
    await client.query(UNIT_CLEAR_SQL, [units]);
    await client.query(UNIT_ROWS_SQL, [units]);
  }

  const dk = [...districtKeys.values()];
  if (dk.length) await client.query(DISTRICT_ROWS_SQL, [dk.map((k) => k[0]), dk.map((k) => k[1]), dk.map((k) => k[2])]);
  const ck = [...cityKeys.values()];
  if (ck.length) await client.query(CITY_ROWS_SQL, [ck.map((k) => k[0]), ck.map((k) => k[1])]);

  const communities = [...touched.community.keys()];
  const districts = [...new Set(dk.map((k) => k[0]))];
  if (communities.length) {
    await client.query(ALL_ROWS_SQL, ['community', communities]);
    await client.query(FILL_TIMES_CLEAR_SQL, ['community', communities]);
    await client.query(fillTimesSql('community'), [communities]);
    await client.query(FILL_SUMMARY_SQL, ['community', communities]);
  }
  if (districts.length) {
    await client.query(ALL_ROWS_SQL, ['district', districts]);
    // The city's distribution moves by what the touched districts' distributions moved.
    const before = await client.query<{ seconds: number; tasks: number }>(FILL_TIMES_SUM_SQL, ['district', districts]);
    await client.query(FILL_TIMES_CLEAR_SQL, ['district', districts]);
    await client.query(fillTimesSql('district'), [districts]);
    const after = await client.query<{ seconds: number; tasks: number }>(FILL_TIMES_SUM_SQL, ['district', districts]);
    const delta = new Map<number, number>();
    for (const r of before.rows) delta.set(r.seconds, (delta.get(r.seconds) ?? 0) - r.tasks);
    for (const r of after.rows) delta.set(r.seconds, (delta.get(r.seconds) ?? 0) + r.tasks);
    const changed = [...delta].filter(([, n]) => n !== 0);
    if (changed.length) {
      await client.query(CITY_FILL_DELTA_SQL, [changed.map(([s]) => s), changed.map(([, n]) => n)]);
      await client.query(CITY_FILL_PRUNE_SQL, [changed.map(([s]) => s)]);
    }
    await client.query(FILL_SUMMARY_SQL, ['district', districts]);
  }
  if (ck.some(([g]) => g === 'month')) {
    await client.query(ALL_ROWS_SQL, ['city', [CITY_ID]]);
    await client.query(FILL_SUMMARY_SQL, ['city', [CITY_ID]]);
  }
  if (units.length) {
    await client.query(ALL_ROWS_SQL, ['unit', units]);
    await client.query(FILL_TIMES_CLEAR_SQL, ['unit', units]);
    await client.query(fillTimesSql('unit'), [units]);
    await client.query(FILL_SUMMARY_SQL, ['unit', units]);
  }
  return { communityKeys };
}

/** What the drained queue entries touch. */
async function resolve(client: pg.PoolClient, drained: QueueEntry[]): Promise<Touched> {
  const touched: Touched = { community: new Map(), registry: new Set(), units: new Set() };
  const addCommunity = (id: string, month: string, week: string) => {
    let keys = touched.community.get(id);
    if (!keys) touched.community.set(id, (keys = new Set()));
    keys.add(key('month', month));
    keys.add(key('week', week));
  };
  const taskIds = [...new Set(drained.filter((r) => r.taskId).map((r) => r.taskId!))];
  // Entries naming a place and a day directly: a post that moved (its old place), a member.
  const placed = drained.filter((r) => r.communityOrgId && r.day);
  if (placed.length) {
    const { rows } = await client.query<{ c: string; month: string; week: string }>(
      `select distinct c, date_trunc('month', d)::date::text as month, date_trunc('week', d)::date::text as week
         from unnest($1::uuid[], $2::date[]) u(c, d)`,
      [placed.map((r) => r.communityOrgId), placed.map((r) => r.day)],
    );
    for (const r of rows) addCommunity(r.c, r.month, r.week);
  }
  // A member's or a home's entry (no post named): the community's registry figures may move.
  for (const r of placed) if (!r.taskId) touched.registry.add(r.communityOrgId!);
  for (const r of drained) if (r.unitOrgId) touched.units.add(r.unitOrgId);
  if (taskIds.length) {
    const { rows } = await client.query<{ c: string; month: string; week: string }>(
      `select distinct community_org_id as c, ${periodOf('month', 'starts_at')}::text as month, ${periodOf('week', 'starts_at')}::text as week
         from tasks where id = any($1::uuid[])`,
      [taskIds],
    );
    for (const r of rows) addCommunity(r.c, r.month, r.week);
    const units = await client.query<{ u: string }>(
      `select distinct m.unit_org_id as u from claims c join members m on m.id = c.member_id where c.task_id = any($1::uuid[])`,
      [taskIds],
    );
    for (const r of units.rows) touched.units.add(r.u);
  }
  return touched;
}

interface QueueRow {
  task_id: string | null;
  community_org_id: string | null;
  unit_org_id: string | null;
  day: string | null;
}

async function rebuild(c: pg.PoolClient): Promise<void> {
  await c.query('select pg_advisory_xact_lock($1)', [JOB_LOCK]);
  // Whole-table aggregates (a city's claims): sort and hash in memory rather than on disk.
  await c.query(`set local work_mem = '256MB'`);
  await c.query('delete from rollup_queue');
  await c.query('delete from stats_rollups');
  await c.query('delete from stats_fill_times');
  for (const grain of ['month', 'week'] as const) await c.query(communityRowsSql(grain, 'all'));
  const { rows: units } = await c.query<{ id: string }>(`select id from party_orgs where kind = 'unit'`);
  const { rows: communities } = await c.query<{ id: string }>(`select id from party_orgs where kind = 'community'`);
  const { rows: districts } = await c.query<{ id: string }>(`select id from districts`);
  const unitIds = units.map((r) => r.id);
  if (unitIds.length) await c.query(UNIT_ROWS_SQL, [unitIds]);
  await c.query(REGISTRY_ROWS_SQL, [communities.map((r) => r.id)]);
  const { rows: periods } = await c.query<{ d: string; g: Grain; p: string }>(
    `select distinct district_id as d, grain as g, period::text as p from stats_rollups where scope = 'community'`,
  );
  if (periods.length) {
    await c.query(DISTRICT_ROWS_SQL, [periods.map((r) => r.d), periods.map((r) => r.g), periods.map((r) => r.p)]);
    const gp = [...new Map(periods.map((r) => [key(r.g, r.p), r])).values()];
    await c.query(CITY_ROWS_SQL, [gp.map((r) => r.g), gp.map((r) => r.p)]);
  }
  await c.query(ALL_ROWS_SQL, ['community', communities.map((r) => r.id)]);
  await c.query(ALL_ROWS_SQL, ['district', districts.map((r) => r.id)]);
  await c.query(ALL_ROWS_SQL, ['city', [CITY_ID]]);
  await c.query(ALL_ROWS_SQL, ['unit', unitIds]);
  await c.query(FILL_TIMES_CLEAR_SQL, ['community', communities.map((r) => r.id)]);
  await c.query(fillTimesSql('community'), [communities.map((r) => r.id)]);
  await c.query(FILL_TIMES_CLEAR_SQL, ['unit', unitIds]);
  await c.query(fillTimesSql('unit'), [unitIds]);
  await c.query(FILL_TIMES_CLEAR_SQL, ['district', districts.map((r) => r.id)]);
  await c.query(fillTimesSql('district'), [districts.map((r) => r.id)]);
  await c.query(
    `insert into stats_fill_times (scope, scope_id, seconds, tasks)
     select 'city', '${CITY_ID}'::uuid, seconds, sum(tasks)::int
       from stats_fill_times where scope = 'district' group by seconds`,
  );
  await c.query(FILL_SUMMARY_SQL, ['community', communities.map((r) => r.id)]);
  await c.query(FILL_SUMMARY_SQL, ['unit', unitIds]);
  await c.query(FILL_SUMMARY_SQL, ['district', districts.map((r) => r.id)]);
  await c.query(FILL_SUMMARY_SQL, ['city', [CITY_ID]]);
  await recordVersion(c, [null]);
}

/** A drained queue entry: what changed (a post, or a place and day, or a unit). */
interface QueueEntry {
  taskId: string | null;
  communityOrgId: string | null;
  unitOrgId: string | null;
  day: string | null;
}

/**
 * The roll-up job's statements. Every method takes the client of the job's transaction (see
 * rollups-service.ts), which holds the job's advisory lock.
 */
export const rollupsRepository = {
  /** Takes the job's lock (waiting for it, or giving up at once): true when this transaction holds it. */
  async jobLock(client: pg.PoolClient, wait: boolean): Promise<boolean> {
    const { rows } = await client.query<{ ok: boolean }>(
      wait ? 'select pg_advisory_xact_lock($1) is not null as ok' : 'select pg_try_advisory_xact_lock($1) as ok',
      [JOB_LOCK],
    );
    return rows[0].ok;
  },

  /** Empties the queue, answering its entries. */
  async drainQueue(client: pg.PoolClient): Promise<QueueEntry[]> {
    const { rows } = await client.query<QueueRow>(
      'delete from rollup_queue returning task_id, community_org_id, unit_org_id, day::text as day',
    );
    return rows.map((r) => ({ taskId: r.task_id, communityOrgId: r.community_org_id, unitOrgId: r.unit_org_id, day: r.day }));
  },

  /** What the drained entries touch. */
  touched: resolve,

  /** Rewrites the touched rows and the district, city and all-time rows above them. */
  rewrite,

  /** Bumps the version and records which communities it changed (`null`: all). */
  recordVersion,

  /** Recomputes every roll-up from scratch, under the job's lock, emptying the queue. */
  rebuild,
};

export type RollupsRepository = typeof rollupsRepository;
