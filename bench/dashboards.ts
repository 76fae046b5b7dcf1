/** Figures of the dashboards and the 先锋指数+ at the seeded scale, and what the database holds. */
import type pg from 'pg';
import { percentile, round, type LoadClient } from './load';

const API = '/api/v1';

/** Sequential calls (one at a time): the latency one member of staff sees, not a throughput figure. */
export async function latencyOf(client: LoadClient, url: string, token: string, calls: number) {
  const probe = await client.send({ method: 'GET', path: url, token });
  if (probe.status !== 200) return { p50: null, p95: null, calls: 0, bytes: 0, error: `${probe.status} ${probe.code ?? ''}`.trim() };
  for (let i = 0; i < 10; i++) await client.send({ method: 'GET', path: url, token });
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) ms.push((await client.send({ method: 'GET', path: url, token })).ms);
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), calls, bytes: probe.body.length, error: null };
}

export async function dashboardFigures(
  client: LoadClient,
  ids: { districtId: string; communityOrgId: string },
  tokens: { admin: string; district: string; secretary: string },
  calls: number,
) {
  const { districtId, communityOrgId } = ids;
  const measure = (url: string, token: string) => latencyOf(client, `${API}${url}`, token, calls);
  return {
    overview: {
      city: await measure('/stats/overview?scope=city', tokens.admin),
      district: await measure(`/stats/overview?scope=district&id=${districtId}`, tokens.district),
      community: await measure(`/stats/overview?scope=community&id=${communityOrgId}`, tokens.secretary),
    },
    dashboard: {
      city: await measure('/stats/dashboard?scope=city', tokens.admin),
      district: await measure(`/stats/dashboard?scope=district&id=${districtId}`, tokens.district),
      community: await measure(`/stats/dashboard?scope=community&id=${communityOrgId}`, tokens.secretary),
    },
    index: {
      rankingCity: await measure('/index/ranking', tokens.admin),
      rankingCityAll: await measure('/index/ranking?limit=5000', tokens.admin),
      rankingDistrict: await measure('/index/ranking', tokens.district),
      explain: await measure(`/index/orgs/${communityOrgId}`, tokens.secretary),
      /** 单位报到成效: every unit party org of the city ranked from the tables. */
      unitBoardCity: await measure('/index/units', tokens.admin),
      // The board page's first page (staff/index-ranking?board=units asks for 100 at a time).
      unitBoardCityPage: await measure('/index/units?limit=100', tokens.admin),
      unitBoardDistrict: await measure(`/index/units?districtId=${districtId}`, tokens.district),
    },
  };
}

/**
 * The city ranking right after the roll-ups moved, which is what it costs under steady activity
 * (the sequential figures above are the cached ranking's). Each round the secretary publishes a
 * post starting this month (a real change: the post trigger queues it), the server's roll-up job
 * takes it in and bumps the roll-up version, and then one ranking call is timed.
 */
export async function rankingAfterChange(
  client: LoadClient,
  pool: pg.Pool,
  ids: { communityOrgId: string },
  tokens: { admin: string; secretary: string },
  changes: number,
) {
  const version = async () => (await pool.query<{ v: string }>('select version::text as v from rollup_state where id = 1')).rows[0]?.v;
  const ms: number[] = [];
  // A post of the current month in Changshu (UTC+8): its month is the ranking's default period.
  const startsAt = new Date(Math.max(Date.now() + 3 * 3600_000, Math.min(Date.now() + 24 * 3600_000, monthEndUtc8() - 3 * 3600_000)));
  for (let i = 0; i < changes; i++) {
    const before = await version();
    const post = await client.send({
      method: 'POST',
      path: `${API}/tasks`,
      token: tokens.secretary,
      body: {
        communityOrgId: ids.communityOrgId,
        title: `压测岗位 排名 ${i + 1}`,
        category: 'order',
        location: '党群服务中心',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
        capacity: 5,
      },
    });
    if (post.status !== 201) return { p50: null, p95: null, calls: 0, bytes: 0, error: `publish ${post.status} ${post.code ?? ''}`.trim() };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await pool.query<{ queued: number }>('select count(*)::int as queued from rollup_queue');
      if (rows[0].queued === 0 && (await version()) !== before) break;
      if (Date.now() > deadline) throw new Error('the roll-up job did not take the new post in within 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    const answer = await client.send({ method: 'GET', path: `${API}/index/ranking`, token: tokens.admin });
    if (answer.status !== 200) return { p50: null, p95: null, calls: 0, bytes: 0, error: `${answer.status} ${answer.code ?? ''}`.trim() };
    ms.push(answer.ms);
  }
  return { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), calls: changes, bytes: 0, error: null };
}

/** The end of the current month in Changshu (UTC+8), as epoch ms. */
function monthEndUtc8() {
  const local = new Date(Date.now() + 8 * 3600_000);
  return Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 1) - 8 * 3600_000;
}

/** Exact rows of the tables that grow with the city, and the database's size on disk. */
export async function databaseFigures(pool: pg.Pool) {
  const tables = [
    'districts',
    'party_orgs',
    'estates',
    'users',
    'members',
    'households',
    'tasks',
    'claims',
    'stats_rollups',
    'stats_fill_times',
    'rollup_queue',
  ];
  const rows: Record<string, number> = {};
  for (const t of tables) rows[t] = (await pool.query<{ n: number }>(`select count(*)::int as n from ${t}`)).rows[0].n;
  const { rows: size } = await pool.query<{ bytes: number }>(`select pg_database_size(current_database())::bigint as bytes`);
  return { rows, databaseMb: round(Number(size[0].bytes) / 2 ** 20) };
}
