import { sql } from 'drizzle-orm';
import type { Category } from '@pioneer/shared';
import type { Config } from '../config';
import { systemClock, type Clock } from '../lib/clock';
import { encryptPhone, hashPhone, maskPhone } from '../lib/phone-crypto';
import type { Db, DbOrTx } from '../db/client';
import { transaction } from '../db/transaction';
import { districts, estates, members, partyOrgs, roleGrants, tasks, users } from '../db/schema';
import { seedDemoMeetings } from '../modules/meetings/meetings-seed';
import { seedDemoUnits } from './seed-units';
import { seedDemoWhistles } from './seed-whistles';

/** Distinct from the migrator's lock (7262001): seeding runs after migrating, possibly in several processes. */
const SEED_LOCK = 7262002;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Changshu is UTC+8 all year: demo tasks start at local clock times. */
const CHINA_OFFSET = 8 * HOUR;

/** 常熟的 16 个板块 and a few communities in each (the first is where the demo users live). */
const DISTRICTS: Array<{ name: string; communities: string[] }> = [
  { name: '虞山街道', communities: ['清和坊社区', '书院社区', '言子社区', '西泾岸社区'] },
  { name: '常福街道', communities: ['常福社区', '星港社区', '湖苑社区'] },
  { name: '琴川街道', communities: ['琴湖社区', '枫泾社区', '新颜社区'] },
  { name: '莫城街道', communities: ['莫城社区', '谢桥社区', '湖滨社区'] },
  { name: '碧溪街道', communities: ['碧溪社区', '浒浦社区', '问村社区'] },
  { name: '东南街道', communities: ['东南社区', '青墩塘社区', '新东社区'] },
  { name: '梅李镇', communities: ['梅李社区', '赵市社区', '珍门社区'] },
  { name: '海虞镇', communities: ['海虞社区', '福山社区', '王市社区'] },
  { name: '古里镇', communities: ['古里社区', '淼泉社区', '白茆社区'] },
  { name: '沙家浜镇', communities: ['沙家浜社区', '唐市社区', '芦荡社区'] },
  { name: '支塘镇', communities: ['支塘社区', '何市社区', '任阳社区'] },
  { name: '董浜镇', communities: ['董浜社区', '徐市社区'] },
  { name: '辛庄镇', communities: ['辛庄社区', '张桥社区'] },
  { name: '尚湖镇', communities: ['冶塘社区', '练塘社区', '王庄社区'] },
  { name: '常熟经济技术开发区', communities: ['滨江社区', '新港社区'] },
  { name: '常熟高新技术产业开发区', communities: ['高新社区', '江南社区'] },
];

/** Fixed so docs, tests and printed demo QR codes can use `/r/qinghefang`. */
const FIXED_REGISTER_CODES: Record<string, string> = { 清和坊社区: 'qinghefang' };

const FIXED_ESTATES: Record<string, string[]> = {
  清和坊社区: ['清和苑', '书院新村', '虞景文华'],
  书院社区: ['书院花园', '学前新村'],
  琴湖社区: ['琴湖花园', '枫林苑', '琴川新村'],
};

const UNIT_ORGS: Array<{ name: string; district: string }> = [
  { name: '市住建局', district: '虞山街道' },
  { name: '市城管局', district: '虞山街道' },
  { name: '市公安局', district: '虞山街道' },
  { name: '市教育局', district: '虞山街道' },
  { name: '市卫健委', district: '虞山街道' },
  { name: '市民政局', district: '虞山街道' },
  { name: '常熟农商银行', district: '琴川街道' },
  { name: '常熟市第一人民医院', district: '虞山街道' },
  { name: '国网常熟市供电公司', district: '琴川街道' },
  { name: '常熟理工学院', district: '东南街道' },
  { name: '常熟经济技术开发区管委会', district: '常熟经济技术开发区' },
];

const DEMO_MEMBERS: Array<{
  openid: string;
  name: string;
  phone: string;
  unitOrg: string;
  workUnit: string;
  community: string;
  estate: string;
  building: string;
  room: string;
  intentions: Category[];
}> = [
  {
    openid: 'dev_member1',
    name: '张伟',
    phone: '13800138001',
    unitOrg: '市住建局',
    workUnit: '市住建局城建科',
    community: '清和坊社区',
    estate: '清和苑',
    building: '3',
    room: '502',
    intentions: ['convenience', 'order'],
  },
  {
    openid: 'dev_member2',
    name: '李娜',
    phone: '13800138002',
    unitOrg: '市卫健委',
    workUnit: '市卫健委医政科',
    community: '清和坊社区',
    estate: '书院新村',
    building: '12',
    room: '201',
    intentions: ['medical', 'care'],
  },
  {
    openid: 'dev_member3',
    name: '王强',
    phone: '13800138003',
    unitOrg: '常熟农商银行',
    workUnit: '常熟农商银行虞山支行',
    community: '清和坊社区',
    estate: '虞景文华',
    building: '7',
    room: '1101',
    intentions: ['environment', 'waste_sorting', 'gardening'],
  },
  {
    openid: 'dev_member4',
    name: '刘洋',
    phone: '13800138004',
    unitOrg: '市教育局',
    workUnit: '市教育局基础教育科',
    community: '书院社区',
    estate: '书院花园',
    building: '5',
    room: '302',
    intentions: ['lei_feng_tutor', 'care'],
  },
  {
    openid: 'dev_member5',
    name: '陈静',
    phone: '13800138005',
    unitOrg: '市城管局',
    workUnit: '市城管局市容科',
    community: '琴湖社区',
    estate: '琴湖花园',
    building: '2',
    room: '601',
    intentions: ['environment', 'order'],
  },
];

/** Demo tasks of 清和坊社区: day offsets and local (UTC+8) clock times from the seeding day. */
const DEMO_TASKS: Array<{
  title: string;
  category: Category;
  description: string;
  location: string;
  day: number;
  start: string;
  end: string;
  capacity: number;
}> = [
  {
    title: '垃圾分类桶边督导',
    category: 'waste_sorting',
    description: '早高峰在投放点指导居民分类投放，做好记录。',
    location: '清和苑 3 号投放点',
    day: 1,
    start: '07:00',
    end: '09:00',
    capacity: 6,
  },
  {
    title: '文明交通劝导',
    category: 'order',
    description: '放学时段在路口劝导行人和非机动车遵守信号灯。',
    location: '书院街与县南街路口',
    day: 1,
    start: '16:00',
    end: '17:30',
    capacity: 8,
  },
  {
    title: '独居老人上门探访',
    category: 'care',
    description: '两人一组走访独居老人，了解生活需求并登记。',
    location: '清和坊社区党群服务中心集合',
    day: 2,
    start: '09:00',
    end: '11:00',
    capacity: 5,
  },
  {
    title: '小区绿化补种',
    category: 'gardening',
    description: '补种行道树下的灌木和草花，工具由社区提供。',
    location: '虞景文华中心花园',
    day: 3,
    start: '08:30',
    end: '11:30',
    capacity: 12,
  },
  {
    title: '便民义诊：量血压测血糖',
    category: 'medical',
    description: '协助社区卫生服务站开展义诊，有医护背景优先。',
    location: '清和坊社区党群服务中心',
    day: 4,
    start: '09:00',
    end: '11:30',
    capacity: 10,
  },
  {
    title: '周末学雷锋课业辅导',
    category: 'lei_feng_tutor',
    description: '为社区小学生辅导作业、讲党史小故事。',
    location: '社区青少年活动室',
    day: 5,
    start: '14:00',
    end: '16:00',
    capacity: 15,
  },
  {
    title: '便民服务集市',
    category: 'convenience',
    description: '磨剪刀、修小家电、理发等便民服务。',
    location: '清和苑南门广场',
    day: 6,
    start: '08:30',
    end: '11:00',
    capacity: 20,
  },
];

/** Midnight (UTC+8) of the day `now` falls in, plus whole days and an `HH:MM` local time. */
function localTime(now: Date, day: number, hhmm: string): Date {
  const midnight = Math.floor((now.getTime() + CHINA_OFFSET) / DAY) * DAY - CHINA_OFFSET;
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(midnight + day * DAY + h * HOUR + m * MINUTE);
}

/** Generated estates for communities without fixed ones: 2–3 plausible names from the community's own. */
function estatesOf(community: string, index: number): string[] {
  if (FIXED_ESTATES[community]) return FIXED_ESTATES[community];
  const stem = community.replace(/社区$/, '');
  const names = [`${stem}新村`, `${stem}花园`, `${stem}家园`];
  return index % 2 === 0 ? names : names.slice(0, 2);
}

/** A readable, stable code for other demo communities; random codes come only from the API. */
const demoRegisterCode = (districtIndex: number, communityIndex: number) => `demo${districtIndex + 1}x${communityIndex + 1}`;

async function upsertUser(tx: DbOrTx, openid: string): Promise<string> {
  const [row] = await tx
    .insert(users)
    .values({ openid })
    .onConflictDoUpdate({ target: users.openid, set: { openid } })
    .returning({ id: users.id });
  return row.id;
}

/**
 * Loads Changshu's demo directory, users, members and tasks into an empty database.
 * Returns whether it seeded: it does nothing once any district exists, and concurrent
 * starts serialise on an advisory lock, so running it on every start is safe.
 */
export async function seedDemo(db: Db, config: Config, clock: Clock = systemClock): Promise<boolean> {
  return transaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK})`);
    const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(districts);
    if (n > 0) return false;
    const now = clock.now();

    const districtRows = await tx
      .insert(districts)
      .values(DISTRICTS.map((d, i) => ({ name: d.name, sortOrder: i + 1 })))
      .returning({ id: districts.id, name: districts.name });
    const districtId = new Map(districtRows.map((d) => [d.name, d.id]));

    const communityRows = await tx
      .insert(partyOrgs)
      .values(
        DISTRICTS.flatMap((d, di) =>
          d.communities.map((name, ci) => ({
            kind: 'community' as const,
            name,
            districtId: districtId.get(d.name)!,
            registerCode: FIXED_REGISTER_CODES[name] ?? demoRegisterCode(di, ci),
          })),
        ),
      )
      .returning({ id: partyOrgs.id, name: partyOrgs.name });
    const communityId = new Map(communityRows.map((c) => [c.name, c.id]));

    const unitRows = await tx
      .insert(partyOrgs)
      .values(UNIT_ORGS.map((u) => ({ kind: 'unit' as const, name: u.name, districtId: districtId.get(u.district)! })))
      .returning({ id: partyOrgs.id, name: partyOrgs.name });
    const unitId = new Map(unitRows.map((u) => [u.name, u.id]));

    const estateRows = await tx
      .insert(estates)
      .values(communityRows.flatMap((c, i) => estatesOf(c.name, i).map((name) => ({ communityOrgId: c.id, name }))))
      .returning({ id: estates.id, name: estates.name, communityOrgId: estates.communityOrgId });
    const estateId = (community: string, name: string) =>
      estateRows.find((e) => e.name === name && e.communityOrgId === communityId.get(community))!.id;

    const qinghefang = communityId.get('清和坊社区')!;
    const adminId = await upsertUser(tx, 'dev_admin');
    const secretaryId = await upsertUser(tx, 'dev_secretary');
    const districtAdminId = await upsertUser(tx, 'dev_district');
    const unitAdminId = await upsertUser(tx, 'dev_unit');
    const liaisonId = await upsertUser(tx, 'dev_liaison');
    const residentId = await upsertUser(tx, 'dev_resident');
    await tx
      .insert(roleGrants)
      .values([
        { userId: adminId, role: 'city_admin', orgId: null },
        { userId: secretaryId, role: 'secretary', orgId: qinghefang },
        { userId: districtAdminId, role: 'district_admin', orgId: districtId.get('虞山街道')! },
        { userId: unitAdminId, role: 'unit_admin', orgId: unitId.get('市住建局')! },
        { userId: liaisonId, role: 'unit_liaison', orgId: unitId.get('市住建局')! },
      ])
      .onConflictDoNothing();

    for (const m of DEMO_MEMBERS) {
      const userId = await upsertUser(tx, m.openid);
      await tx
        .insert(members)
        .values({
          userId,
          name: m.name,
          phoneCipher: encryptPhone(config.phoneEncKey, m.phone),
          phoneHash: hashPhone(config.phoneHashKey, m.phone),
          phoneMasked: maskPhone(m.phone),
          unitOrgId: unitId.get(m.unitOrg)!,
          workUnit: m.workUnit,
          communityOrgId: communityId.get(m.community)!,
          estateId: estateId(m.community, m.estate),
          building: m.building,
          unitNo: '1',
          room: m.room,
          intentions: m.intentions,
          consentVersion: '2026-01',
          consentedAt: now,
          registeredAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
    }

    await tx.insert(tasks).values(
      DEMO_TASKS.map((t) => ({
        communityOrgId: qinghefang,
        title: t.title,
        category: t.category,
        description: t.description,
        location: t.location,
        startsAt: localTime(now, t.day, t.start),
        endsAt: localTime(now, t.day, t.end),
        capacity: t.capacity,
        claimOpensAt: now,
        createdBy: secretaryId,
        createdAt: now,
      })),
    );
    await seedDemoWhistles(tx, {
      now,
      community: { id: qinghefang, name: '清和坊社区', districtId: districtId.get('虞山街道')! },
      secretaryId,
      unitId: (name) => unitId.get(name)!,
      residentId,
    });
    await seedDemoUnits(tx, {
      now,
      phoneEncKey: config.phoneEncKey,
      community: { id: qinghefang },
      neighbour: { id: communityId.get('书院社区')! },
      unitId: (name) => unitId.get(name)!,
      users: { admin: adminId, secretary: secretaryId, districtAdmin: districtAdminId, unitAdmin: unitAdminId },
      districtId: districtId.get('虞山街道')!,
    });
    await seedDemoMeetings(db, tx, {
      now,
      districtId: districtId.get('虞山街道')!,
      community: { id: qinghefang },
      secretaryId,
      unitId: (name) => unitId.get(name)!,
      attendees: [
        { userId: liaisonId, orgId: unitId.get('市住建局')!, role: 'unit_liaison' },
        { userId: unitAdminId, orgId: unitId.get('市住建局')!, role: 'unit_admin' },
      ],
    });
    return true;
  });
}
