import { and, eq } from 'drizzle-orm';
import type { Category, Role } from '@pioneer/shared';
import type { Tx } from '../db/transaction';
import { demands, partyOrgs } from '../db/schema';
import { ManualClock } from '../lib/clock';
import type { Principal } from '../lib/principal';
import { tasksSeedService } from '../modules/tasks/tasks-seed';
import { chinaDay } from '../modules/units/unit-transitions';
import { unitsSeedServices } from '../modules/units/units-seed';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Changshu is UTC+8 all year. */
const CHINA_OFFSET = 8 * HOUR;

interface UnitsSeedContext {
  now: Date;
  phoneEncKey: Buffer;
  community: { id: string };
  /** A second community of the district (书院社区): 市住建局 is reported there too, so it has one to end. */
  neighbour: { id: string };
  unitId: (name: string) => string;
  users: { admin: string; secretary: string; districtAdmin: string; unitAdmin: string };
  districtId: string;
}

/** 共建协议 of 清和坊社区 in every state (and one of 市住建局 with 书院社区), oldest first. */
const AGREEMENTS: Array<{
  unit: string;
  community: 'qinghefang' | 'neighbour';
  proposedDaysAgo: number;
  /** Days ago the community side decided (accept or reject); absent: still 待确认. */
  decidedDaysAgo?: number;
  rejected?: string;
  /** Days ago either side ended it, who, and why. */
  ended?: { daysAgo: number; by: 'unit' | 'community'; reason: string };
  /** The agreement's last day, days from now (past: it reads 已到期). */
  endsInDays: number;
  commitments: string;
  contact: [string, string];
}> = [
  {
    unit: '市公安局',
    community: 'qinghefang',
    proposedDaysAgo: 400,
    decidedDaysAgo: 398,
    endsInDays: -10,
    commitments: '社区民警每周驻点半天，开展防诈骗、防盗窃宣传。',
    contact: ['周警官', '13900139011'],
  },
  {
    unit: '市教育局',
    community: 'qinghefang',
    proposedDaysAgo: 200,
    decidedDaysAgo: 198,
    ended: { daysAgo: 20, by: 'unit', reason: '局机关党员报到工作调整至书院社区统一开展' },
    endsInDays: 165,
    commitments: '每周末组织党员教师到社区开展课业辅导。',
    contact: ['孙老师', '13900139012'],
  },
  {
    unit: '市住建局',
    community: 'qinghefang',
    proposedDaysAgo: 120,
    decidedDaysAgo: 119,
    endsInDays: 245,
    commitments: '每月组织党员进社区服务两次，承接老旧小区设施类需求，提供房屋安全技术指导。',
    contact: ['王建国', '13900139013'],
  },
  {
    unit: '市卫健委',
    community: 'qinghefang',
    proposedDaysAgo: 100,
    decidedDaysAgo: 99,
    endsInDays: 265,
    commitments: '医政科党员每月到社区开展一次健康义诊，结对独居老人健康随访。',
    contact: ['钱医生', '13900139014'],
  },
  {
    unit: '市住建局',
    community: 'neighbour',
    proposedDaysAgo: 90,
    decidedDaysAgo: 89,
    endsInDays: 275,
    commitments: '配合书院社区开展加装电梯政策咨询。',
    contact: ['王建国', '13900139013'],
  },
  {
    unit: '常熟农商银行',
    community: 'qinghefang',
    proposedDaysAgo: 60,
    decidedDaysAgo: 58,
    endsInDays: 305,
    commitments: '虞山支行党员每季度开展反诈和金融知识宣传，开放支行党员活动室。',
    contact: ['吴行长', '13900139015'],
  },
  {
    unit: '市城管局',
    community: 'qinghefang',
    proposedDaysAgo: 30,
    decidedDaysAgo: 29,
    rejected: '承诺事项与本社区今年的共建重点（养老、楼道整治）不符，请调整承诺后重新提交。',
    endsInDays: 335,
    commitments: '协助开展市容巡查。',
    contact: ['郑科长', '13900139016'],
  },
  {
    unit: '市民政局',
    community: 'qinghefang',
    proposedDaysAgo: 2,
    endsInDays: 363,
    commitments: '统筹居家养老服务资源，每月组织党员上门探访困难老人。',
    contact: ['冯主任', '13900139017'],
  },
];

/** 资源清单 of the reported units. */
const RESOURCES: Array<{ unit: string; title: string; category: Category; description: string; capacity?: number }> = [
  {
    unit: '市住建局',
    title: '党员电工志愿队',
    category: 'convenience',
    description: '持证电工党员，可承担楼道照明、线路检修。',
    capacity: 12,
  },
  { unit: '市住建局', title: '房屋安全技术指导', category: 'order', description: '房屋安全鉴定、加装电梯政策解读。', capacity: 4 },
  { unit: '市卫健委', title: '家庭医生服务团队', category: 'medical', description: '全科医生和护士，可上门随访、开展义诊。', capacity: 8 },
  { unit: '常熟农商银行', title: '反诈宣传讲师团', category: 'order', description: '金融反诈宣讲，配宣传折页和案例视频。', capacity: 4 },
  { unit: '常熟农商银行', title: '虞山支行党员活动室', category: 'convenience', description: '可容纳 40 人，周末可借用。', capacity: 40 },
];

type Ending = 'claimed' | 'in_progress' | 'delivered' | 'accepted' | 'closed' | 'returned';

/** 需求清单 of 清和坊社区, and what became of each: a project in every state, some still open. */
const NEEDS: Array<{
  title: string;
  category: Category;
  description: string;
  peopleNeeded?: number;
  publishedDaysAgo: number;
  /** From the resident's 居民点单 that asked for it. */
  fromDemand?: string;
  project?: {
    unit: string;
    resource?: string;
    plan: string;
    claimedDaysAgo: number;
    ending: Ending;
    /** Its first post: days from now it starts (past for a project done); directed to the unit's members or not. */
    post?: { title: string; startsInDays: number; at: string; hours: number; capacity: number; location: string; directed: boolean };
    deliveredDaysAgo?: number;
    summary?: string;
    acceptedDaysAgo?: number;
    rating?: number;
    note?: string;
    closedDaysAgo?: number;
    returned?: { daysAgo: number; reason: string };
  };
}> = [
  {
    title: '楼道照明线路检修',
    category: 'convenience',
    description: '清和苑 1–6 幢楼道灯老化，多处不亮，需检修线路、更换灯具。',
    peopleNeeded: 6,
    publishedDaysAgo: 50,
    project: {
      unit: '市住建局',
      resource: '党员电工志愿队',
      plan: '电工党员 6 人分两个周末完成 6 幢楼道的线路检修和灯具更换。',
      claimedDaysAgo: 48,
      ending: 'closed',
      post: {
        title: '楼道灯具更换（定向）',
        startsInDays: -45,
        at: '09:00',
        hours: 3,
        capacity: 6,
        location: '清和苑 1 幢',
        directed: true,
      },
      deliveredDaysAgo: 40,
      summary: '更换灯具 56 盏，整改线路隐患 9 处。',
      acceptedDaysAgo: 38,
      rating: 5,
      note: '楼道全部亮灯，居民点赞。',
      closedDaysAgo: 35,
    },
  },
  {
    title: '独居老人健康随访',
    category: 'medical',
    description: '社区 32 位独居老人需定期测血压、血糖，建立健康档案。',
    peopleNeeded: 8,
    publishedDaysAgo: 45,
    project: {
      unit: '市卫健委',
      resource: '家庭医生服务团队',
      plan: '家庭医生团队每两周上门一次，建立一人一档。',
      claimedDaysAgo: 44,
      ending: 'accepted',
      post: {
        title: '独居老人健康随访',
        startsInDays: -41,
        at: '14:00',
        hours: 2,
        capacity: 8,
        location: '清和坊社区党群服务中心集合',
        directed: false,
      },
      deliveredDaysAgo: 12,
      summary: '完成 32 位老人首轮随访，建档 32 份，发现 5 人需复诊并已转介。',
      acceptedDaysAgo: 6,
      rating: 4,
      note: '随访扎实，希望固定每月的随访日。',
    },
  },
  {
    title: '青少年暑期托管',
    category: 'lei_feng_tutor',
    description: '双职工家庭孩子暑期无人照看，需志愿者开展托管和课业辅导。',
    peopleNeeded: 10,
    publishedDaysAgo: 30,
    project: {
      unit: '市卫健委',
      plan: '组织青年党员周末轮值托管。',
      claimedDaysAgo: 28,
      ending: 'returned',
      returned: { daysAgo: 20, reason: '暑期医疗保障任务重，无法保证托管人手，退回由其他单位认领。' },
    },
  },
  {
    title: '加装电梯政策宣讲',
    category: 'order',
    description: '书院新村多幢居民申请加装电梯，需讲解政策、协调低层住户意见。',
    publishedDaysAgo: 25,
    project: {
      unit: '市住建局',
      resource: '房屋安全技术指导',
      plan: '政策宣讲会一场，逐幢上门协调，出具技术可行性意见。',
      claimedDaysAgo: 24,
      ending: 'delivered',
      post: {
        title: '加装电梯入户宣讲',
        startsInDays: -21,
        at: '19:00',
        hours: 2,
        capacity: 5,
        location: '书院新村 12 幢',
        directed: true,
      },
      deliveredDaysAgo: 3,
      summary: '宣讲会 1 场 86 人参加，上门协调 14 户，3 幢已达成一致。',
    },
  },
  {
    title: '楼道堆物清理与消防检查',
    category: 'environment',
    description: '虞景文华多幢楼道堆放杂物，堵塞消防通道，需清理并检查消防设施。',
    peopleNeeded: 6,
    publishedDaysAgo: 12,
    project: {
      unit: '市住建局',
      plan: '党员 6 人配合物业清理堆物，逐幢检查灭火器和应急照明。',
      claimedDaysAgo: 10,
      ending: 'in_progress',
      post: { title: '楼道堆物清理志愿岗', startsInDays: 2, at: '14:00', hours: 2, capacity: 6, location: '虞景文华 7 幢', directed: true },
    },
  },
  {
    title: '反诈宣传进小区',
    category: 'order',
    description: '近期社区老人接到冒充客服电话较多，需开展反诈宣传。',
    publishedDaysAgo: 8,
    project: {
      unit: '常熟农商银行',
      resource: '反诈宣传讲师团',
      plan: '在三个小区各办一场反诈讲座，发放宣传折页。',
      claimedDaysAgo: 3,
      ending: 'claimed',
    },
  },
  {
    title: '社区义诊进楼栋',
    category: 'medical',
    description: '行动不便的老人难以到服务站，希望义诊进楼栋。',
    peopleNeeded: 5,
    publishedDaysAgo: 4,
  },
  {
    title: '清和苑南门路灯维修',
    category: 'convenience',
    description: '居民反映清和苑南门晚上路灯不亮，老人出行不方便。',
    publishedDaysAgo: 1,
    fromDemand: '清和苑南门晚上路灯不亮，老人出行不方便。',
  },
];

const as = (userId: string, role: Role, orgId: string): Principal => ({
  userId,
  roles: [{ role, orgId }],
  memberId: null,
  memberCommunityOrgId: null,
  tokenVersion: 0,
});

/** `hh:mm` (UTC+8) on the day `days` from `now`'s day. */
function localTime(now: Date, days: number, hhmm: string): Date {
  const midnight = Math.floor((now.getTime() + CHINA_OFFSET) / DAY) * DAY - CHINA_OFFSET;
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(midnight + days * DAY + h * HOUR + m * 60_000);
}

/**
 * 组织报到 in the demo: units reported to 清和坊社区 under 共建协议 in every state (待确认, 已报到,
 * 未通过, 已终止, 已到期), their 资源清单, the community's 需求清单 with a project in every state, and
 * the projects' posts, one of them a directed post (定向·市住建局) still open to grab. Every row is
 * written by its module's service, step by step on a clock set to when the step happened, inside
 * the demo seed's transaction. The demo has sign-ins for 市住建局 only (dev:unit); the other units'
 * side is entered by the city admin acting for them, the unit's org named on every event.
 */
export async function seedDemoUnits(tx: Tx, c: UnitsSeedContext): Promise<void> {
  const clock = new ManualClock(c.now);
  const at = (daysAgo: number) => clock.set(c.now.getTime() - daysAgo * DAY);
  const directory = {
    findPartyOrg: async (id: string) => (await tx.select().from(partyOrgs).where(eq(partyOrgs.id, id)))[0] ?? null,
  };
  const { agreements, projects } = unitsSeedServices(tx, { clock, phoneEncKey: c.phoneEncKey, directory });
  const tasks = tasksSeedService(tx, {
    clock,
    directory,
    projects: { find: (id) => projects.findProject(id), postPublished: (id, t) => projects.postPublished(id, t) },
  });

  const stepProject = async (
    p: Principal,
    id: string,
    action: Parameters<typeof projects.step>[2],
    body: Parameters<typeof projects.step>[3],
  ) => {
    await projects.step(p, id, action, body);
  };
  const secretary = as(c.users.secretary, 'secretary', c.community.id);
  const district = as(c.users.districtAdmin, 'district_admin', c.districtId);
  const unitSide = (unit: string) =>
    unit === '市住建局' ? as(c.users.unitAdmin, 'unit_admin', c.unitId(unit)) : as(c.users.admin, 'unit_admin', c.unitId(unit));

  // Oldest first, so each step happens on a clock that only moves on.
  const steps: Array<{ daysAgo: number; run: () => Promise<void> }> = [];
  for (const a of AGREEMENTS) {
    const community = a.community === 'qinghefang' ? c.community.id : c.neighbour.id;
    const decider = a.community === 'qinghefang' ? secretary : district;
    let id = '';
    steps.push({
      daysAgo: a.proposedDaysAgo,
      run: async () => {
        const startsOn = chinaDay(new Date(c.now.getTime() - (a.decidedDaysAgo ?? 0) * DAY));
        id = (
          await agreements.propose(unitSide(a.unit), {
            unitOrgId: c.unitId(a.unit),
            communityOrgId: community,
            startsOn,
            endsOn: chinaDay(new Date(c.now.getTime() + a.endsInDays * DAY)),
            commitments: a.commitments,
            contactName: a.contact[0],
            contactPhone: a.contact[1],
          })
        ).id;
      },
    });
    if (a.decidedDaysAgo !== undefined) {
      const decided = a.decidedDaysAgo;
      steps.push({
        daysAgo: decided,
        run: async () => {
          await agreements.step(decider, id, a.rejected ? 'reject' : 'accept', a.rejected ?? null);
        },
      });
    }
    if (a.ended) {
      const ended = a.ended;
      steps.push({
        daysAgo: ended.daysAgo,
        run: async () => {
          await agreements.step(ended.by === 'unit' ? unitSide(a.unit) : decider, id, 'end', ended.reason);
        },
      });
    }
  }

  const resourceIds = new Map<string, string>();
  for (const r of RESOURCES) {
    steps.push({
      daysAgo: 100,
      run: async () => {
        const created = await projects.addResource(unitSide(r.unit), {
          unitOrgId: c.unitId(r.unit),
          title: r.title,
          category: r.category,
          description: r.description,
          capacity: r.capacity,
        });
        resourceIds.set(r.title, created.id);
      },
    });
  }

  for (const n of NEEDS) {
    let needId = '';
    let projectId = '';
    steps.push({
      daysAgo: n.publishedDaysAgo,
      run: async () => {
        const source = n.fromDemand ? await demandOf(tx, c.community.id, n.fromDemand) : undefined;
        needId = (
          await projects.publishNeed(secretary, {
            communityOrgId: c.community.id,
            title: n.title,
            category: n.category,
            description: n.description,
            peopleNeeded: n.peopleNeeded,
            source: source ? { kind: 'demand', id: source } : undefined,
          })
        ).id;
      },
    });
    const p = n.project;
    if (!p) continue;
    const unit = unitSide(p.unit);
    steps.push({
      daysAgo: p.claimedDaysAgo,
      run: async () => {
        projectId = (
          await projects.claim(unit, needId, {
            unitOrgId: c.unitId(p.unit),
            plan: p.plan,
            startsOn: chinaDay(clock.now()),
            endsOn: chinaDay(new Date(clock.now().getTime() + 30 * DAY)),
            resourceId: p.resource ? resourceIds.get(p.resource) : undefined,
          })
        ).id;
      },
    });
    const post = p.post;
    if (post) {
      // Published two days before it starts (a post still to come: now).
      steps.push({
        daysAgo: Math.max(0, 2 - post.startsInDays),
        run: async () => {
          const startsAt = localTime(c.now, post.startsInDays, post.at);
          const body = {
            communityOrgId: c.community.id,
            title: post.title,
            category: n.category,
            description: `${p.plan}（${p.unit}认领的共建项目「${n.title}」）`,
            location: post.location,
            startsAt: startsAt.toISOString(),
            endsAt: new Date(startsAt.getTime() + post.hours * HOUR).toISOString(),
            capacity: post.capacity,
            projectId,
            audience: post.directed ? ('unit' as const) : ('community' as const),
          };
          await tasks.mayPublish(unit, body);
          await tasks.publishIn(tx, unit.userId, body);
        },
      });
    }
    if (p.returned) {
      const r = p.returned;
      steps.push({ daysAgo: r.daysAgo, run: () => stepProject(unit, projectId, 'return', { reason: r.reason }) });
    }
    if (p.deliveredDaysAgo !== undefined) {
      steps.push({
        daysAgo: p.deliveredDaysAgo,
        run: () => stepProject(unit, projectId, 'deliver', { summary: p.summary }),
      });
    }
    if (p.acceptedDaysAgo !== undefined) {
      steps.push({
        daysAgo: p.acceptedDaysAgo,
        run: () => stepProject(secretary, projectId, 'accept', { rating: p.rating, note: p.note }),
      });
    }
    if (p.closedDaysAgo !== undefined) {
      steps.push({ daysAgo: p.closedDaysAgo, run: () => stepProject(secretary, projectId, 'close', {}) });
    }
  }

  // A stable sort: steps of one day keep the order written above (propose before accept, claim before post).
  for (const s of steps.map((s, i) => ({ ...s, i })).sort((a, b) => b.daysAgo - a.daysAgo || a.i - b.i)) {
    at(s.daysAgo);
    await s.run();
  }
}

async function demandOf(tx: Tx, communityOrgId: string, text: string): Promise<string | undefined> {
  const [row] = await tx
    .select({ id: demands.id })
    .from(demands)
    .where(and(eq(demands.communityOrgId, communityOrgId), eq(demands.text, text)));
  return row?.id;
}
