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
    },
  };
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
