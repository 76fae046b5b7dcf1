import { makeCommunity, makeDistrict, makeEstate, makeStaff, makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { makeSecretary, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
const HOUR = 3600_000;

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
});
afterAll(async () => ctx.close());

const get = (url: string, auth?: { authorization: string }) => ctx.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: auth });

describe('draw reads (抽签公示) scoped as the contract says', () => {
  it('members of its community, entrants and the staff over it read it; holders only for the admins over it', async () => {
    const staff = await makeStaff(ctx, 'ds', { districtId: world.district.id, communityId: world.community.id });
    const neighbour = await makeCommunity(ctx.database.db, world.district.id);
    const neighbourWorld = { ...world, community: neighbour, estate: await makeEstate(ctx.database.db, neighbour.id) };
    const farDistrict = await makeDistrict(ctx.database.db);
    const far = await ctx.signIn('ds_far_district');
    await ctx.grant(far.userId, 'district_admin', farDistrict.id);
    const neighbourSecretary = (await makeSecretary(ctx, neighbour.id, 'ds_neighbour_secretary')).auth;
    const unit = await ctx.signIn('ds_unit_admin');
    await ctx.grant(unit.userId, 'unit_admin', world.unitOrg.id);
    const ours = await registerMember(ctx, 'ds_ours', world);
    const entrant = await registerMember(ctx, 'ds_entrant', neighbourWorld);
    const outsider = await registerMember(ctx, 'ds_outsider', neighbourWorld);
    // A member of another community who is also staff somewhere else is still no reader.
    const otherStaffMember = await registerMember(ctx, 'ds_other_staff', neighbourWorld);
    await ctx.grant(otherStaffMember.userId, 'secretary', neighbour.id);

    const now = ctx.clock.now().getTime();
    const task = await publishTask(ctx, staff.secretary, world.community.id, {
      capacity: 2,
      allocation: 'draw',
      drawAt: new Date(now + HOUR).toISOString(),
      startsAt: new Date(now + 24 * HOUR).toISOString(),
      endsAt: new Date(now + 26 * HOUR).toISOString(),
    });
    const url = `/tasks/${task.id}/draw`;
    for (const [who, nonce] of [
      [ours, 'ours-nonce-0123456789'],
      [entrant, 'entrant-nonce-0123456'],
    ] as const) {
      const r = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/entries`, headers: who.auth, payload: { nonce } });
      expect(r.statusCode).toBe(201);
    }

    const holders = async (auth: { authorization: string }) => {
      const r = await get(url, auth);
      expect(r.statusCode).toBe(200);
      return (r.json().tickets as Array<{ memberId?: string }>).map((t) => t.memberId ?? null).sort();
    };
    const ids = [ours.memberId, entrant.memberId].sort();
    // The admins over the community see who holds which ticket.
    expect(await holders(staff.districtAdmin)).toEqual(ids);
    expect(await holders(staff.admin)).toEqual(ids);
    // Its secretary, its members and an entrant from elsewhere see the tickets only.
    for (const auth of [staff.secretary, ours.auth, entrant.auth]) expect(await holders(auth)).toEqual([null, null]);
    // Everyone else: 403, whatever roles they hold elsewhere.
    for (const auth of [far.auth, neighbourSecretary, unit.auth, outsider.auth, otherStaffMember.auth, staff.member]) {
      const r = await get(url, auth);
      expect([r.statusCode, r.json().code]).toEqual([403, 'FORBIDDEN']);
    }
    expect((await get(url)).statusCode).toBe(401);
    // A post that does not exist stays 404 for anyone signed in.
    expect((await get(`/tasks/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/draw`, ours.auth)).statusCode).toBe(404);
  });
});
