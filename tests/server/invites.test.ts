import { createHash } from 'node:crypto';
import { makeCommunity, makeDistrict, makeUnitOrg, makeStaff } from '../helpers/fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
type Auth = { authorization: string };
let admin: Auth, districtAdminA: Auth, secretaryA: Auth, member: Auth;
let districtA: { id: string }, districtB: { id: string };
let communityA: { id: string }, communityB: { id: string }, unitA: { id: string }, unitB: { id: string };

const DAY = 24 * 3600 * 1000;
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.database.db;
  districtA = await makeDistrict(db);
  districtB = await makeDistrict(db);
  communityA = await makeCommunity(db, districtA.id);
  communityB = await makeCommunity(db, districtB.id);
  unitA = await makeUnitOrg(db, districtA.id);
  unitB = await makeUnitOrg(db, districtB.id);
  ({
    admin,
    districtAdmin: districtAdminA,
    secretary: secretaryA,
    member,
  } = await makeStaff(ctx, 'inv', {
    districtId: districtA.id,
    communityId: communityA.id,
  }));
});
afterAll(async () => ctx.close());

const invite = (who: Auth | undefined, body: unknown) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/invites', headers: who, payload: body as object });
const accept = (who: Auth | undefined, code: string) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/invites/accept', headers: who, payload: { code } });

async function newInvite(body: unknown, who: Auth = admin): Promise<string> {
  const res = await invite(who, body);
  expect(res.statusCode).toBe(201);
  return res.json().code;
}

describe('creating invites', () => {
  it('returns a random code that expires in 7 days, storing only its SHA-256', async () => {
    const res = await invite(admin, { role: 'secretary', orgId: communityA.id });
    expect(res.statusCode).toBe(201);
    const { code, expiresAt } = res.json();
    expect(code).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(new Date(expiresAt).getTime()).toBe(ctx.clock.now().getTime() + 7 * DAY);

    const hash = createHash('sha256').update(code).digest('hex');
    const { rows } = await ctx.database.pool.query('select * from invites where code_hash = $1', [hash]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ role: 'secretary', org_id: communityA.id, accepted_at: null });
    const dump = JSON.stringify(await ctx.database.pool.query('select * from invites').then((r) => r.rows));
    expect(dump).not.toContain(code);

    const audit = await ctx.database.pool.query(`select data from audit_log where action = 'invite.create' and entity_id = $1`, [
      rows[0].id,
    ]);
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows[0].data)).not.toContain(code);
  });

  it('gives every invite a different code', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) codes.add(await newInvite({ role: 'unit_admin', orgId: unitA.id }));
    expect(codes.size).toBe(5);
  });

  it.each([
    ['secretary needs a community', () => ({ role: 'secretary', orgId: unitA.id })],
    ['secretary needs an org', () => ({ role: 'secretary' })],
    ['secretary with null org', () => ({ role: 'secretary', orgId: null })],
    ['unit_admin needs a unit org', () => ({ role: 'unit_admin', orgId: communityA.id })],
    ['district_admin needs a district', () => ({ role: 'district_admin', orgId: communityA.id })],
    ['city_admin takes no org', () => ({ role: 'city_admin', orgId: districtA.id })],
    ['unknown org', () => ({ role: 'secretary', orgId: NO_SUCH_ID })],
  ])('rejects a mismatched org: %s', async (_label, body) => {
    const res = await invite(admin, body());
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'orgId' }] });
  });

  it('rejects roles that cannot be invited and malformed ids', async () => {
    const member = await invite(admin, { role: 'member', orgId: null });
    expect(member.statusCode).toBe(400);
    expect(member.json().details[0].path).toBe('role');
    const badId = await invite(admin, { role: 'secretary', orgId: 'abc' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().details[0].path).toBe('orgId');
  });

  it('lets a city admin invite every role', async () => {
    for (const body of [
      { role: 'city_admin', orgId: null },
      { role: 'city_admin' },
      { role: 'district_admin', orgId: districtB.id },
      { role: 'secretary', orgId: communityB.id },
      { role: 'unit_admin', orgId: unitB.id },
    ]) {
      expect((await invite(admin, body)).statusCode).toBe(201);
    }
  });

  it('lets a district admin invite secretaries and unit admins of its own district only', async () => {
    expect((await invite(districtAdminA, { role: 'secretary', orgId: communityA.id })).statusCode).toBe(201);
    expect((await invite(districtAdminA, { role: 'unit_admin', orgId: unitA.id })).statusCode).toBe(201);
    for (const body of [
      { role: 'secretary', orgId: communityB.id },
      { role: 'unit_admin', orgId: unitB.id },
      { role: 'district_admin', orgId: districtA.id },
      { role: 'city_admin', orgId: null },
    ]) {
      const res = await invite(districtAdminA, body);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });

  it('refuses secretaries, members and anonymous callers, before looking at the body', async () => {
    expect((await invite(secretaryA, { role: 'secretary', orgId: communityA.id })).statusCode).toBe(403);
    expect((await invite(member, { role: 'secretary', orgId: NO_SUCH_ID })).statusCode).toBe(403);
    expect((await invite(undefined, { role: 'secretary', orgId: communityA.id })).statusCode).toBe(401);
  });
});

describe('accepting invites', () => {
  it('grants the role at once, works once, and audits it', async () => {
    const code = await newInvite({ role: 'secretary', orgId: communityB.id });
    const newcomer = await ctx.signIn('inv_newcomer');
    const res = await accept(newcomer.auth, code);
    expect(res.statusCode).toBe(200);
    expect(res.json().user).toEqual({ id: newcomer.userId, memberId: null, roles: [{ role: 'secretary', orgId: communityB.id }] });

    // The same session token now carries the new scope.
    const estate = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/party-orgs/${communityB.id}/estates`,
      headers: newcomer.auth,
      payload: { name: '新书记的小区' },
    });
    expect(estate.statusCode).toBe(201);

    for (const who of [newcomer.auth, member]) {
      const again = await accept(who, code);
      expect(again.statusCode).toBe(400);
      expect(again.json().code).toBe('CODE_INVALID');
    }
    const { rows } = await ctx.database.pool.query(`select actor_user_id from audit_log where action = 'invite.accept'`);
    expect(rows).toEqual([{ actor_user_id: newcomer.userId }]);
  });

  it('answers unknown codes with CODE_INVALID and requires a session', async () => {
    const res = await accept(member, 'x'.repeat(24));
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CODE_INVALID');
    expect((await accept(undefined, 'whatever')).statusCode).toBe(401);
    expect((await accept(member, '')).json().code).toBe('VALIDATION_FAILED');
  });

  it('works until the last moment and then answers 410 CODE_EXPIRED', async () => {
    const early = await newInvite({ role: 'unit_admin', orgId: unitA.id });
    const late = await newInvite({ role: 'unit_admin', orgId: unitB.id });
    const u = await ctx.signIn('inv_expiry');
    ctx.clock.advance(7 * DAY - 1000);
    expect((await accept(u.auth, early)).statusCode).toBe(200);
    ctx.clock.advance(1000);
    const res = await accept(u.auth, late);
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('CODE_EXPIRED');
    // A used invite stays "invalid" (not "expired") after its lifetime.
    expect((await accept(u.auth, early)).json().code).toBe('CODE_INVALID');
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.auth });
    expect(me.json().user.roles).toEqual([{ role: 'unit_admin', orgId: unitA.id }]);
  });

  it('lets exactly one of many concurrent accepts win', async () => {
    const district = await makeDistrict(ctx.database.db);
    const code = await newInvite({ role: 'district_admin', orgId: district.id });
    const racers = await Promise.all(Array.from({ length: 8 }, (_, i) => ctx.signIn(`inv_racer${i}`)));
    const answers = await Promise.all(racers.map((r) => accept(r.auth, code)));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses).toEqual([200, 400, 400, 400, 400, 400, 400, 400]);
    const { rows } = await ctx.database.pool.query(
      `select count(*)::int as n from role_grants where role = 'district_admin' and org_id = $1`,
      [district.id],
    );
    expect(rows[0].n).toBe(1);
  });
});
