import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

export const ADMIN_URL_ENV = 'PIONEER_TEST_ADMIN_URL';
export const TEMPLATE_ENV = 'PIONEER_TEST_TEMPLATE';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh database for one test file, cloned from the migrated template (milliseconds, not a migration run). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env[ADMIN_URL_ENV];
  const template = process.env[TEMPLATE_ENV];
  if (!adminUrl || !template) throw new Error('test database server not prepared (globalSetup did not run)');
  const name = `${template.replace('pioneer_tpl_', 'pioneer_t_')}_${randomBytes(4).toString('hex')}`;
  // Cloning takes a lock on the template: retry while another worker is cloning it.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(adminUrl, `create database "${name}" template "${template}"`);
      break;
    } catch (e) {
      if (attempt > 50 || !String((e as Error).message).includes('being accessed by other users')) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(adminUrl, `drop database if exists "${name}" with (force)`),
  };
}
