import type { MemberUpsertBody } from '@pioneer/shared';
import { decryptPhone, hashPhone } from '../../server/src/lib/phone-crypto';
import { makeEstate, makeWorld } from '../helpers/fixtures';
import { memberBody, registerMember } from '../helpers/member-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let other: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  other = await makeWorld(ctx.database.db);
});
afterAll(async () => ctx.close());

const ME = '/api/v1/members/me';

async function counts() {
  const { rows } = await ctx.database.pool.query(
    'select (select count(*) from members)::int as members, (select count(*) from audit_log)::int as audits',
  );
  return rows[0] as { members: number; audits: number };
}

async function memberRow(id: string) {
  const { rows } = await ctx.database.pool.query('select * from members where id = $1', [id]);
  return rows[0];
}

describe('registration (一键报到)', () => {
  it('registers, makes the user a member, and shows the owner the full phone', async () => {
    const before = await counts();
    const session = await ctx.signIn('reg-alice');
    const body = memberBody(world, { name: '  王小明 ', phone: '13812345678', workUnit: '  市税务局 ' });
    ctx.clock.set(new Date('2024-05-01T08:00:00.000Z'));
    const res = await ctx.app.inject({ method: 'PUT', url: ME, headers: session.auth, payload: body });
    expect(res.statusCode).toBe(200);
    const { member } = res.json();
    expect(member).toEqual({
      id: expect.any(String),
      name: '王小明',
      phone: '13812345678',
      unitOrg: { id: world.unitOrg.id, name: world.unitOrg.name },
      workUnit: '市税务局',
      community: { id: world.community.id, name: world.community.name, districtId: world.district.id },
      estate: { id: world.estate.id, name: world.estate.name },
      building: '3',
      unitNo: '2',
      room: '301',
      intentions: ['convenience', 'care'],
      consentVersion: '2024-01',
      consentedAt: '2024-05-01T08:00:00.000Z',
      registeredAt: '2024-05-01T08:00:00.000Z',
    });
    expect(await counts()).toEqual({ members: before.members + 1, audits: before.audits + 1 });

    const me = await ctx.app.inject({ method: 'GET', url: ME, headers: session.auth });
    expect(me.statusCode).toBe(200);
    expect(me.json().member).toEqual(member);

    const authMe = await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: session.auth });
    expect(authMe.json().user.memberId).toBe(member.id);
    expect(authMe.json().user.roles).toContainEqual({ role: 'member', orgId: null });
  });

  it('hands out a session token naming the member on registration, and signs members in with one', async () => {
    const session = await ctx.signIn('reg-token');
    expect(ctx.app.jwt.decode<{ mid?: string }>(session.token)?.mid).toBeUndefined();
    const first = await ctx.app.inject({ method: 'PUT', url: ME, headers: session.auth, payload: memberBody(world) });
    expect(first.statusCode).toBe(200);
    const { member, session: fresh } = first.json();
    expect(fresh).toEqual({ token: expect.any(String), expiresIn: ctx.config.sessionTtlSeconds });
    const claims = ctx.app.jwt.decode<{ sub: string; mid?: string }>(fresh.token);
    expect(claims).toMatchObject({ sub: session.userId, mid: member.id });

    // The new token works everywhere; an update with it hands out nothing new.
    const auth = { authorization: `Bearer ${fresh.token}` };
    expect((await ctx.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth })).json().user.memberId).toBe(member.id);
    const again = await ctx.app.inject({ method: 'PUT', url: ME, headers: auth, payload: memberBody(world, { room: '502' }) });
    expect(again.statusCode).toBe(200);
    expect(again.json().session).toBeUndefined();

    // Signing in again as a member gives a token naming the member straight away.
    const signedIn = await ctx.signIn('reg-token');
    expect(ctx.app.jwt.decode<{ mid?: string }>(signedIn.token)?.mid).toBe(member.id);
  });

  it('answers GET /members/me and the pioneer code with 403 NOT_REGISTERED before registration', async () => {
    const session = await ctx.signIn('reg-unregistered');
    for (const url of [ME, `${ME}/pioneer-code`]) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: session.auth });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('NOT_REGISTERED');
    }
  });

  it('requires a session', async () => {
    expect((await ctx.app.inject({ method: 'GET', url: ME })).statusCode).toBe(401);
    const before = await counts();
    const put = await ctx.app.inject({ method: 'PUT', url: ME, payload: memberBody(world) });
    expect(put.statusCode).toBe(401);
    expect(put.json().code).toBe('UNAUTHENTICATED');
    expect(await counts()).toEqual(before);
  });

  it('stores the phone encrypted, with a keyed hash and a mask, never in clear', async () => {
    const a = await registerMember(ctx, 'reg-crypto-a', world, { phone: '13900001111' });
    const b = await registerMember(ctx, 'reg-crypto-b', world, { phone: '13900001111' });
    const rowA = await memberRow(a.memberId);
    const rowB = await memberRow(b.memberId);
    expect(rowA.phone_cipher).not.toContain('13900001111');
    expect(rowA.phone_cipher).not.toMatch(/0001111/);
    expect(Buffer.from(rowA.phone_cipher, 'base64').toString('latin1')).not.toContain('13900001111');
    expect(rowA.phone_cipher).not.toBe(rowB.phone_cipher); // random IV
    expect(decryptPhone(ctx.config.phoneEncKey, rowA.phone_cipher)).toBe('13900001111');
    expect(rowA.phone_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rowA.phone_hash).toBe(hashPhone(ctx.config.phoneHashKey, '13900001111'));
    expect(rowA.phone_hash).toBe(rowB.phone_hash);
    expect(rowA.phone_masked).toBe('139****1111');
    const { rows } = await ctx.database.pool.query(
      "select count(*)::int as n from members m where row_to_json(m)::text like '%13900001111%'",
    );
    expect(rows[0].n).toBe(0);
  });

  it('collects nothing beyond the contract', async () => {
    const session = await ctx.signIn('reg-extra');
    const res = await ctx.app.inject({
      method: 'PUT',
      url: ME,
      headers: session.auth,
      payload: { ...memberBody(world), idCard: '320581199001011234', gender: 'm' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('320581199001011234');
    const { rows } = await ctx.database.pool.query(
      "select count(*)::int as n from members m where row_to_json(m)::text like '%320581199001011234%'",
    );
    expect(rows[0].n).toBe(0);
  });
});

describe('validation: each bad field is named and nothing is written', () => {
  const cases: Array<[string, () => Partial<MemberUpsertBody> | Record<string, unknown>, string]> = [
    ['phone with 10 digits', () => ({ phone: '1381234567' }), 'phone'],
    ['phone not a mobile number', () => ({ phone: '12812345678' }), 'phone'],
    ['phone with letters', () => ({ phone: '138abcd5678' }), 'phone'],
    ['unitOrgId naming a community', () => ({ unitOrgId: world.community.id }), 'unitOrgId'],
    ['unitOrgId unknown', () => ({ unitOrgId: '00000000-0000-4000-8000-000000000001' }), 'unitOrgId'],
    ['unitOrgId not a uuid', () => ({ unitOrgId: 'abc' }), 'unitOrgId'],
    ['communityOrgId naming a unit', () => ({ communityOrgId: world.unitOrg.id }), 'communityOrgId'],
    ['communityOrgId unknown', () => ({ communityOrgId: '00000000-0000-4000-8000-000000000002' }), 'communityOrgId'],
    ['estate of another community', () => ({ estateId: other.estate.id }), 'estateId'],
    ['estate unknown', () => ({ estateId: '00000000-0000-4000-8000-000000000003' }), 'estateId'],
    ['no intentions', () => ({ intentions: [] }), 'intentions'],
    ['unknown intention', () => ({ intentions: ['karaoke'] }), 'intentions'],
    ['duplicate intentions', () => ({ intentions: ['care', 'care'] }), 'intentions'],
    ['name too short once trimmed', () => ({ name: '  张 ' }), 'name'],
    ['name too long', () => ({ name: '张'.repeat(21) }), 'name'],
    ['workUnit too long', () => ({ workUnit: '单'.repeat(61) }), 'workUnit'],
    ['room blank', () => ({ room: '   ' }), 'room'],
    ['no consent version', () => ({ consentVersion: undefined }), 'consentVersion'],
  ];

  it.each(cases)('rejects %s', async (_label, patch, field) => {
    const session = await ctx.signIn('reg-invalid');
    const before = await counts();
    const res = await ctx.app.inject({ method: 'PUT', url: ME, headers: session.auth, payload: { ...memberBody(world), ...patch() } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details.map((d: { path: string }) => d.path.split('.')[0])).toContain(field);
    expect(await counts()).toEqual(before);
  });

  it('leaves an existing registration untouched when an update fails', async () => {
    const m = await registerMember(ctx, 'reg-update-fail', world);
    const rowBefore = await memberRow(m.memberId);
    const before = await counts();
    const res = await ctx.app.inject({
      method: 'PUT',
      url: ME,
      headers: m.auth,
      payload: memberBody(world, { name: '改了名字', estateId: other.estate.id }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().details).toEqual([expect.objectContaining({ path: 'estateId' })]);
    expect(await memberRow(m.memberId)).toEqual(rowBefore);
    expect(await counts()).toEqual(before);
  });
});

describe('updates', () => {
  it('updates in place, keeps history in the audit log with field names and a masked phone only', async () => {
    ctx.clock.set(new Date('2024-06-01T00:00:00.000Z'));
    const m = await registerMember(ctx, 'reg-update', world, { phone: '13711112222' });
    const newEstate = await makeEstate(ctx.database.db, other.community.id);

    ctx.clock.set(new Date('2024-06-02T00:00:00.000Z'));
    const same = await ctx.app.inject({
      method: 'PUT',
      url: ME,
      headers: m.auth,
      payload: memberBody(world, { phone: '13711112222', name: m.member.name }),
    });
    expect(same.statusCode).toBe(200);

    ctx.clock.set(new Date('2024-06-03T00:00:00.000Z'));
    const res = await ctx.app.inject({
      method: 'PUT',
      url: ME,
      headers: m.auth,
      payload: memberBody(world, {
        phone: '13533334444',
        communityOrgId: other.community.id,
        estateId: newEstate.id,
        intentions: ['medical'],
      }),
    });
    expect(res.statusCode).toBe(200);
    const member = res.json().member;
    expect(member.id).toBe(m.memberId);
    expect(member.phone).toBe('13533334444');
    expect(member.community.id).toBe(other.community.id);
    expect(member.estate).toEqual({ id: newEstate.id, name: newEstate.name });
    expect(member.registeredAt).toBe('2024-06-01T00:00:00.000Z');
    expect(member.consentedAt).toBe('2024-06-01T00:00:00.000Z');

    const { rows } = await ctx.database.pool.query(
      'select action, actor_user_id, data, at from audit_log where entity_id = $1 order by id',
      [m.memberId],
    );
    expect(rows.map((r) => r.action)).toEqual(['member.register', 'member.update']);
    expect(rows[0].data.phone).toBe('137****2222');
    expect(rows[1].data).toEqual({ fields: ['communityOrgId', 'estateId', 'phone', 'intentions'], phone: '135****4444' });
    expect(rows[1].actor_user_id).toBe(m.userId);
    expect(rows[1].at.toISOString()).toBe('2024-06-03T00:00:00.000Z');
    const everything = JSON.stringify(rows);
    expect(everything).not.toContain('13711112222');
    expect(everything).not.toContain('13533334444');

    const me = await ctx.app.inject({ method: 'GET', url: ME, headers: m.auth });
    expect(me.json().member.phone).toBe('13533334444');
  });

  it('records a new consent time when the consent version changes', async () => {
    ctx.clock.set(new Date('2024-07-01T00:00:00.000Z'));
    const m = await registerMember(ctx, 'reg-consent', world, { consentVersion: 'v1' });
    ctx.clock.set(new Date('2024-07-05T12:00:00.000Z'));
    const res = await ctx.app.inject({
      method: 'PUT',
      url: ME,
      headers: m.auth,
      payload: memberBody(world, { consentVersion: 'v2' }),
    });
    expect(res.json().member).toMatchObject({
      consentVersion: 'v2',
      consentedAt: '2024-07-05T12:00:00.000Z',
      registeredAt: '2024-07-01T00:00:00.000Z',
    });
  });

  it('makes one member of two concurrent registrations by the same user', async () => {
    const session = await ctx.signIn('reg-race');
    const before = await counts();
    const results = await Promise.all(
      [0, 1, 2].map(() => ctx.app.inject({ method: 'PUT', url: ME, headers: session.auth, payload: memberBody(world) })),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(new Set(results.map((r) => r.json().member.id)).size).toBe(1);
    expect((await counts()).members).toBe(before.members + 1);
  });
});

describe('privacy', () => {
  it('gives no way for a member to read another member', async () => {
    const a = await registerMember(ctx, 'priv-a', world);
    const b = await registerMember(ctx, 'priv-b', world, { phone: '13655556666' });
    for (const url of [`/api/v1/members/${b.memberId}`, `/api/v1/members?communityOrgId=${world.community.id}`]) {
      const res = await ctx.app.inject({ method: 'GET', url, headers: a.auth });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain('13655556666');
    }
    const me = await ctx.app.inject({ method: 'GET', url: ME, headers: a.auth });
    expect(me.json().member.id).toBe(a.memberId);

    const code = (await ctx.app.inject({ method: 'GET', url: `${ME}/pioneer-code`, headers: b.auth })).json().token;
    const verify = await ctx.app.inject({ method: 'POST', url: '/api/v1/pioneer-codes/verify', headers: a.auth, payload: { token: code } });
    expect(verify.statusCode).toBe(403);
    expect(verify.json().code).toBe('FORBIDDEN');
    expect(verify.body).not.toContain(b.member.name);
  });
});
