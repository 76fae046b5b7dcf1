import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import {
  CITY_ID,
  allRowsSql,
  arrayParam,
  cityFillDeltaSql,
  cityFillPruneSql,
  cityRowsSql,
  communityRowsSql,
  districtRowsSql,
  fillSummarySql,
  fillTimesClearSql,
  fillTimesSql,
  fillTimesSumSql,
  periodOf,
  registryRowsSql,
  unitClearSql,
  unitRowsSql,
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

/** Versions of rollup_changes kept for readers catching up (about 3 hours of a busy job). */
const CHANGES_KEPT = 10_000;

/** The rows of a statement sent through drizzle on the job's transaction. */
async function rowsOf<T extends Record<string, unknown>>(tx: DbOrTx, statement: SQL): Promise<T[]> {
  return (await tx.execute<T>(statement)).rows as T[];
}

/** Bumps the version and records which communities it changed (`null`: all), pruning old entries now and then. */
async function recordVersion(tx: DbOrTx, communities: (string | null)[]): Promise<void> {
  // Under the job's lock and in its transaction: the version grows in commit order (see rollupState).
  const [bumped] = await rowsOf<{ version: string }>(
    tx,
    sql`insert into rollup_state (id, version) values (1, 1) on conflict (id) do update set version = rollup_state.version + 1
  returning version::text as version`,
  );
  const version = BigInt(bumped.version);
  // The communities a version rewrote (a null id: every community).
  if (communities.length)
    await tx.execute(
      sql`insert into rollup_changes (version, community_org_id) select ${version.toString()}::bigint, unnest(${arrayParam(communities)}::uuid[])`,
    );
  if (version % 100n === 0n && version > BigInt(CHANGES_KEPT)) {
    const keptAfter = (version - BigInt(CHANGES_KEPT)).toString();
    await tx.execute(sql`with pruned as (delete from rollup_changes where version <= ${keptAfter}::bigint)
  update rollup_state set changes_kept_after = greatest(changes_kept_after, ${keptAfter}::bigint) where id = 1`);
  }
}

async function rewrite(tx: DbOrTx, touched: Touched): Promise<{ communityKeys: number }> {
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
    await tx.execute(communityRowsSql(grain, { communityIds: ids, periods }));
    const rows = await rowsOf<{ district_id: string; period: string }>(
      tx,
      sql`select distinct po.district_id, u.p::text as period from unnest(${arrayParam(ids)}::uuid[], ${arrayParam(periods)}::date[]) u(c, p) join party_orgs po on po.id = u.c`,
    );
    for (const r of rows) {
      districtKeys.set(`${r.district_id}|${grain}|${r.period}`, [r.district_id, grain, r.period]);
      cityKeys.set(key(grain, r.period), [grain, r.period]);
    }
  }
  const registry = [...touched.registry];
  if (registry.length) {
    const rows = await rowsOf<{ district_id: string; period: string }>(tx, registryRowsSql(registry));
    for (const r of rows) {
      districtKeys.set(`${r.district_id}|month|${r.period}`, [r.district_id, 'month', r.period]);
      cityKeys.set(key('month', r.period), ['month', r.period]);
    }
  }
  const units = [...touched.units];
  if (units.length) {
    await tx.execute(unitClearSql(units));
    await tx.execute(unitRowsSql(units));
  }

  const dk = [...districtKeys.values()];
  if (dk.length)
    await tx.execute(
      districtRowsSql(
        dk.map((k) => k[0]),
        dk.map((k) => k[1]),
        dk.map((k) => k[2]),
      ),
    );
  const ck = [...cityKeys.values()];
  if (ck.length)
    await tx.execute(
      cityRowsSql(
        ck.map((k) => k[0]),
        ck.map((k) => k[1]),
      ),
    );

  const communities = [...touched.community.keys()];
  const districts = [...new Set(dk.map((k) => k[0]))];
  if (communities.length) {
    await tx.execute(allRowsSql('community', communities));
    await tx.execute(fillTimesClearSql('community', communities));
    await tx.execute(fillTimesSql('community', communities));
    await tx.execute(fillSummarySql('community', communities));
  }
  if (districts.length) {
    await tx.execute(allRowsSql('district', districts));
    // The city's distribution moves by what the touched districts' distributions moved.
    const before = await rowsOf<{ seconds: number; tasks: number }>(tx, fillTimesSumSql('district', districts));
    await tx.execute(fillTimesClearSql('district', districts));
    await tx.execute(fillTimesSql('district', districts));
    const after = await rowsOf<{ seconds: number; tasks: number }>(tx, fillTimesSumSql('district', districts));
    const delta = new Map<number, number>();
    for (const r of before) delta.set(r.seconds, (delta.get(r.seconds) ?? 0) - r.tasks);
    for (const r of after) delta.set(r.seconds, (delta.get(r.seconds) ?? 0) + r.tasks);
    const changed = [...delta].filter(([, n]) => n !== 0);
    if (changed.length) {
      await tx.execute(
        cityFillDeltaSql(
          changed.map(([s]) => s),
          changed.map(([, n]) => n),
        ),
      );
      await tx.execute(cityFillPruneSql(changed.map(([s]) => s)));
    }
    await tx.execute(fillSummarySql('district', districts));
  }
  if (ck.some(([g]) => g === 'month')) {
    await tx.execute(allRowsSql('city', [CITY_ID]));
    await tx.execute(fillSummarySql('city', [CITY_ID]));
  }
  if (units.length) {
    await tx.execute(allRowsSql('unit', units));
    await tx.execute(fillTimesClearSql('unit', units));
    await tx.execute(fillTimesSql('unit', units));
    await tx.execute(fillSummarySql('unit', units));
  }
  return { communityKeys };
}

/** What the drained queue entries touch. */
async function resolve(tx: DbOrTx, drained: QueueEntry[]): Promise<Touched> {
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
    const rows = await rowsOf<{ c: string; month: string; week: string }>(
      tx,
      sql`select distinct c, date_trunc('month', d)::date::text as month, date_trunc('week', d)::date::text as week
         from unnest(${arrayParam(placed.map((r) => r.communityOrgId))}::uuid[], ${arrayParam(placed.map((r) => r.day))}::date[]) u(c, d)`,
    );
    for (const r of rows) addCommunity(r.c, r.month, r.week);
  }
  // A member's or a home's entry (no post named): the community's registry figures may move.
  for (const r of placed) if (!r.taskId) touched.registry.add(r.communityOrgId!);
  for (const r of drained) if (r.unitOrgId) touched.units.add(r.unitOrgId);
  if (taskIds.length) {
    const rows = await rowsOf<{ c: string; month: string; week: string }>(
      tx,
      sql`select distinct community_org_id as c, ${sql.raw(periodOf('month', 'starts_at'))}::text as month, ${sql.raw(periodOf('week', 'starts_at'))}::text as week
         from tasks where id = any(${arrayParam(taskIds)}::uuid[])`,
    );
    for (const r of rows) addCommunity(r.c, r.month, r.week);
    const units = await rowsOf<{ u: string }>(
      tx,
      sql`select distinct m.unit_org_id as u from claims c join members m on m.id = c.member_id where c.task_id = any(${arrayParam(taskIds)}::uuid[])`,
    );
    for (const r of units) touched.units.add(r.u);
  }
  return touched;
}

async function rebuild(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${JOB_LOCK})`);
  // Whole-table aggregates (a city's claims): sort and hash in memory rather than on disk.
  await tx.execute(sql`set local work_mem = '256MB'`);
  await tx.execute(sql`delete from rollup_queue`);
  await tx.execute(sql`delete from stats_rollups`);
  await tx.execute(sql`delete from stats_fill_times`);
  for (const grain of ['month', 'week'] as const) await tx.execute(communityRowsSql(grain));
  const unitIds = (await rowsOf<{ id: string }>(tx, sql`select id from party_orgs where kind = 'unit'`)).map((r) => r.id);
  const communityIds = (await rowsOf<{ id: string }>(tx, sql`select id from party_orgs where kind = 'community'`)).map((r) => r.id);
  const districtIds = (await rowsOf<{ id: string }>(tx, sql`select id from districts`)).map((r) => r.id);
  if (unitIds.length) await tx.execute(unitRowsSql(unitIds));
  await tx.execute(registryRowsSql(communityIds));
  const periods = await rowsOf<{ d: string; g: Grain; p: string }>(
    tx,
    sql`select distinct district_id as d, grain as g, period::text as p from stats_rollups where scope = 'community'`,
  );
  if (periods.length) {
    await tx.execute(
      districtRowsSql(
        periods.map((r) => r.d),
        periods.map((r) => r.g),
        periods.map((r) => r.p),
      ),
    );
    const gp = [...new Map(periods.map((r) => [key(r.g, r.p), r])).values()];
    await tx.execute(
      cityRowsSql(
        gp.map((r) => r.g),
        gp.map((r) => r.p),
      ),
    );
  }
  await tx.execute(allRowsSql('community', communityIds));
  await tx.execute(allRowsSql('district', districtIds));
  await tx.execute(allRowsSql('city', [CITY_ID]));
  await tx.execute(allRowsSql('unit', unitIds));
  await tx.execute(fillTimesClearSql('community', communityIds));
  await tx.execute(fillTimesSql('community', communityIds));
  await tx.execute(fillTimesClearSql('unit', unitIds));
  await tx.execute(fillTimesSql('unit', unitIds));
  await tx.execute(fillTimesClearSql('district', districtIds));
  await tx.execute(fillTimesSql('district', districtIds));
  await tx.execute(
    sql`insert into stats_fill_times (scope, scope_id, seconds, tasks)
     select 'city', ${sql.raw(`'${CITY_ID}'`)}::uuid, seconds, sum(tasks)::int
       from stats_fill_times where scope = 'district' group by seconds`,
  );
  await tx.execute(fillSummarySql('community', communityIds));
  await tx.execute(fillSummarySql('unit', unitIds));
  await tx.execute(fillSummarySql('district', districtIds));
  await tx.execute(fillSummarySql('city', [CITY_ID]));
  await recordVersion(tx, [null]);
}

/** A drained queue entry: what changed (a post, or a place and day, or a unit). */
/** A queue row as PostgreSQL answers it; the service sees QueueEntry. */
type QueueRow = {
  task_id: string | null;
  community_org_id: string | null;
  unit_org_id: string | null;
  day: string | null;
};

interface QueueEntry {
  taskId: string | null;
  communityOrgId: string | null;
  unitOrgId: string | null;
  day: string | null;
}

/**
 * The roll-up job's statements, sent through drizzle. Every method takes the handle of the job's
 * transaction (see rollups-service.ts), which holds the job's advisory lock.
 */
export const rollupsRepository = {
  /** Takes the job's lock (waiting for it, or giving up at once): true when this transaction holds it. */
  async jobLock(tx: DbOrTx, wait: boolean): Promise<boolean> {
    const [row] = await rowsOf<{ ok: boolean }>(
      tx,
      wait ? sql`select pg_advisory_xact_lock(${JOB_LOCK}) is not null as ok` : sql`select pg_try_advisory_xact_lock(${JOB_LOCK}) as ok`,
    );
    return row.ok;
  },

  /** Empties the queue, answering its entries. */
  async drainQueue(tx: DbOrTx): Promise<QueueEntry[]> {
    const rows = await rowsOf<QueueRow>(
      tx,
      sql`delete from rollup_queue returning task_id, community_org_id, unit_org_id, day::text as day`,
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
