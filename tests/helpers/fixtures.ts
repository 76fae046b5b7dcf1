import type { Db } from '../../server/src/db/client';
import { districts, estates, partyOrgs } from '../../server/src/db/schema';
import type { TestContext } from './test-app';

let seq = 0;
const uniq = (prefix: string) => `${prefix}${++seq}-${Math.random().toString(36).slice(2, 7)}`;

export async function makeDistrict(db: Db, name = uniq('板块')) {
  const [row] = await db.insert(districts).values({ name }).returning();
  return row;
}

export async function makeCommunity(db: Db, districtId: string, name = uniq('社区'), registerCode = uniq('rc')) {
  const [row] = await db.insert(partyOrgs).values({ kind: 'community', name, districtId, registerCode }).returning();
  return row;
}

export async function makeUnitOrg(db: Db, districtId: string, name = uniq('单位')) {
  const [row] = await db.insert(partyOrgs).values({ kind: 'unit', name, districtId }).returning();
  return row;
}

export async function makeEstate(db: Db, communityOrgId: string, name = uniq('小区')) {
  const [row] = await db.insert(estates).values({ communityOrgId, name }).returning();
  return row;
}

/** One district with a community (and its estate) and a unit org: the smallest world most tests need. */
export async function makeWorld(db: Db) {
  const district = await makeDistrict(db);
  const community = await makeCommunity(db, district.id);
  const estate = await makeEstate(db, community.id);
  const unitOrg = await makeUnitOrg(db, district.id);
  return { district, community, estate, unitOrg };
}

/** Signs in one user per staff level (and a plain user) under `prefix`, each granted its scope. */
export async function makeStaff(ctx: TestContext, prefix: string, scope: { districtId: string; communityId: string }) {
  const a = await ctx.signIn(`${prefix}_admin`);
  await ctx.grant(a.userId, 'city_admin', null);
  const d = await ctx.signIn(`${prefix}_district_a`);
  await ctx.grant(d.userId, 'district_admin', scope.districtId);
  const s = await ctx.signIn(`${prefix}_secretary_a`);
  await ctx.grant(s.userId, 'secretary', scope.communityId);
  const m = await ctx.signIn(`${prefix}_member`);
  return { admin: a.auth, districtAdmin: d.auth, secretary: s.auth, member: m.auth };
}

type Org = Awaited<ReturnType<typeof makeUnitOrg>>;

/**
 * The world the scope tests of 组织报到, 吹哨 and 共商共办 share: two 板块, communities c1 and c2 in
 * d1 and c3 in d2, and the unit orgs named in `units` in the 板块 given for each.
 */
export async function makeOrgWorld<U extends string>(db: Db, units: Record<U, 'd1' | 'd2'>) {
  const d1 = await makeDistrict(db);
  const d2 = await makeDistrict(db);
  const world = {
    d1,
    d2,
    c1: await makeCommunity(db, d1.id),
    c2: await makeCommunity(db, d1.id),
    c3: await makeCommunity(db, d2.id),
  };
  const orgs = {} as Record<U, Org>;
  for (const [key, d] of Object.entries(units) as Array<[U, 'd1' | 'd2']>) orgs[key] = await makeUnitOrg(db, world[d].id);
  return { ...world, ...orgs };
}
