import { eq } from 'drizzle-orm';
import type { AssignmentPart, AssignmentStatus, Role, WhistleCategory, WhistleStatus } from '@pioneer/shared';
import type { DbOrTx } from '../db/client';
import { demands, whistleAssignments, whistleEvents, whistles } from '../db/schema';

const HOUR = 3600_000;

interface DemoWhistle {
  title: string;
  description: string;
  /** The whistles' own categories (contract v3). */
  category: WhistleCategory;
  location: string;
  /** Hours before now it was raised, and its due time relative to now. */
  raisedHoursAgo: number;
  dueInHours: number;
  status: WhistleStatus;
  satisfaction?: number;
  units: Array<{ unit: string; part: AssignmentPart; status: AssignmentStatus; answer?: string; reason?: string }>;
}

/** A few whistles in every state; the first is the article's 世茂商圈 parking case. */
const DEMO_WHISTLES: DemoWhistle[] = [
  {
    title: '世茂商圈周边交通拥堵、停车难',
    description:
      '周末及节假日世茂商圈周边道路违停严重，车辆排队进场堵塞主干道，周边小区居民出行受阻。需住建、城管、公安联动，规划临时停车、加强疏导。',
    category: 'traffic',
    location: '世茂商圈及周边道路',
    raisedHoursAgo: 20,
    dueInHours: 5 * 24,
    status: 'open',
    units: [
      { unit: '市住建局', part: 'lead', status: 'signed' },
      { unit: '市城管局', part: 'assist', status: 'pending' },
      { unit: '市公安局', part: 'inform', status: 'pending' },
    ],
  },
  {
    title: '老旧小区加装电梯协调',
    description: '书院新村 12 幢居民申请加装电梯，低层住户有异议，需专业部门解读政策、现场协调。',
    category: 'property',
    location: '书院新村 12 幢',
    raisedHoursAgo: 6 * 24,
    dueInHours: 4 * 24,
    status: 'answered',
    units: [{ unit: '市住建局', part: 'lead', status: 'answered', answer: '已组织政策宣讲并上门协调低层住户，方案公示中。' }],
  },
  {
    title: '背街小巷占道经营整治',
    description: '县南街背街小巷早市占道经营，影响通行和环境卫生。',
    category: 'cityscape',
    location: '县南街背街小巷',
    raisedHoursAgo: 9 * 24,
    dueInHours: 24,
    status: 'verified',
    units: [{ unit: '市城管局', part: 'lead', status: 'answered', answer: '已划定临时疏导点，派驻红色代办员每日巡查。' }],
  },
  {
    title: '学校周边上下学交通秩序',
    description: '放学时段校门口家长车辆乱停，存在安全隐患。',
    category: 'traffic',
    location: '书院街小学门口',
    raisedHoursAgo: 12 * 24,
    dueInHours: -3 * 24,
    status: 'closed',
    units: [
      { unit: '市公安局', part: 'lead', status: 'answered', answer: '交警中队每日放学时段定点执勤，设置临时接送区。' },
      { unit: '市教育局', part: 'assist', status: 'answered', answer: '学校已错峰放学。' },
    ],
  },
  {
    title: '清和苑雨后积水整治',
    description: '清和苑 3 号楼前道路每逢大雨积水严重，居民出行困难。',
    category: 'facilities',
    location: '清和苑 3 号楼前',
    raisedHoursAgo: 20 * 24,
    dueInHours: -10 * 24,
    status: 'rated',
    satisfaction: 5,
    units: [{ unit: '市住建局', part: 'lead', status: 'answered', answer: '已疏通雨水管网并改造排水口，雨后已无积水。' }],
  },
  {
    title: '夜市油烟扰民',
    description: '琴川夜市油烟直排，影响周边居民夜间休息。',
    category: 'cityscape',
    location: '清和坊夜市',
    raisedHoursAgo: 5 * 24,
    dueInHours: -2 * 24,
    status: 'open',
    units: [{ unit: '市城管局', part: 'lead', status: 'pending' }],
  },
  {
    title: '菜市场周边流动摊贩',
    description: '菜市场外流动摊贩聚集，早高峰道路通行困难。',
    category: 'cityscape',
    location: '清和坊菜市场',
    raisedHoursAgo: 30,
    dueInHours: 3 * 24,
    status: 'open',
    units: [
      { unit: '市住建局', part: 'lead', status: 'returned', reason: '流动摊贩管理属城管职责，建议改派市城管局牵头。' },
      { unit: '市城管局', part: 'assist', status: 'signed' },
    ],
  },
];

/** Loads the demo whistles of 清和坊社区 and two residents' demands (called once, inside the demo seed). */
export async function seedDemoWhistles(
  tx: DbOrTx,
  opts: {
    now: Date;
    community: { id: string; name: string; districtId: string };
    secretaryId: string;
    unitId: (name: string) => string;
    residentId: string;
  },
): Promise<void> {
  const { now, community } = opts;
  const t = (hoursAgo: number) => new Date(now.getTime() - hoursAgo * HOUR);
  for (const d of DEMO_WHISTLES) {
    const raised = t(d.raisedHoursAgo);
    // Each step a few hours after the last, never in the future.
    let clock = raised.getTime();
    const next = () => {
      clock = Math.min(clock + Math.max(HOUR, (d.raisedHoursAgo * HOUR) / 8), now.getTime() - 60_000);
      return new Date(clock);
    };
    const [row] = await tx
      .insert(whistles)
      .values({
        title: d.title,
        description: d.description,
        category: d.category,
        location: d.location,
        dueAt: new Date(now.getTime() + d.dueInHours * HOUR),
        status: d.status,
        raisedByOrgId: community.id,
        raisedByDistrictId: community.districtId,
        createdBy: opts.secretaryId,
        createdAt: raised,
      })
      .returning({ id: whistles.id });
    const events: Array<typeof whistleEvents.$inferInsert> = [];
    const secretary = {
      actorUserId: opts.secretaryId,
      actorRole: 'secretary' as Role,
      actorOrgId: community.id,
      actorOrgName: community.name,
    };
    events.push({
      whistleId: row.id,
      at: raised,
      action: 'raise',
      ...secretary,
      data: { addressedTo: d.units.map((u) => ({ orgId: opts.unitId(u.unit), part: u.part })) },
    });
    let answeredAt: Date | null = null;
    for (const u of d.units) {
      const orgId = opts.unitId(u.unit);
      const unitActor = { actorUserId: null, actorRole: 'unit_liaison' as Role, actorOrgId: orgId, actorOrgName: u.unit, orgId };
      const signedAt = u.status === 'signed' || u.status === 'answered' ? next() : null;
      if (signedAt) events.push({ whistleId: row.id, at: signedAt, action: 'sign', ...unitActor, data: {} });
      const uAnswered = u.status === 'answered' ? next() : null;
      if (uAnswered) {
        events.push({ whistleId: row.id, at: uAnswered, action: 'answer', ...unitActor, data: { text: u.answer, taskIds: [] } });
        if (u.part === 'lead') answeredAt = uAnswered;
      }
      const returnedAt = u.status === 'returned' ? next() : null;
      if (returnedAt) events.push({ whistleId: row.id, at: returnedAt, action: 'return', ...unitActor, data: { reason: u.reason } });
      await tx.insert(whistleAssignments).values({
        whistleId: row.id,
        orgId,
        part: u.part,
        status: u.status,
        dueAt: new Date(now.getTime() + d.dueInHours * HOUR),
        assignedAt: raised,
        signedAt,
        answeredAt: uAnswered,
        answerText: u.answer ?? null,
        returnedAt,
        returnReason: u.reason ?? null,
      });
    }
    const reached = (s: WhistleStatus) => ['verified', 'closed', 'rated'].indexOf(d.status) >= ['verified', 'closed', 'rated'].indexOf(s);
    const verifiedAt = reached('verified') ? next() : null;
    const closedAt = reached('closed') ? next() : null;
    const ratedAt = reached('rated') ? next() : null;
    if (verifiedAt) events.push({ whistleId: row.id, at: verifiedAt, action: 'verify', ...secretary, data: {} });
    if (closedAt) events.push({ whistleId: row.id, at: closedAt, action: 'close', ...secretary, data: {} });
    if (ratedAt) events.push({ whistleId: row.id, at: ratedAt, action: 'rate', ...secretary, data: { satisfaction: d.satisfaction } });
    await tx
      .update(whistles)
      .set({ answeredAt, verifiedAt, closedAt, ratedAt, satisfaction: d.satisfaction ?? null })
      .where(eq(whistles.id, row.id));
    await tx.insert(whistleEvents).values(events.sort((a, b) => (a.at as Date).getTime() - (b.at as Date).getTime()));
  }

  await tx.insert(demands).values([
    {
      communityOrgId: community.id,
      userId: opts.residentId,
      text: '清和苑南门晚上路灯不亮，老人出行不方便。',
      category: 'convenience',
      address: '清和苑南门',
      contactName: '李阿姨',
      contactConsentedAt: t(30),
      createdAt: t(30),
    },
    {
      communityOrgId: community.id,
      userId: opts.residentId,
      text: '希望周末有党员志愿者陪独居老人聊聊天。',
      category: 'care',
      address: '书院新村 8 幢',
      createdAt: t(3 * 24),
    },
  ]);
}
