import type { Ranking } from '@pioneer/shared';
import { Random } from '../../server/scripts/seed-city/prng';
import { systemClock } from '../../server/src/lib/clock';
import { assessmentRepositoryFactory } from '../../server/src/modules/assessment/assessment-repository';
import { assessmentServiceFactory } from '../../server/src/modules/assessment/assessment-service';
import { directoryRepositoryFactory } from '../../server/src/modules/directory/directory-repository';
import { whistleStatsFactory } from '../../server/src/modules/whistles/whistle-stats-repository';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * The 先锋指数+ ranking kept between reads catches up with the roll-ups by re-reading only the
 * communities the roll-up job changed (rollup_changes). Property: after any sequence of posts,
 * claims, registrations, registry homes and post moves, with the job run in between, the kept
 * ranking equals one computed from nothing, and it read just the changed communities, or the
 * whole city when a rebuild or pruning leaves it unable to tell.
 */
let ctx: TestContext;
const PERIOD = '2025-06';
const inMonth = (day: number, hour: number) => new Date(Date.UTC(2025, 5, day, hour - 8)).toISOString();

const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  (await ctx.database.pool.query(text, params)).rows as T[];

/** An assessment service over the test database whose figure reads are recorded: 'all', or the ids asked for. */
function service() {
  const db = ctx.database.db;
  const repo = assessmentRepositoryFactory(db);
  const reads: ('all' | string[])[] = [];
  const recording = {
    ...repo,
    monthFigures: (month: string, onlyIds?: string[]) => {
      reads.push(onlyIds ? [...onlyIds].sort() : 'all');
      return repo.monthFigures(month, onlyIds);
    },
  };
  const s = assessmentServiceFactory({
    db,
    assessmentRepository: recording,
    directoryRepository: directoryRepositoryFactory(db),
    whistleStats: whistleStatsFactory(db),
    clock: systemClock,
  });
  return { reads, ranking: (): Promise<Ranking> => s.ranking(undefined, { period: PERIOD, offset: 0, limit: 100 }) };
}

interface Community {
  id: string;
  estateId: string;
}

let communities: Community[];
let unitId: string;
const memberIds: string[] = [];

async function addMember(c: Community, day: number, room: string) {
  const [row] = await sql<{ id: string }>(
    `with u as (insert into users (openid) values ('inc_' || gen_random_uuid()) returning id)
     insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit, community_org_id, estate_id,
                          building, unit_no, room, intentions, consent_version, consented_at, registered_at)
     select u.id, '党员', 'x', md5(u.id::text), '138****0000', $1, '单位', $2, $3, '1', '1', $4, array['care'], 'v1', $5, $5 from u
     returning id`,
    [unitId, c.id, c.estateId, room, inMonth(day, 10)],
  );
  memberIds.push(row.id);
}

/** False when the home was in the registry already (nothing changed). */
async function addHome(c: Community, day: number, room: string): Promise<boolean> {
  const { rowCount } = await ctx.database.pool.query(
    `insert into households (community_org_id, estate_id, building, unit_no, room, owner_name_cipher, owner_name_hash, phone_cipher, phone_hash,
                             phone_masked, created_at, updated_at)
     values ($1, $2, '1', '1', $3, 'x', md5(random()::text), 'x', md5(random()::text), '139****0000', $4, $4)
     on conflict do nothing`,
    [c.id, c.estateId, room, inMonth(day, 10)],
  );
  return rowCount === 1;
}

/** A whistle the community raised in the month, addressed to the unit, signed within the day or not. */
async function raiseWhistle(rng: Random, c: Community) {
  const day = rng.int(1, 27);
  const [w] = await sql<{ id: string }>(
    `insert into whistles (title, description, category, location, due_at, raised_by_org_id, raised_by_district_id, created_by, created_at)
     select '事项', '需要单位协同', 'order', '社区', $2, po.id, po.district_id, (select id from users limit 1), $3
       from party_orgs po where po.id = $1 returning id`,
    [c.id, inMonth(day + 1, 10), inMonth(day, 10)],
  );
  await sql(
    `insert into whistle_assignments (whistle_id, org_id, part, status, due_at, assigned_at, signed_at)
     values ($1, $2, 'lead', $3, $4, $5, $6)`,
    [w.id, unitId, rng.chance(0.5) ? 'signed' : 'pending', inMonth(day + 1, 10), inMonth(day, 10), inMonth(day, 12)],
  );
  if (rng.chance(0.4)) await sql(`update whistles set status = 'closed' where id = $1`, [w.id]);
}

/** A post of the month with claims in several states; full (and filled some minutes after opening) when the claims reach capacity. */
async function addPost(rng: Random, c: Community) {
  const day = rng.int(2, 28);
  const capacity = rng.int(1, 4);
  const opens = inMonth(day - 1, 20);
  const claimants = [...memberIds].sort(() => rng.next() - 0.5).slice(0, rng.int(0, capacity));
  const statuses = claimants.map(() => rng.pick(['completed', 'no_show', 'cancelled', 'claimed']));
  const live = statuses.filter((s) => s !== 'cancelled').length;
  const filled = live === capacity ? new Date(Date.parse(opens) + rng.int(1, 600) * 60_000).toISOString() : null;
  const [task] = await sql<{ id: string }>(
    `insert into tasks (community_org_id, title, category, location, starts_at, ends_at, capacity, claimed, status, claim_opens_at, filled_at)
     values ($1, '岗位', 'care', '社区', $2, $3, $4, $5, 'ended', $6, $7) returning id`,
    [c.id, inMonth(day, 9), inMonth(day, 11), capacity, live, opens, filled],
  );
  for (let i = 0; i < claimants.length; i++)
    await sql(`insert into claims (task_id, member_id, status, claimed_at, minutes) values ($1, $2, $3, $4, $5)`, [
      task.id,
      claimants[i],
      statuses[i],
      opens,
      statuses[i] === 'completed' ? rng.int(30, 180) : null,
    ]);
}

beforeAll(async () => {
  // No job on a timer: the roll-ups move only when the test runs them, so it knows what changed.
  ctx = await createTestContext({ env: { ROLLUP_INTERVAL_MS: '0', CLAIM_JOBS_INTERVAL_MS: '0' } });
  const db = ctx.database.db;
  const districts = [await makeDistrict(db), await makeDistrict(db)];
  unitId = (await makeUnitOrg(db, districts[0].id)).id;
  communities = [];
  for (let i = 0; i < 6; i++) {
    const c = await makeCommunity(db, districts[i % 2].id);
    communities.push({ id: c.id, estateId: (await makeEstate(db, c.id)).id });
  }
  for (const c of communities) await addMember(c, 1, '101');
  await ctx.app.rollups.refresh();
});
afterAll(async () => ctx.close());

it('re-reads only the communities the roll-ups changed, and ranks as a fresh computation does', async () => {
  const rng = new Random(21);
  const kept = service();
  expect(await kept.ranking()).toEqual(await service().ranking());
  expect(kept.reads).toEqual(['all']);

  const kinds = new Set<string>();
  for (let round = 0; round < 40; round++) {
    kept.reads.length = 0;
    const touched = new Set<string>();
    const c = rng.pick(communities);
    const r = rng.next();
    if (r < 0.45) await addPost(rng, c);
    else if (r < 0.6) await addMember(c, rng.int(1, 28), rng.pick(['101', '102', '201']));
    else if (r < 0.72) {
      if (!(await addHome(c, rng.int(1, 28), rng.pick(['101', '102', '201'])))) continue;
    } else if (r < 0.85) await raiseWhistle(rng, c);
    else if (r < 0.92) {
      // A rename reaches the ranking at once (directory_state), with no figures read again.
      await sql(`update party_orgs set name = $2 where id = $1`, [c.id, `改名社区${round}`]);
    } else {
      // A post moves to another community: both communities' figures change.
      const other = rng.pick(communities.filter((x) => x !== c));
      const [moved] = await sql<{ id: string }>(
        `update tasks set community_org_id = $2 where id = (select id from tasks where community_org_id = $1 limit 1) returning id`,
        [c.id, other.id],
      );
      if (moved) touched.add(other.id).add(c.id);
    }
    // A whistle moves no roll-up: its community is re-scored from the whistle figures alone.
    if (r < 0.72) touched.add(c.id);
    const renamed = r >= 0.85 && r < 0.92;
    kinds.add(r < 0.45 ? 'post' : r < 0.6 ? 'member' : r < 0.72 ? 'home' : r < 0.85 ? 'whistle' : renamed ? 'rename' : 'move');
    await ctx.app.rollups.refresh();

    const ranking = await kept.ranking();
    expect(ranking).toEqual(await service().ranking());
    if (renamed) expect(ranking.items.find((i) => i.org.id === c.id)?.org.name).toBe(`改名社区${round}`);
    // One read of just the communities this round changed (none when nothing did).
    expect(kept.reads).toEqual(touched.size ? [[...touched].sort()] : []);
  }
  expect([...kinds].sort()).toEqual(['home', 'member', 'move', 'post', 'rename', 'whistle']);
  expect((await kept.ranking()).items.some((i) => i.score > 0)).toBe(true);
});

it('reads the whole city again after a rebuild, and when the changes it would need were pruned', async () => {
  const kept = service();
  await kept.ranking();
  kept.reads.length = 0;

  // A rebuild changes every community: its version is recorded as "all".
  await ctx.app.rollups.rebuildAll();
  expect(await kept.ranking()).toEqual(await service().ranking());
  expect(kept.reads).toEqual(['all']);

  // A reader far behind: the job prunes entries older than 10,000 versions (every 100th version).
  kept.reads.length = 0;
  await sql(`update rollup_state set version = 20099 where id = 1`);
  await addPost(new Random(3), communities[0]);
  await ctx.app.rollups.refresh();
  const [state] = await sql<{ version: string; kept: string; old: number }>(
    `select version::text, changes_kept_after::text as kept, (select count(*)::int from rollup_changes where version <= 10100) as old
       from rollup_state where id = 1`,
  );
  expect(state).toEqual({ version: '20100', kept: '10100', old: 0 });
  expect(await kept.ranking()).toEqual(await service().ranking());
  expect(kept.reads).toEqual(['all']);

  // Caught up: the next change is read alone again.
  kept.reads.length = 0;
  await addMember(communities[1], 3, '301');
  await ctx.app.rollups.refresh();
  expect(await kept.ranking()).toEqual(await service().ranking());
  expect(kept.reads).toEqual([[communities[1].id]]);
});
