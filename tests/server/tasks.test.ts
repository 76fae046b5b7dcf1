import type { Task } from '@pioneer/shared';
import { claimsRepositoryFactory } from '../../server/src/modules/claims/claims-repository';
import { tasksRepositoryFactory } from '../../server/src/modules/tasks/tasks-repository';
import { directoryRepositoryFactory } from '../../server/src/modules/directory/directory-repository';
import { tasksServiceFactory } from '../../server/src/modules/tasks/tasks-service';
import { makeCommunity, makeWorld } from '../helpers/fixtures';
import { insertMembers, makeSecretary, publishTask, slotState, taskBody, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let other: Awaited<ReturnType<typeof makeWorld>>;
let secA: Awaited<ReturnType<typeof makeSecretary>>;
let secB: Awaited<ReturnType<typeof makeSecretary>>;
let member: FixtureMember;
let otherMember: FixtureMember;

const MINUTE = 60_000;
const T0 = new Date('2030-03-01T00:00:00.000Z');

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  other = await makeWorld(ctx.database.db);
  secA = await makeSecretary(ctx, world.community.id, 'tasks-sec-a');
  secB = await makeSecretary(ctx, other.community.id, 'tasks-sec-b');
  [member] = await insertMembers(ctx, world, 1, 'tasks-a');
  [otherMember] = await insertMembers(ctx, other, 1, 'tasks-b');
});
afterAll(async () => ctx.close());

const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE).toISOString();

describe('publishing a post', () => {
  it('lets the community secretary publish, with defaults for the claim window and cutoff', async () => {
    const body = taskBody(ctx, world.community.id, { title: '周末垃圾分类引导', category: 'waste_sorting', capacity: 3 });
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/tasks', headers: secA.auth, payload: body });
    expect(res.statusCode).toBe(201);
    const task = res.json().task as Task;
    expect(task).toEqual(
      expect.objectContaining({
        communityOrgId: world.community.id,
        communityName: world.community.name,
        title: '周末垃圾分类引导',
        category: 'waste_sorting',
        capacity: 3,
        claimed: 0,
        remaining: 3,
        status: 'open',
        claimOpensAt: T0.toISOString(),
        cancelCutoffMinutes: 60,
        filledAt: null,
      }),
    );
  });

  it('refuses a member, and a secretary of another community', async () => {
    const body = taskBody(ctx, world.community.id);
    const byMember = await ctx.app.inject({ method: 'POST', url: '/api/v1/tasks', headers: member.auth, payload: body });
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json().code).toBe('FORBIDDEN');
    const byOther = await ctx.app.inject({ method: 'POST', url: '/api/v1/tasks', headers: secB.auth, payload: body });
    expect(byOther.statusCode).toBe(403);
    const anonymous = await ctx.app.inject({ method: 'POST', url: '/api/v1/tasks', payload: body });
    expect(anonymous.statusCode).toBe(401);
  });

  it.each([
    ['an unknown category', { category: 'dancing' }, 'category'],
    ['capacity 0', { capacity: 0 }, 'capacity'],
    ['capacity 1001', { capacity: 1001 }, 'capacity'],
    ['an end before the start', { startsAt: at(120), endsAt: at(60) }, 'endsAt'],
    ['a start in the past', { startsAt: at(-10), endsAt: at(60) }, 'startsAt'],
  ])('rejects %s', async (_name, overrides, field) => {
    const body = { ...taskBody(ctx, world.community.id), ...overrides };
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/tasks', headers: secA.auth, payload: body });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
  });
});

describe('listing and reading posts', () => {
  let listWorld: Awaited<ReturnType<typeof makeWorld>>;
  let listSec: Awaited<ReturnType<typeof makeSecretary>>;
  let farSec: Awaited<ReturnType<typeof makeSecretary>>;
  let far: { id: string };
  let lister: FixtureMember;
  const mine: Task[] = [];
  const theirs: Task[] = [];

  beforeAll(async () => {
    listWorld = await makeWorld(ctx.database.db);
    far = await makeCommunity(ctx.database.db, listWorld.district.id);
    listSec = await makeSecretary(ctx, listWorld.community.id, 'tasks-list-sec');
    farSec = await makeSecretary(ctx, far.id, 'tasks-far-sec');
    [lister] = await insertMembers(ctx, listWorld, 1, 'tasks-lister');
    // The other community's posts start sooner, so only the ordering puts the member's own first.
    for (let i = 0; i < 4; i++) {
      theirs.push(await publishTask(ctx, farSec.auth, far.id, { startsAt: at(100 + i), endsAt: at(200 + i), category: 'care' }));
    }
    for (let i = 0; i < 3; i++) {
      mine.push(await publishTask(ctx, listSec.auth, listWorld.community.id, { startsAt: at(300 + i), endsAt: at(400 + i) }));
    }
  });

  async function pages(url: string, auth: { authorization: string }) {
    const ids: string[] = [];
    let cursor: string | null = null;
    let rounds = 0;
    do {
      const res: { statusCode: number; json(): { items: Task[]; nextCursor: string | null } } = await ctx.app.inject({
        method: 'GET',
        url: `${url}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      ids.push(...body.items.map((t) => t.id));
      cursor = body.nextCursor;
      rounds++;
    } while (cursor && rounds < 20);
    return { ids, rounds };
  }

  it('pages a district with a keyset cursor, the member’s own community first', async () => {
    const { ids, rounds } = await pages(`/api/v1/tasks?districtId=${listWorld.district.id}&open=true&limit=2`, lister.auth);
    expect(rounds).toBe(4);
    expect(ids).toEqual([...mine.map((t) => t.id), ...theirs.map((t) => t.id)]);
  });

  it('filters by community and category, and lists a history newest first', async () => {
    const care = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/tasks?districtId=${listWorld.district.id}&category=care`,
      headers: lister.auth,
    });
    expect(
      care
        .json()
        .items.map((t: Task) => t.id)
        .sort(),
    ).toEqual(theirs.map((t) => t.id).sort());
    const { ids } = await pages(`/api/v1/tasks?communityOrgId=${far.id}&limit=3`, listSec.auth);
    expect(ids).toEqual(theirs.map((t) => t.id).reverse());
  });

  it('leaves out cancelled and ended posts when open=true, and marks ended ones on read', async () => {
    const soon = await publishTask(ctx, listSec.auth, listWorld.community.id, { startsAt: at(10), endsAt: at(20) });
    const gone = await publishTask(ctx, listSec.auth, listWorld.community.id, { startsAt: at(30), endsAt: at(500) });
    const cancel = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${gone.id}/cancel`, headers: listSec.auth });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json().task.status).toBe('cancelled');

    ctx.clock.set(new Date(T0.getTime() + 30 * MINUTE));
    try {
      const open = await pages(`/api/v1/tasks?communityOrgId=${listWorld.community.id}&open=true`, lister.auth);
      expect(open.ids).toEqual(mine.map((t) => t.id));
      const all = await ctx.app.inject({
        method: 'GET',
        url: `/api/v1/tasks?communityOrgId=${listWorld.community.id}`,
        headers: lister.auth,
      });
      const byId = new Map(all.json().items.map((t: Task) => [t.id, t.status]));
      expect(byId.get(soon.id)).toBe('ended');
      expect(byId.get(gone.id)).toBe('cancelled');
      const detail = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${soon.id}`, headers: lister.auth });
      expect(detail.json()).toEqual({
        task: expect.objectContaining({ id: soon.id, status: 'ended' }),
        myClaim: null,
        myWaitlist: null,
        myEntry: null,
      });
    } finally {
      ctx.clock.set(T0);
    }
  });

  it('rejects a forged cursor and answers 404 for an unknown post', async () => {
    const bad = await ctx.app.inject({ method: 'GET', url: '/api/v1/tasks?cursor=bm90LWpzb24', headers: lister.auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('cursor');
    const missing = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/tasks/00000000-0000-4000-8000-000000000000',
      headers: lister.auth,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('NOT_FOUND');
  });
});

describe('cancelling a post', () => {
  it('ends its live claims in the same step and is refused to other secretaries', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { capacity: 2 });
    const claim = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/claims`, headers: member.auth });
    expect(claim.statusCode).toBe(201);
    const claim2 = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/claims`, headers: otherMember.auth });
    expect(claim2.statusCode).toBe(201);

    const denied = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/cancel`, headers: secB.auth });
    expect(denied.statusCode).toBe(403);
    const byMember = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/cancel`, headers: member.auth });
    expect(byMember.statusCode).toBe(403);

    const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/cancel`, headers: secA.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().task).toEqual(expect.objectContaining({ status: 'cancelled', claimed: 0, remaining: 2 }));
    expect(await slotState(ctx, task.id)).toEqual(expect.objectContaining({ claimed: 0, live: 0 }));

    const detail = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}`, headers: member.auth });
    expect(detail.json().myClaim).toEqual(expect.objectContaining({ status: 'cancelled' }));
    const again = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/cancel`, headers: secA.auth });
    expect(again.statusCode).toBe(200);
    expect(again.json().task.status).toBe('cancelled');
  });
});

describe('the sweep', () => {
  it('writes down ended posts and their no-shows', async () => {
    const task = await publishTask(ctx, secA.auth, world.community.id, { startsAt: at(5), endsAt: at(15), cancelCutoffMinutes: 0 });
    const claim = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/claims`, headers: member.auth });
    expect(claim.statusCode).toBe(201);
    const claimsRepository = claimsRepositoryFactory({ db: ctx.database.db });
    const service = tasksServiceFactory({
      db: ctx.database.db,
      tasksRepository: tasksRepositoryFactory(ctx.database.db),
      claimsRepository,
      directoryRepository: directoryRepositoryFactory(ctx.database.db),
      clock: ctx.clock,
      settleNoShows: async () => (await claimsRepository.settleNoShows(ctx.clock.now())).length,
    });
    ctx.clock.set(new Date(T0.getTime() + 15 * MINUTE));
    try {
      // Before the sweep, reads already say so.
      const before = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}`, headers: member.auth });
      expect(before.json().task.status).toBe('ended');
      expect(before.json().myClaim.status).toBe('no_show');
      const swept = await service.sweep();
      expect(swept.ended).toBeGreaterThanOrEqual(1);
      expect(swept.noShows).toBeGreaterThanOrEqual(1);
      const { rows } = await ctx.database.pool.query(
        'select t.status as task, c.status as claim from tasks t join claims c on c.task_id = t.id where t.id = $1',
        [task.id],
      );
      expect(rows).toEqual([{ task: 'ended', claim: 'no_show' }]);
    } finally {
      ctx.clock.set(T0);
    }
  });
});
