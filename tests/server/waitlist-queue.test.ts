import { maskName, WaitlistQueueSchema } from '@pioneer/shared';
import { makeStaff, makeWorld } from '../helpers/fixtures';
import { insertMembers, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let staff: Awaited<ReturnType<typeof makeStaff>>;
let otherStaff: Awaited<ReturnType<typeof makeStaff>>;
let members: FixtureMember[];

const MINUTE = 60_000;
const T0 = new Date('2030-06-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE).toISOString();

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  const other = await makeWorld(ctx.database.db);
  staff = await makeStaff(ctx, 'wq', { districtId: world.district.id, communityId: world.community.id });
  otherStaff = await makeStaff(ctx, 'wq-other', { districtId: other.district.id, communityId: other.community.id });
  members = await insertMembers(ctx, world, 6, 'wq');
});
afterAll(async () => ctx?.close());

const req = (method: 'GET' | 'POST' | 'DELETE', url: string, auth: { authorization: string }) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth });

async function nameOf(memberId: string): Promise<string> {
  const { rows } = await ctx.database.pool.query(`select name from members where id = $1`, [memberId]);
  return rows[0].name;
}

describe('GET /tasks/:id/waitlist (候补队列)', () => {
  it('shows its staff the held offer with its deadline, the waiting members in order and the closed entries, names and phones masked', async () => {
    const task = await publishTask(ctx, staff.secretary, world.community.id, { capacity: 1, startsAt: at(24 * 60), endsAt: at(26 * 60) });
    const [holder, a, b, c] = members;
    expect((await req('POST', `/tasks/${task.id}/claims`, holder.auth)).statusCode).toBe(201);
    for (const m of [a, b, c]) expect((await req('POST', `/tasks/${task.id}/waitlist`, m.auth)).statusCode).toBe(201);
    expect((await req('DELETE', `/tasks/${task.id}/waitlist/me`, c.auth)).statusCode).toBe(200);
    // The holder cancels: the head of the queue is offered the slot for 30 minutes.
    expect((await req('DELETE', `/tasks/${task.id}/claims/me`, holder.auth)).statusCode).toBe(200);

    const res = await req('GET', `/tasks/${task.id}/waitlist`, staff.secretary);
    expect(res.statusCode).toBe(200);
    const queue = WaitlistQueueSchema.parse(res.json());
    expect(queue).toMatchObject({ taskId: task.id, capacity: 1, claimed: 1, waiting: 1, offered: 1 });
    expect(queue.items.map((i) => [i.status, i.position, i.member.name])).toEqual([
      ['offered', null, maskName(await nameOf(a.memberId))],
      ['waiting', 1, maskName(await nameOf(b.memberId))],
      ['left', null, maskName(await nameOf(c.memberId))],
    ]);
    expect(queue.items[0].offerExpiresAt).toBe(new Date(T0.getTime() + 30 * MINUTE).toISOString());
    expect(queue.items[1].offerExpiresAt).toBeNull();
    for (const item of queue.items) {
      expect(item.member.name).toContain('*');
      expect(item.member.phone).toMatch(/^\d{3}\*{4}\d{4}$/);
    }
    // Nothing of a member beyond the masked name and phone leaves.
    expect(JSON.stringify(res.json())).not.toMatch(/memberId|userId|"id"/);

    // The admins above the community see it too.
    expect((await req('GET', `/tasks/${task.id}/waitlist`, staff.districtAdmin)).statusCode).toBe(200);
    expect((await req('GET', `/tasks/${task.id}/waitlist`, staff.admin)).statusCode).toBe(200);
  });

  it('refuses members, other communities and other districts; an unknown post is 404', async () => {
    const task = await publishTask(ctx, staff.secretary, world.community.id, { capacity: 2 });
    const member = await req('GET', `/tasks/${task.id}/waitlist`, members[5].auth);
    expect([member.statusCode, member.json().code]).toEqual([403, 'FORBIDDEN']);
    expect((await req('GET', `/tasks/${task.id}/waitlist`, staff.member)).statusCode).toBe(403);
    for (const other of [otherStaff.secretary, otherStaff.districtAdmin]) {
      const res = await req('GET', `/tasks/${task.id}/waitlist`, other);
      expect([res.statusCode, res.json().code]).toEqual([403, 'FORBIDDEN']);
    }
    const empty = WaitlistQueueSchema.parse((await req('GET', `/tasks/${task.id}/waitlist`, staff.secretary)).json());
    expect(empty).toMatchObject({ waiting: 0, offered: 0, items: [] });
    const missing = await req('GET', `/tasks/00000000-0000-4000-8000-000000000000/waitlist`, staff.secretary);
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'NOT_FOUND']);
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/waitlist` })).statusCode).toBe(401);
  });
});
