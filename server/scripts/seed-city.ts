/**
 * `npm run seed:city -- [--scale 1] [--seed 1] [--reset]`: loads a synthetic Changshu (16 板块, 336
 * communities, 16,000 members, 9,000 posts, 120k+ participations at scale 1) into the embedded
 * database under DATA_DIR, or into DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { ConfigError, loadConfig } from '../src/config';
import { openDatabase } from '../src/db/open';
import { seedDemo } from '../src/demo/seed-demo';
import { CityAlreadySeededError, heapShortfall, resetDomainTables, seedCity } from './seed-city/seed';

function progressBar() {
  let lastDraw = 0;
  let lastPhase = '';
  // Seconds spent in each phase (a load phase is named by its table), printed at the end.
  const phases = new Map<string, number>();
  let phaseStarted = performance.now();
  return {
    phases,
    update(phase: string, done: number, total: number) {
      const t = performance.now();
      if (phase !== lastPhase) {
        if (lastPhase) phases.set(lastPhase, (phases.get(lastPhase) ?? 0) + (t - phaseStarted) / 1000);
        phaseStarted = t;
      }
      if (phase === lastPhase && t - lastDraw < 100 && done < total) return;
      lastDraw = t;
      lastPhase = phase;
      const width = 30;
      const filled = Math.round((done / Math.max(1, total)) * width);
      process.stderr.write(`\r\x1b[K${phase.padEnd(18)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}   `);
    },
    end() {
      if (lastPhase) phases.set(lastPhase, (phases.get(lastPhase) ?? 0) + (performance.now() - phaseStarted) / 1000);
      if (lastPhase) process.stderr.write('\n');
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '1' },
      seed: { type: 'string', default: '1' },
      reset: { type: 'boolean', default: false },
    },
  });
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  if (!(scale > 0 && scale <= 100) || !Number.isInteger(seed)) {
    console.error('usage: seed-city [--scale 0<N<=100] [--seed <integer>] [--reset]');
    process.exit(2);
  }
  const short = heapShortfall(scale, getHeapStatistics().heap_size_limit / 2 ** 20);
  if (short) {
    console.error(
      `seed-city: scale ${scale} needs about ${short.needMb} MB of heap and this process may use ${short.limitMb} MB; ` +
        `run it with NODE_OPTIONS=${short.nodeOptions} (on a machine with that much memory)`,
    );
    process.exit(2);
  }
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const started = performance.now();
  const opened = await openDatabase(config);
  const { db, pool } = opened.database;
  try {
    if (values.reset) {
      await resetDomainTables(pool);
      if (config.seedDemo) await seedDemo(db, config);
    }
    const bar = progressBar();
    const result = await seedCity(pool, {
      scale,
      seed,
      phoneEncKey: config.phoneEncKey,
      phoneHashKey: config.phoneHashKey,
      onProgress: bar.update,
    });
    bar.end();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `city loaded in ${seconds}s (generate+load ${(result.ms / 1000).toFixed(1)}s): ${result.districts} districts, ` +
        `${result.communities} communities, ${result.units} unit orgs, ${result.estates} estates, ${result.members} members, ` +
        `${result.households} registry households, ${result.tasks} posts (${result.filledTasks} filled), ${result.claims} claims (${result.liveClaims} participations), ` +
        `${result.agreements} agreements, ${result.needs} needs, ${result.projects} projects`,
    );
    console.log(`phases: ${[...bar.phases].map(([p, s]) => `${p} ${s.toFixed(1)}s`).join(', ')}`);
    console.log(
      `development sign-in: dev:city_admin (city), dev:city_district_<1..16>, dev:city_sec_<n>; database: ${opened.embedded ? `embedded under ${config.dataDir}` : 'DATABASE_URL'}`,
    );
  } finally {
    await opened.close();
  }
}

main().catch((e) => {
  if (e instanceof ConfigError || e instanceof CityAlreadySeededError) console.error(e.message);
  else if (e === undefined) console.error('seed-city failed: the embedded PostgreSQL did not start (port in use? try EMBEDDED_PG_PORT)');
  else console.error('seed-city failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
