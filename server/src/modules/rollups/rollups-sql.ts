import { CATEGORY_KEYS } from '@pioneer/shared';
import { sql, type SQL } from 'drizzle-orm';
import { noShowSql } from '../claims/no-show-rule';

/** Changshu's local time: months and weeks start at local midnight. */
export const TZ = 'Asia/Shanghai';
export const CITY_ID = '00000000-0000-0000-0000-000000000000';
export const ALL_PERIOD = '1970-01-01';
export type Grain = 'month' | 'week';
/** A scope whose `all` row and time-to-full distribution the job keeps. */
export type Scope = 'community' | 'unit' | 'district' | 'city';

/**
 * A JS array as ONE parameter (`any($1::uuid[])`, `unnest($1::uuid[])`): interpolated bare into a
 * drizzle `sql` template, an array is expanded into a list of parameters instead.
 */
export const arrayParam = (values: readonly unknown[]) => sql.param(values);
const raw = (text: string) => sql.raw(text);

/** A claim that counts as a participation (contract v2: claimed, checked_in, completed, no_show). */
export const LIVE = `status not in ('cancelled', 'released')`;

const local = (col: string) => `(${col} at time zone '${TZ}')`;
/** The local period (first day) of a timestamp. */
export const periodOf = (grain: Grain, col: string) => `date_trunc('${grain}', ${local(col)})::date`;
const periodStart = (p: string) => `(${p}::timestamp at time zone '${TZ}')`;
const periodEnd = (grain: Grain, p: string) => `((${p} + interval '1 ${grain}')::timestamp at time zone '${TZ}')`;

const perCategory = (expr: (cat: string) => string) => `array[${CATEGORY_KEYS.map((k) => expr(k)).join(', ')}]::bigint[]`;

const FIGURES = [
  'tasks_published',
  'tasks_cancelled',
  'tasks_filled',
  'participations',
  'service_minutes',
  'completed',
  'no_shows',
  'members',
  'category_tasks',
  'category_participations',
  'category_minutes',
] as const;
const UPSERT = `on conflict (scope, scope_id, grain, period) do update set ${[
  ...FIGURES,
  'fill_seconds',
  'fill_median',
  'district_id',
  'refreshed_at',
]
  .map((c) => `${c} = excluded.${c}`)
  .join(', ')}`;
const COLUMNS = `(scope, scope_id, grain, period, district_id, ${FIGURES.join(', ')}, fill_seconds, fill_median, refreshed_at)`;
/**
 * Rows summed from rows below them (district, city, `all`) carry the registry figures too;
 * community months get theirs from REGISTRY_ROWS_SQL alone, so the rows above keep them.
 */
const REGISTRY = ['households', 'households_with_member'] as const;
const SUM_COLUMNS = `(scope, scope_id, grain, period, district_id, ${FIGURES.join(', ')}, fill_seconds, fill_median, refreshed_at, ${REGISTRY.join(', ')})`;
const SUM_UPSERT = `${UPSERT}, ${REGISTRY.map((c) => `${c} = excluded.${c}`).join(', ')}`;
const median = (arr: string) => `(select percentile_cont(0.5) within group (order by s) from unnest(${arr}) s)`;

const fillSeconds = (t: string) => `greatest(0, round(extract(epoch from ${t}.filled_at - ${t}.claim_opens_at)))::int`;

/**
 * The insert that ends the community and unit statements: one row per key (`keys`: org id in
 * column `idCol`, period) from the posts and work of `agg` and the registrations of `reg`.
 */
const insertRows = (scope: 'community' | 'unit', idCol: string, grain: Grain) => `
insert into stats_rollups ${COLUMNS}
select '${scope}', k.${idCol}, '${grain}', k.period, po.district_id,
       coalesce(a.published, 0), coalesce(a.cancelled, 0), coalesce(a.filled, 0), coalesce(a.participations, 0),
       coalesce(a.minutes, 0), coalesce(a.completed, 0), coalesce(a.no_shows, 0), coalesce(r.members, 0),
       coalesce(a.category_tasks, '{}'), coalesce(a.category_participations, '{}'), coalesce(a.category_minutes, '{}'),
       coalesce(a.fill_seconds, '{}'), ${median('a.fill_seconds')}, now()
  from keys k
  join party_orgs po on po.id = k.${idCol}
  left join agg a on a.${idCol} = k.${idCol} and a.period = k.period
  left join reg r on r.${idCol} = k.${idCol} and r.period = k.period
${UPSERT}`;

/**
 * Community rows of one grain, recomputed from the posts, claims and members: for the touched
 * (community_org_id, period) pairs of `keys`, or for every pair without (a rebuild, set-based
 * over whole tables).
 */
export function communityRowsSql(grain: Grain, keys?: { communityIds: readonly string[]; periods: readonly string[] }): SQL {
  const keyed = keys !== undefined;
  const t = keyed
    ? `select k.community_org_id, k.period, t.id, t.category, t.status, t.filled_at, t.claim_opens_at, t.ends_at
         from keys k
         join tasks t on t.community_org_id = k.community_org_id
          and t.starts_at >= ${periodStart('k.period')} and t.starts_at < ${periodEnd(grain, 'k.period')}`
    : `select community_org_id, ${periodOf(grain, 'starts_at')} as period, id, category, status, filled_at, claim_opens_at, ends_at from tasks`;
  const reg =
    grain !== 'month'
      ? `select null::uuid as community_org_id, null::date as period, 0 as members where false`
      : keyed
        ? `select k.community_org_id, k.period, count(m.id)::int as members
             from keys k join members m on m.community_org_id = k.community_org_id
              and m.registered_at >= ${periodStart('k.period')} and m.registered_at < ${periodEnd('month', 'k.period')}
            group by 1, 2`
        : `select community_org_id, ${periodOf('month', 'registered_at')} as period, count(*)::int as members from members group by 1, 2`;
  const rest = `
t as (${t}),
c as (
  select c.task_id,
         count(*) filter (where c.${LIVE})::int as live,
         count(*) filter (where c.status = 'completed')::int as completed,
         count(*) filter (where ${noShowSql('c', 't', 'now()')})::int as no_shows,
         coalesce(sum(c.minutes) filter (where c.status = 'completed'), 0)::bigint as minutes
    from claims c join t on t.id = c.task_id
   group by c.task_id
),
agg as (
  select t.community_org_id, t.period,
         count(*)::int as published,
         count(*) filter (where t.status = 'cancelled')::int as cancelled,
         count(t.filled_at)::int as filled,
         coalesce(sum(c.live), 0)::int as participations,
         coalesce(sum(c.minutes), 0)::bigint as minutes,
         coalesce(sum(c.completed), 0)::int as completed,
         coalesce(sum(c.no_shows), 0)::int as no_shows,
         ${perCategory((k) => `count(*) filter (where t.category = '${k}')`)} as category_tasks,
         ${perCategory((k) => `coalesce(sum(c.live) filter (where t.category = '${k}'), 0)`)} as category_participations,
         ${perCategory((k) => `coalesce(sum(c.minutes) filter (where t.category = '${k}'), 0)`)} as category_minutes,
         coalesce(array_agg(${fillSeconds('t')} order by ${fillSeconds('t')}) filter (where t.filled_at is not null), '{}') as fill_seconds
    from t left join c on c.task_id = t.id
   group by t.community_org_id, t.period
),
reg as (${reg})${
    keyed
      ? ''
      : `,
keys as (select community_org_id, period from agg union select community_org_id, period from reg)`
  }
${insertRows('community', 'community_org_id', grain)}`;
  return sql`
with ${keys ? sql`keys as (select distinct c as community_org_id, p as period from unnest(${arrayParam(keys.communityIds)}::uuid[], ${arrayParam(keys.periods)}::date[]) u(c, p)),` : sql.empty()}${raw(rest)}`;
}

/**
 * Unit rows (months only) for `units`: what their own members did, wherever. `tasks_*` count the
 * distinct posts they took part in. Every month of those units is rewritten (after unitClearSql).
 */
export const unitClearSql = (units: readonly string[]) =>
  sql`delete from stats_rollups where scope = 'unit' and grain = 'month' and scope_id = any(${arrayParam(units)}::uuid[])`;

export const unitRowsSql = (units: readonly string[]) => sql`
with per_task as (
  -- One row per unit and post its members served: the post's own columns (grouped by its key)
  -- and the unit's work on it. Posts and work are then summed in one pass per unit and month.
  select m.unit_org_id, t.id as task_id, ${raw(periodOf('month', 't.starts_at'))} as period, t.category, t.status as task_status,
         t.filled_at, t.claim_opens_at,
         count(*)::int as participations,
         coalesce(sum(c.minutes) filter (where c.status = 'completed'), 0)::bigint as minutes,
         count(*) filter (where c.status = 'completed')::int as completed,
         count(*) filter (where ${raw(noShowSql('c', 't', 'now()'))})::int as no_shows
    from members m
    join claims c on c.member_id = m.id and c.${raw(LIVE)}
    join tasks t on t.id = c.task_id
   where m.unit_org_id = any(${arrayParam(units)}::uuid[])
   group by m.unit_org_id, t.id
),
agg as (
  select unit_org_id, period,
         count(*)::int as published,
         count(*) filter (where task_status = 'cancelled')::int as cancelled,
         count(filled_at)::int as filled,
         ${raw(perCategory((k) => `count(*) filter (where category = '${k}')`))} as category_tasks,
         coalesce(array_agg(${raw(fillSeconds('per_task'))} order by ${raw(fillSeconds('per_task'))}) filter (where filled_at is not null), '{}') as fill_seconds,
         sum(participations)::int as participations,
         sum(minutes)::bigint as minutes,
         sum(completed)::int as completed,
         sum(no_shows)::int as no_shows,
         ${raw(perCategory((k) => `coalesce(sum(participations) filter (where category = '${k}'), 0)`))} as category_participations,
         ${raw(perCategory((k) => `coalesce(sum(minutes) filter (where category = '${k}'), 0)`))} as category_minutes
    from per_task group by unit_org_id, period
),
reg as (
  select unit_org_id, ${raw(periodOf('month', 'registered_at'))} as period, count(*)::int as members
    from members where unit_org_id = any(${arrayParam(units)}::uuid[]) group by 1, 2
),
keys as (select unit_org_id, period from agg union select unit_org_id, period from reg)
${raw(insertRows('unit', 'unit_org_id', 'month'))}`;

/** Element-wise sum of a per-category column: one plain sum per category (int8_array_sum, a SQL-language aggregate, is far slower). */
const sumPerCategory = (col: string) =>
  `array[${CATEGORY_KEYS.map((_, i) => `coalesce(sum(r.${col}[${i + 1}]), 0)`).join(', ')}]::bigint[]`;

const SUMS = `${[
  'tasks_published',
  'tasks_cancelled',
  'tasks_filled',
  'participations',
  'service_minutes',
  'completed',
  'no_shows',
  'members',
]
  .map((c) => `coalesce(sum(r.${c}), 0)`)
  .join(', ')},
       ${['category_tasks', 'category_participations', 'category_minutes'].map(sumPerCategory).join(', ')}`;
const REGISTRY_SUMS = REGISTRY.map((c) => `coalesce(sum(r.${c}), 0)`).join(', ');

/** District rows for (district, grain, period) triples, summed from their communities' rows. */
export const districtRowsSql = (districts: readonly string[], grains: readonly Grain[], periods: readonly string[]) => sql`
insert into stats_rollups ${raw(SUM_COLUMNS)}
select 'district', k.d, k.g, k.p, null, ${raw(SUMS)}, null, null, now(), ${raw(REGISTRY_SUMS)}
  from (select distinct d, g, p from unnest(${arrayParam(districts)}::uuid[], ${arrayParam(grains)}::text[], ${arrayParam(periods)}::date[]) u(d, g, p)) k
  left join stats_rollups r on r.scope = 'community' and r.grain = k.g and r.period = k.p and r.district_id = k.d
 group by k.d, k.g, k.p
${raw(SUM_UPSERT)}`;

/** City rows for (grain, period) pairs, summed from the districts' rows. */
export const cityRowsSql = (grains: readonly Grain[], periods: readonly string[]) => sql`
insert into stats_rollups ${raw(SUM_COLUMNS)}
select 'city', ${raw(`'${CITY_ID}'`)}::uuid, k.g, k.p, null, ${raw(SUMS)}, null, null, now(), ${raw(REGISTRY_SUMS)}
  from (select distinct g, p from unnest(${arrayParam(grains)}::text[], ${arrayParam(periods)}::date[]) u(g, p)) k
  left join stats_rollups r on r.scope = 'district' and r.grain = k.g and r.period = k.p
 group by k.g, k.p
${raw(SUM_UPSERT)}`;

/** `all` rows of `ids` in `scope`: the sum of their month rows. */
export const allRowsSql = (scope: Scope, ids: readonly string[]) => sql`
insert into stats_rollups ${raw(SUM_COLUMNS)}
select ${scope}::text, k.id, 'all', ${raw(`'${ALL_PERIOD}'`)}::date, (select district_id from party_orgs where id = k.id), ${raw(SUMS)}, null, null, now(), ${raw(REGISTRY_SUMS)}
  from unnest(${arrayParam(ids)}::uuid[]) k(id)
  left join stats_rollups r on r.scope = ${scope}::text and r.scope_id = k.id and r.grain = 'month'
 group by k.id
${raw(SUM_UPSERT)}`;

export const fillTimesClearSql = (scope: Scope, ids: readonly string[]) =>
  sql`delete from stats_fill_times where scope = ${scope}::text and scope_id = any(${arrayParam(ids)}::uuid[])`;

/** The distribution of seconds to full of `ids`, rebuilt from month rows (after fillTimesClearSql). */
export const fillTimesSql = (scope: 'community' | 'unit' | 'district', ids: readonly string[]) => {
  const match = scope === 'district' ? `r.scope = 'community' and r.district_id = k.id` : `r.scope = '${scope}' and r.scope_id = k.id`;
  return sql`
insert into stats_fill_times (scope, scope_id, seconds, tasks)
select ${raw(`'${scope}'`)}, k.id, s, count(*)::int
  from unnest(${arrayParam(ids)}::uuid[]) k(id)
  join stats_rollups r on ${raw(match)} and r.grain = 'month'
  cross join unnest(r.fill_seconds) s
 group by k.id, s`;
};

/** Sum of a scope's distribution by seconds, e.g. before and after rebuilding districts. */
export const fillTimesSumSql = (scope: Scope, ids: readonly string[]) => sql`
select seconds, sum(tasks)::int as tasks from stats_fill_times where scope = ${scope}::text and scope_id = any(${arrayParam(ids)}::uuid[]) group by seconds`;

/** Adds (seconds, delta) pairs to the city's distribution; then cityFillPruneSql drops emptied seconds. */
export const cityFillDeltaSql = (seconds: readonly number[], deltas: readonly number[]) => sql`
insert into stats_fill_times (scope, scope_id, seconds, tasks)
select 'city', ${raw(`'${CITY_ID}'`)}::uuid, s, n from unnest(${arrayParam(seconds)}::int[], ${arrayParam(deltas)}::int[]) u(s, n)
on conflict (scope, scope_id, seconds) do update set tasks = stats_fill_times.tasks + excluded.tasks`;
export const cityFillPruneSql = (seconds: readonly number[]) =>
  sql`delete from stats_fill_times where scope = 'city' and seconds = any(${arrayParam(seconds)}::int[]) and tasks = 0`;

/** Bucket bounds of the time-to-full chart, in minutes (the last bucket is open-ended). */
const FILL_BUCKET_MINUTES = [1, 5, 15, 60, 360, 1440] as const;

const BUCKETS = [0, ...FILL_BUCKET_MINUTES]
  .map(
    (from, i, all) =>
      `coalesce(sum(tasks) filter (where seconds >= ${from * 60}${i + 1 < all.length ? ` and seconds < ${all[i + 1] * 60}` : ''}), 0)::int`,
  )
  .join(', ');

/**
 * The `all` rows of `ids` in `scope` take their median and chart buckets from their
 * distribution: an overview or dashboard then reads one row, whatever the scale.
 */
export const fillSummarySql = (scope: Scope, ids: readonly string[]) => sql`
update stats_rollups r set fill_median = m.median, fill_buckets = m.buckets
  from (
    select k.id,
           (with h as (select seconds, sum(tasks) over (order by seconds) as cum, sum(tasks) over () as total
                         from stats_fill_times where scope = ${scope}::text and scope_id = k.id)
            select ((select min(seconds) from h where cum >= (total - 1) / 2 + 1) + (select min(seconds) from h where cum >= total / 2 + 1)) / 2.0
              from h limit 1) as median,
           (select array[${raw(BUCKETS)}]
              from stats_fill_times where scope = ${scope}::text and scope_id = k.id) as buckets
      from unnest(${arrayParam(ids)}::uuid[]) k(id)
  ) m
 where r.scope = ${scope}::text and r.scope_id = m.id and r.grain = 'all' and r.period = ${raw(`'${ALL_PERIOD}'`)}::date`;

/**
 * The registry figures of the community months of `communities`, rewritten from the
 * households and members: each home counts in the month it was registered, and as covered in
 * the month its coverage began (the later of its registration and the first registration of a
 * member living there, homes compared as householdMatchSql does). Months that no longer count
 * anything are zeroed. Returns the (district, month) pairs whose figures changed, for the rows
 * above.
 */
export const registryRowsSql = (communities: readonly string[]) => sql`
with m as (
  select community_org_id, estate_id, home_part(building) as b, home_part(unit_no) as u, home_part(room) as r, min(registered_at) as since
    from members where community_org_id = any(${arrayParam(communities)}::uuid[])
   group by 1, 2, 3, 4, 5
),
h as (
  select h.community_org_id, h.created_at, case when m.since is not null then greatest(h.created_at, m.since) end as covered
    from households h
    left join m on m.community_org_id = h.community_org_id and m.estate_id = h.estate_id
     and m.b = h.building and m.u = h.unit_no and m.r = h.room
   where h.community_org_id = any(${arrayParam(communities)}::uuid[])
),
per as (
  select community_org_id, period, sum(n)::int as households, sum(w)::int as with_member
    from (select community_org_id, ${raw(periodOf('month', 'created_at'))} as period, 1 as n, 0 as w from h
          union all
          select community_org_id, ${raw(periodOf('month', 'covered'))}, 0, 1 from h where covered is not null) x
   group by 1, 2
),
cleared as (
  update stats_rollups r set households = 0, households_with_member = 0
   where r.scope = 'community' and r.grain = 'month' and r.scope_id = any(${arrayParam(communities)}::uuid[])
     and (r.households <> 0 or r.households_with_member <> 0)
     and not exists (select 1 from per where per.community_org_id = r.scope_id and per.period = r.period)
  returning r.scope_id, r.period
),
written as (
  insert into stats_rollups (scope, scope_id, grain, period, district_id, households, households_with_member, fill_seconds, refreshed_at)
  select 'community', per.community_org_id, 'month', per.period, po.district_id, per.households, per.with_member, '{}', now()
    from per join party_orgs po on po.id = per.community_org_id
  on conflict (scope, scope_id, grain, period) do update
    set households = excluded.households, households_with_member = excluded.households_with_member
    where (stats_rollups.households, stats_rollups.households_with_member) is distinct from (excluded.households, excluded.households_with_member)
  returning scope_id, period
)
select distinct po.district_id, x.period::text as period
  from (select scope_id, period from cleared union all select scope_id, period from written) x
  join party_orgs po on po.id = x.scope_id`;
