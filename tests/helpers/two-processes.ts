import { makeWorld } from './fixtures';
import { spawnServer, type SpawnedServer } from './spawn-server';
import { httpClient, insertMembers, listen, makeSecretary, type FixtureMember } from './task-fixtures';
import { createTestContext, type TestContext } from './test-app';

export interface TwoProcesses {
  ctx: TestContext;
  world: Awaited<ReturnType<typeof makeWorld>>;
  secretary: { authorization: string };
  members: FixtureMember[];
  second: SpawnedServer;
  /** This process, listening on a socket. */
  local: ReturnType<typeof httpClient>;
  /** A second server process on the same database. */
  remote: ReturnType<typeof httpClient>;
  close(): Promise<void>;
}

/** One community with a secretary and `memberCount` members, served by two processes on one database. */
export async function startTwoProcesses(prefix: string, memberCount: number): Promise<TwoProcesses> {
  const ctx = await createTestContext();
  const world = await makeWorld(ctx.database.db);
  const secretary = (await makeSecretary(ctx, world.community.id, `${prefix}-sec`)).auth;
  const [members, second] = await Promise.all([insertMembers(ctx, world, memberCount, prefix), spawnServer(ctx.dbUrl)]);
  const local = httpClient(await listen(ctx));
  const remote = httpClient(second.url);
  return {
    ctx,
    world,
    secretary,
    members,
    second,
    local,
    remote,
    async close() {
      local.close();
      remote.close();
      await second.stop();
      await ctx.close();
    },
  };
}
