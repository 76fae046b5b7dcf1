/** What the bench prints and records besides the measurements: the machine, the data, the table. */
import os from 'node:os';
import type pg from 'pg';
import { round } from './load';

export async function cityCounts(pool: pg.Pool) {
  const { rows } = await pool.query(
    `select (select count(*) from districts)::int districts,
            (select count(*) from party_orgs where kind = 'community')::int "communityOrgs",
            (select count(*) from party_orgs where kind = 'unit')::int "unitOrgs",
            (select count(*) from estates)::int estates,
            (select count(*) from members)::int members,
            (select count(*) from tasks)::int tasks,
            (select count(*) from claims)::int claims,
            (select count(*) from claims where status not in ('cancelled', 'released'))::int participations`,
  );
  return rows[0] as Record<string, number>;
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    /** 1, 5 and 15 minute load averages when the figures were taken: on a shared machine, read them with these. */
    loadAverage: os.loadavg().map((l) => round(l)),
  };
}

export interface NotifyFigures {
  followers: number;
  posts: number;
  publishP50Ms: { followed: number; quiet: number };
  publishP95Ms: { followed: number; quiet: number };
  messagesWritten: number;
  messagesComplete: boolean;
  messagesPerSecond: number;
  wechatSent: number;
  wechatComplete: boolean;
  wechatPerSecond: number;
}

function notifyRows(n: NotifyFigures): Array<[string, string, string, string]> {
  return [
    [
      `publish p50 / p95, ${n.followers} followers`,
      `${n.publishP50Ms.followed} / ${n.publishP95Ms.followed} ms (nobody following: ${n.publishP50Ms.quiet} / ${n.publishP95Ms.quiet} ms)`,
      '',
      '',
    ],
    [
      'fan-out to the message center',
      `${n.messagesPerSecond} messages/s (${n.messagesWritten} for ${n.posts} posts${n.messagesComplete ? '' : ', INCOMPLETE'})`,
      '',
      n.messagesComplete ? '' : 'MISS',
    ],
    [
      'WeChat subscribe messages',
      `${n.wechatPerSecond} sends/s (${n.wechatSent} sent${n.wechatComplete ? '' : ', INCOMPLETE'})`,
      '',
      n.wechatComplete ? '' : 'MISS',
    ],
  ];
}

/** `--notify-only`: the notification figures alone. */
export function printNotify(n: NotifyFigures, m: ReturnType<typeof machine>, postgres: string) {
  console.log(
    `\nPioneer Code bench, notifications — ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, PostgreSQL ${postgres}\n`,
  );
  const rows = notifyRows(n);
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(`  ${row[0].padEnd(w[0])}  ${row[1].padEnd(w[1])}  ${row[2].padEnd(w[2])}  ${row[3]}`);
}

export function printTable(r: {
  rawRps: number;
  authRps: number;
  burst: {
    claimers: number;
    slots: number;
    winners: number;
    settleMs: number;
    p50Ms: number;
    p99Ms: number;
    statuses: Record<string, number>;
    rounds: number;
    p99RangeMs: number[];
    rawBurstP99Ms: number;
  };
  offers: { p50Ms: number; p99Ms: number; iterations: number; waiting: number };
  rejectRps: number;
  rejectRatio: number;
  hotClaimRps: number;
  pgHotClaimRps: number;
  hotRatio: number;
  statsP95Ms: { city: number | null; district: number | null };
  notify: NotifyFigures;
  stats: { city: { error: string | null }; district: { error: string | null } };
  scale: Record<string, number>;
  machine: ReturnType<typeof machine>;
  settings: { serverCpus: string; loadAndDbCpus: string; workers: number };
  postgres: string;
  seedSeconds: number | null;
  registryImport?: { rows: number; fileMb: number; first: { seconds: number }; again: { seconds: number } };
}) {
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISS');
  const b = r.burst;
  const rows: Array<[string, string, string, string]> = [
    ['rawRps', `${r.rawRps} req/s`, '', ''],
    ['authRps (diagnostic)', `${r.authRps} req/s`, '', ''],
    ['burst winners', `${b.winners} of ${b.claimers} on ${b.slots}`, `= ${b.slots}`, mark(b.winners === b.slots)],
    ['burst settle', `${b.settleMs} ms`, '', ''],
    [
      'burst p50 / p99',
      `${b.p50Ms} / ${b.p99Ms} ms (median of ${b.rounds}; p99 ${b.p99RangeMs[0]}-${b.p99RangeMs[1]})`,
      'p99 <= 100 ms',
      mark(b.p99Ms <= 100),
    ],
    ['burst p99, no-op route', `${b.rawBurstP99Ms} ms (the floor, same crowd)`, '', ''],
    [
      'cancel → offer seen by queue head',
      `${r.offers.p50Ms} / ${r.offers.p99Ms} ms p50 / p99 (${r.offers.iterations} cancels, ${r.offers.waiting} waiting)`,
      '',
      '',
    ],
    ['rejectRps', `${r.rejectRps} req/s`, '', ''],
    ['rejectRatio', `${r.rejectRatio}`, '>= 0.6', mark(r.rejectRatio >= 0.6)],
    ['hotClaimRps', `${r.hotClaimRps} claims/s`, '', ''],
    ['pgHotClaimRps', `${r.pgHotClaimRps} claims/s`, '', ''],
    ['hot / pg', `${r.hotRatio}`, '>= 0.8', mark(r.hotRatio >= 0.8)],
    [
      'statsP95Ms city',
      r.statsP95Ms.city === null ? `n/a (${r.stats.city.error})` : `${r.statsP95Ms.city} ms`,
      '<= 50 ms',
      r.statsP95Ms.city === null ? '-' : mark(r.statsP95Ms.city <= 50),
    ],
    ['statsP95Ms district', r.statsP95Ms.district === null ? `n/a (${r.stats.district.error})` : `${r.statsP95Ms.district} ms`, '', ''],
    ...notifyRows(r.notify),
  ];
  if (r.registryImport) {
    const g = r.registryImport;
    rows.push([
      `registry import ${g.rows} rows`,
      `${g.first.seconds} s (${g.fileMb} MB XLSX; re-import ${g.again.seconds} s)`,
      '<= 30 s',
      mark(g.first.seconds <= 30),
    ]);
  }
  if (r.seedSeconds !== null) rows.push(['seed:city', `${r.seedSeconds} s`, '<= 60 s', mark(r.seedSeconds <= 60)]);
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
  const s = r.scale;
  console.log(
    `\nPioneer Code bench — ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}, PostgreSQL ${r.postgres}`,
  );
  console.log(
    `data: ${s.districts} districts, ${s.communityOrgs} communities, ${s.unitOrgs} unit orgs, ${s.members} members, ` +
      `${s.tasks} posts, ${s.participations} participations (${s.claims} claims)`,
  );
  const cpus =
    r.settings.serverCpus === 'all'
      ? 'server, load generator and PostgreSQL share all CPUs'
      : `server on CPU ${r.settings.serverCpus}, load generator and PostgreSQL on CPU ${r.settings.loadAndDbCpus}`;
  console.log(`${cpus}; ${r.settings.workers} server process${r.settings.workers > 1 ? 'es' : ''}\n`);
  for (const row of rows) console.log(`  ${row[0].padEnd(w[0])}  ${row[1].padEnd(w[1])}  ${row[2].padEnd(w[2])}  ${row[3]}`);
  console.log(
    `\n  burst answers: ${Object.entries(b.statuses)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')}`,
  );
  console.log('  written to bench/results/latest.json');
}

type Latency = { p50: number | null; p95: number | null; bytes: number; error: string | null; calls?: number };

/** The dashboards' figures at the seeded scale, with the rows and size of the database. */
export function printDashboards(r: {
  scaleFactor: number;
  dashboards: { overview: Record<string, Latency>; dashboard: Record<string, Latency>; index: Record<string, Latency> };
  rollupRebuildMs: number | null;
  db: { rows: Record<string, number>; databaseMb: number };
  seedSeconds: number | null;
}) {
  const fmt = (l: Latency) => (l.p95 === null ? `n/a (${l.error})` : `p50 ${l.p50} ms, p95 ${l.p95} ms (${Math.round(l.bytes / 1024)} KB)`);
  const target = (name: string, l: Latency, max: number) =>
    `  ${name.padEnd(34)} ${fmt(l).padEnd(40)} <= ${max} ms  ${l.p95 !== null && l.p95 <= max ? 'ok' : 'MISS'}`;
  const d = r.dashboards;
  console.log(
    `\nDashboards at scale ${r.scaleFactor}${r.seedSeconds !== null ? ` (seeded in ${r.seedSeconds} s)` : ''}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(target('GET /stats/overview city', d.overview.city, 50));
  console.log(target('GET /stats/overview district', d.overview.district, 50));
  console.log(target('GET /stats/overview community', d.overview.community, 50));
  console.log(`  ${'GET /stats/dashboard city'.padEnd(34)} ${fmt(d.dashboard.city)}`);
  console.log(`  ${'GET /stats/dashboard district'.padEnd(34)} ${fmt(d.dashboard.district)}`);
  console.log(`  ${'GET /stats/dashboard community'.padEnd(34)} ${fmt(d.dashboard.community)}`);
  console.log(target('GET /index/ranking city (500)', d.index.rankingCity, 100));
  console.log(`  ${'GET /index/ranking city (all)'.padEnd(34)} ${fmt(d.index.rankingCityAll)}`);
  console.log(target('GET /index/ranking district', d.index.rankingDistrict, 100));
  console.log(`  ${'GET /index/orgs/:id'.padEnd(34)} ${fmt(d.index.explain)}`);
  if (d.index.unitBoardCity) console.log(target('GET /index/units city (board)', d.index.unitBoardCity, 100));
  if (d.index.unitBoardCityPage) console.log(`  ${'GET /index/units city (page of 100)'.padEnd(34)} ${fmt(d.index.unitBoardCityPage)}`);
  if (d.index.unitBoardDistrict) console.log(`  ${'GET /index/units district'.padEnd(34)} ${fmt(d.index.unitBoardDistrict)}`);
  if (d.index.rankingAfterChange)
    console.log(
      `  ${'ranking city, roll-ups just moved'.padEnd(34)} ${fmt(d.index.rankingAfterChange)} (one call after each of ${d.index.rankingAfterChange.calls ?? 0} new posts)`,
    );
  console.log(
    `  ${'full roll-up rebuild'.padEnd(34)} ${r.rollupRebuildMs === null ? 'not run (--skip-rebuild)' : `${r.rollupRebuildMs} ms`}`,
  );
  console.log(
    `  database ${r.db.databaseMb} MB; rows: ${Object.entries(r.db.rows)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
}
