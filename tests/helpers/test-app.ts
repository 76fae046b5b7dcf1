import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Role } from '@pioneer/shared';
import { buildApp, type AppDeps } from '../../server/src/app';
import { loadConfig, type Config } from '../../server/src/config';
import { createDatabase, type Database } from '../../server/src/db/client';
import { roleGrants } from '../../server/src/db/schema';
import { ManualClock } from '../../server/src/lib/clock';
import { createTestDatabase } from './test-database';

export const TEST_ENV = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  SEED_DEMO: 'false',
  H5_DIR: '/nonexistent-h5-dir',
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
  PIONEER_CODE_SECRET: 'test-code-secret-0123456789abcdef012345678',
  PHONE_ENC_KEY: '11'.repeat(32),
  PHONE_HASH_KEY: '22'.repeat(32),
  CERT_SIGNING_KEY: '33'.repeat(32),
  PUBLIC_URL: 'http://pioneer.test',
  // Test files sign in hundreds of users from one address, some of them many times over; the
  // limits have their own tests (rate-limit*.test.ts).
  LOGIN_RATE_LIMIT: '100000',
  LOGIN_IDENTITY_RATE_LIMIT: '100000',
  CODE_VERIFY_RATE_LIMIT: '100000',
  REGISTER_LOOKUP_RATE_LIMIT: '100000',
  IMPORT_RATE_LIMIT: '100000',
  PERSONAL_READ_RATE_LIMIT: '100000',
  WHISTLE_RATE_LIMIT: '100000',
  DEMAND_RATE_LIMIT: '100000',
  DEMAND_ADDRESS_RATE_LIMIT: '100000',
  SUBSCRIPTION_CREDIT_RATE_LIMIT: '100000',
  // Fixture posts start in 24 hours and most tests check in right away; the window has its own test.
  CHECK_IN_OPENS_MINUTES: '1440',
  // The notification queue's workers run only where a test asks for them (the outbox is written regardless).
  NOTIFY_WORKER: 'false',
};

export interface TestContext {
  app: FastifyInstance;
  database: Database;
  config: Config;
  clock: ManualClock;
  dbUrl: string;
  /** Signs in through the real endpoint with the development provider. */
  signIn(name: string): Promise<{ token: string; userId: string; auth: { authorization: string } }>;
  grant(userId: string, role: Role, orgId: string | null): Promise<void>;
  /** A signed-in user holding `role` in `orgId` (no role: a plain resident). */
  staff(name: string, role?: Role, orgId?: string | null): Promise<{ token: string; userId: string; auth: { authorization: string } }>;
  /** A request to `/api/v1<url>`, as `auth` (none: a visitor), with a JSON body when there is one. */
  api(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    auth?: { authorization: string },
    payload?: unknown,
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A context's helpers over an app and its database; `close` is what closing it does. */
export function contextOf(
  parts: Pick<TestContext, 'app' | 'database' | 'config' | 'clock' | 'dbUrl'>,
  close: () => Promise<void>,
): TestContext {
  const { app, database } = parts;
  const ctx: TestContext = {
    ...parts,
    async signIn(name) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code: `dev:${name}` } });
      if (res.statusCode !== 200) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
      const body = res.json();
      return { token: body.token, userId: body.user.id, auth: { authorization: `Bearer ${body.token}` } };
    },
    async grant(userId, role, orgId) {
      await database.db.insert(roleGrants).values({ userId, role, orgId }).onConflictDoNothing();
    },
    async staff(name, role, orgId = null) {
      const s = await ctx.signIn(name);
      if (role) await ctx.grant(s.userId, role, orgId);
      return s;
    },
    api(method, url, auth, payload) {
      return app.inject({
        method,
        url: `/api/v1${url}`,
        headers: auth ?? {},
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    },
    close,
  };
  return ctx;
}

/**
 * A fresh database cloned from the migrated template, and an app built on it.
 * The clock is manual and starts at the real now.
 */
export async function createTestContext(
  opts: { env?: Record<string, string>; deps?: Partial<Omit<AppDeps, 'config' | 'database'>> } = {},
): Promise<TestContext> {
  const testDb = await createTestDatabase();
  const config = loadConfig({ ...TEST_ENV, DATABASE_URL: testDb.url, ...opts.env });
  const database = createDatabase(testDb.url, 10);
  const clock = new ManualClock();
  const app = await buildApp({ config, database, clock, logger: false, ...opts.deps });
  await app.ready();

  return contextOf({ app, database, config, clock, dbUrl: testDb.url }, async () => {
    await app.close();
    await database.close();
    await testDb.drop();
  });
}
