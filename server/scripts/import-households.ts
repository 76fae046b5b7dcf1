/**
 * `npm run import:households -- --community <id or name> --file <registry.xlsx|.csv> [--dry-run]`:
 * imports a community's homeowner registry (业主信息库) from the command line, through the same
 * service as `POST /party-orgs/:id/households/import`, with a progress bar. Uses DATABASE_URL or
 * the embedded database under DATA_DIR, as the server does.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { sql } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../src/config';
import { openDatabase } from '../src/db/open';
import { systemClock } from '../src/lib/clock';
import { isAppError } from '../src/lib/errors';
import { householdsRepositoryFactory } from '../src/modules/households/households-repository';
import { householdsServiceFactory } from '../src/modules/households/households-service';

const PHASES = { read: '读取文件', check: '校验加密', write: '写入数据库' } as const;

async function main() {
  const { values } = parseArgs({
    options: { community: { type: 'string' }, file: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  if (!values.community || !values.file) {
    console.error('usage: import:households --community <id or name> --file <registry.xlsx|.csv> [--dry-run]');
    process.exit(2);
  }
  const file = await readFile(values.file);
  const config = loadConfig({ LOG_LEVEL: 'warn', SEED_DEMO: 'false', ...process.env });
  const opened = await openDatabase(config);
  const { db } = opened.database;
  try {
    const { rows } = await db.execute<{ id: string; name: string }>(
      sql`select id, name from party_orgs where kind = 'community' and (id::text = ${values.community} or name = ${values.community})`,
    );
    if (rows.length !== 1) throw new Error(`no community party org "${values.community}"`);
    const service = householdsServiceFactory({
      db,
      householdsRepository: householdsRepositoryFactory(db),
      clock: systemClock,
      phoneEncKey: config.phoneEncKey,
      phoneHashKey: config.phoneHashKey,
    });
    const bar = new cliProgress.SingleBar(
      { format: '{phase} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}', hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    let current = '';
    const started = performance.now();
    const result = await service.importFile(null, rows[0].id, file, values['dry-run'], (phase, done, total) => {
      if (phase !== current) {
        if (current) bar.stop();
        current = phase;
        bar.start(total, done, { phase: PHASES[phase].padEnd(6, '　') });
      } else {
        bar.update(done);
      }
    });
    if (current) bar.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(
      `${rows[0].name}${values['dry-run'] ? '（试导入，未写入）' : ''}: ${result.imported} imported, ${result.updated} updated, ` +
        `${result.unchanged} unchanged, ${result.rejected.length} rejected in ${seconds}s`,
    );
    for (const r of result.rejected.slice(0, 50)) console.log(`  row ${r.row}: ${r.reason}`);
    if (result.rejected.length > 50) console.log(`  … and ${result.rejected.length - 50} more`);
  } finally {
    await opened.close();
  }
}

main().catch((e) => {
  if (e instanceof ConfigError) console.error(e.message);
  else if (isAppError(e)) console.error(`import failed: ${e.message}${e.details ? ` (${e.details.map((d) => d.reason).join('; ')})` : ''}`);
  else console.error('import failed:', e instanceof Error ? e.message : e);
  process.exit(1);
});
