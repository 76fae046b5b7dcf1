import type { Member, MemberUpsertBody } from '@pioneer/shared';
import type { TestContext } from './test-app';

/** The parts of `makeWorld()` a registration needs. */
export interface RegistrationWorld {
  community: { id: string };
  estate: { id: string };
  unitOrg: { id: string };
}

let phoneSeq = 0;

/** A valid registration body for the world; each call gets a distinct phone number. */
export function memberBody(world: RegistrationWorld, overrides: Partial<MemberUpsertBody> = {}): MemberUpsertBody {
  phoneSeq += 1;
  return {
    name: '张先锋',
    phone: `139${String(10000000 + phoneSeq).slice(-8)}`,
    unitOrgId: world.unitOrg.id,
    workUnit: '市行政审批局',
    communityOrgId: world.community.id,
    estateId: world.estate.id,
    building: '3',
    unitNo: '2',
    room: '301',
    intentions: ['convenience', 'care'],
    consentVersion: '2024-01',
    ...overrides,
  };
}

/** Signs in as `name` and registers (一键报到) through the real `PUT /members/me`. */
export async function registerMember(
  ctx: TestContext,
  name: string,
  world: RegistrationWorld,
  overrides: Partial<MemberUpsertBody> = {},
): Promise<{ token: string; auth: { authorization: string }; userId: string; memberId: string; member: Member }> {
  const session = await ctx.signIn(name);
  const res = await ctx.app.inject({
    method: 'PUT',
    url: '/api/v1/members/me',
    headers: session.auth,
    payload: memberBody(world, overrides),
  });
  if (res.statusCode !== 200) throw new Error(`registration failed: ${res.statusCode} ${res.body}`);
  const member = res.json().member as Member;
  return { ...session, memberId: member.id, member };
}
