import { generateCity, type City } from '../../server/scripts/seed-city/generate';
import { CityAlreadySeededError, seedCity } from '../../server/scripts/seed-city/seed';
import { decryptPhone, maskPhone } from '../../server/src/lib/phone-crypto';
import { createTestContext, type TestContext } from '../helpers/test-app';

const NOW = Date.parse('2026-03-01T04:00:00Z');
/** Every post's id and claim time, in generation order, across batches of `batchTasks`. */
function allPosts(city: City, batchTasks: number) {
  const taskIds: unknown[] = [];
  const claimedAt: unknown[] = [];
  for (const batch of city.posts(batchTasks)) {
    taskIds.push(...batch.tasks.id);
    claimedAt.push(...batch.claims.claimed_at);
  }
  return { taskIds, claimedAt };
}
const empty = () => ({ districtIds: new Map<string, string>(), orgNames: new Set<string>(), registerCodes: new Set<string>() });

describe('seed:city generator', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(() => ctx.close());

  const keys = () => ({ phoneEncKey: ctx.config.phoneEncKey, phoneHashKey: ctx.config.phoneHashKey });

  it('is deterministic: the same seed gives the same city, another seed another one', () => {
    const a = generateCity({ scale: 0.01, seed: 7, now: NOW, ...keys() }, empty());
    const b = generateCity({ scale: 0.01, seed: 7, now: NOW, ...keys() }, empty());
    const c = generateCity({ scale: 0.01, seed: 8, now: NOW, ...keys() }, empty());
    // The batch size only cuts the stream: one batch or many, the same posts and claims.
    const [postsA, postsB] = [allPosts(a, 1_000), allPosts(b, 7)];
    expect(b.counts).toEqual(a.counts);
    expect(a.counts.claims).toBe(postsA.claimedAt.length);
    expect(b.firstMemberNames).toEqual(a.firstMemberNames);
    expect(postsB.taskIds).toEqual(postsA.taskIds);
    expect(postsB.claimedAt).toEqual(postsA.claimedAt);
    expect(c.firstMemberNames).not.toEqual(a.firstMemberNames);
    expect(() => a.posts(10).next()).toThrow(/once/);
  });

  it('loads a small city whose counters match its rows', async () => {
    const directoryVersion = async () =>
      Number((await ctx.database.pool.query<{ v: string }>('select version::text as v from directory_state')).rows[0].v);
    const versionBefore = await directoryVersion();
    // Posts in batches of 7: the load goes posts, claims, posts, claims … and must still add up.
    const result = await seedCity(ctx.database.pool, { scale: 0.01, seed: 7, now: NOW, postBatchTasks: 7, ...keys() });
    const expected = generateCity({ scale: 0.01, seed: 7, now: NOW, ...keys() }, empty());
    const expectedPosts = allPosts(expected, 1_000);
    expect(result.firstMemberNames).toEqual(expected.firstMemberNames);
    // The org list moved, although the load ran as a replica (triggers off but those marked ALWAYS).
    expect(await directoryVersion()).toBeGreaterThan(versionBefore);
    expect(result.claims).toBe(expectedPosts.claimedAt.length);
    expect(result).toMatchObject({ districts: 16, communities: 3, units: 1, members: 160, tasks: 90 });

    const q = async <T extends Record<string, unknown>>(sql: string) => (await ctx.database.pool.query<T>(sql)).rows;
    const [counts] = await q<{ districts: number; members: number; tasks: number; claims: number; live: number }>(
      `select (select count(*) from districts) districts, (select count(*) from members) members, (select count(*) from tasks) tasks,
              (select count(*) from claims) claims, (select count(*) from claims where status <> 'cancelled') live`,
    );
    expect(counts).toEqual({ districts: 16, members: 160, tasks: 90, claims: result.claims, live: result.liveClaims });
    expect(result.liveClaims).toBeGreaterThan(500);

    const [drift] = await q<{ n: number }>(
      `select count(*) n from tasks t where t.claimed <> (select count(*) from claims c where c.task_id = t.id and c.status <> 'cancelled')`,
    );
    expect(drift.n).toBe(0);
    const [minutesDrift] = await q<{ n: number }>(
      `select count(*) n from tasks t where t.service_minutes <> (select coalesce(sum(c.minutes), 0) from claims c where c.task_id = t.id)`,
    );
    expect(minutesDrift.n).toBe(0);
    const [bad] = await q<{ over: number; unfilled: number; early: number; cancelledLive: number }>(
      `select (select count(*) from tasks where claimed > capacity) "over",
              (select count(*) from tasks where (filled_at is not null) <> (claimed = capacity and status <> 'cancelled')) unfilled,
              (select count(*) from claims c join tasks t on t.id = c.task_id where c.claimed_at < t.claim_opens_at) early,
              (select count(*) from claims c join tasks t on t.id = c.task_id where t.status = 'cancelled' and c.status <> 'cancelled') "cancelledLive"`,
    );
    expect(bad).toEqual({ over: 0, unfilled: 0, early: 0, cancelledLive: 0 });

    // The roll-ups are built with the load: the city's all-time row holds the city's figures, nothing is left queued.
    const [rollup] = await q<{ members: number; published: number; filled: number; participations: number; queued: number }>(
      `select members, tasks_published as published, tasks_filled as filled, participations, (select count(*)::int from rollup_queue) as queued
         from stats_rollups where scope = 'city' and grain = 'all'`,
    );
    expect(rollup).toEqual({ members: 160, published: 90, filled: result.filledTasks, participations: result.liveClaims, queued: 0 });

    // 组织报到: projects only of units reported there, needs open exactly when no live project holds them.
    const [units] = await q<{
      agreements: number;
      needs: number;
      projects: number;
      unreported: number;
      needDrift: number;
      unrated: number;
    }>(
      `select (select count(*)::int from agreements) agreements, (select count(*)::int from needs) needs, (select count(*)::int from projects) projects,
              (select count(*)::int from projects p where not exists (select 1 from agreements a where a.unit_org_id = p.unit_org_id
                  and a.community_org_id = p.community_org_id and a.status = 'active')) unreported,
              (select count(*)::int from needs n where (n.status = 'open') = exists (select 1 from projects p where p.need_id = n.id and p.status <> 'returned')) "needDrift",
              (select count(*)::int from projects where (rating is not null) <> (status in ('accepted', 'closed'))) unrated`,
    );
    expect(units).toEqual({ agreements: result.agreements, needs: 12, projects: result.projects, unreported: 0, needDrift: 0, unrated: 0 });
    expect(result.projects).toBeGreaterThan(0);

    const [member] = await q<{ phone_cipher: string; phone_masked: string }>('select phone_cipher, phone_masked from members limit 1');
    const phone = decryptPhone(ctx.config.phoneEncKey, member.phone_cipher);
    expect(phone).toMatch(/^1[3-9]\d{9}$/);
    expect(maskPhone(phone)).toBe(member.phone_masked);

    await expect(seedCity(ctx.database.pool, { scale: 0.01, seed: 7, now: NOW, ...keys() })).rejects.toBeInstanceOf(CityAlreadySeededError);
  });
});
