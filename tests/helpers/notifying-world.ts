import { developmentProvider } from '../../server/src/modules/auth/wechat-provider';
import { makeWorld } from './fixtures';
import { eventually, startFakeWechat, WECHAT_TEST_ENV, type FakeWechat } from './fake-wechat';
import { makeSecretary } from './task-fixtures';
import { createTestContext, type TestContext } from './test-app';

/** Notification workers tuned for tests: fast relay and polling, no reminder cron, quick retries. */
export const NOTIFY_TEST_OPTIONS = {
  relayIntervalMs: 50,
  pollingIntervalSeconds: 0.5,
  reminderCron: null,
  wechatRetryLimit: 2,
  wechatRetryDelaySeconds: 1,
};

export interface NotifyingWorld {
  fake: FakeWechat;
  ctx: TestContext;
  world: Awaited<ReturnType<typeof makeWorld>>;
  secretary: { authorization: string };
  close(): Promise<void>;
}

/** An app with notification workers on, talking to a fake WeChat, and the demo community's secretary. */
export async function notifyingWorld(secretaryName: string): Promise<NotifyingWorld> {
  const fake = await startFakeWechat();
  const ctx = await createTestContext({
    env: WECHAT_TEST_ENV(fake.base),
    deps: { wechat: developmentProvider, notifications: { worker: true, options: NOTIFY_TEST_OPTIONS } },
  });
  const world = await makeWorld(ctx.database.db);
  const secretary = (await makeSecretary(ctx, world.community.id, secretaryName)).auth;
  return {
    fake,
    ctx,
    world,
    secretary,
    async close() {
      await ctx.close();
      await fake.close();
    },
  };
}

/**
 * Waits until the notification pipeline has nothing left to do: every outbox row relayed and no
 * event or WeChat job waiting, running or retrying (in any process on this database). From then
 * on "nobody else was told" holds for good, without sleeping in the hope that it does.
 */
export async function settled(ctx: Pick<TestContext, 'database'>): Promise<void> {
  await eventually(async () => {
    const { rows } = await ctx.database.pool.query(
      `select (select count(*)::int from notification_outbox where relayed_at is null) +
              (select count(*)::int from pgboss.job where name like 'notify-%' and state in ('created', 'retry', 'active')) as pending`,
    );
    return rows[0].pending === 0;
  });
}
