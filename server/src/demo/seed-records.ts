import type { FastifyInstance } from 'fastify';
import type { Category } from '@pioneer/shared';
import type { Db } from '../db/client';
import { seedEndedDemoPosts, type EndedDemoPost } from '../modules/tasks/tasks-seed';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Changshu is UTC+8 all year. */
const CHINA_OFFSET = 8 * HOUR;

/**
 * The demo member whose 我的服务 shows every state. Not 张伟 or 李娜: the records walks start from
 * their clean slates (hours, star, balance, first certificate), so the demo's history goes to 王强.
 */
export const DEMO_RECORDS_MEMBER = 'dev:member3';

/** Ended posts of 清和坊社区 in the last week (inside the correction window, newer than the history's own). */
const POSTS: Array<{
  key: string;
  title: string;
  category: Category;
  description: string;
  location: string;
  day: number;
  start: string;
  end: string;
}> = [
  {
    key: 'sorting',
    title: '垃圾分类宣传入户',
    category: 'waste_sorting',
    description: '上门发放分类指南，讲解厨余垃圾破袋投放。',
    location: '清和苑 1–6 幢',
    day: -6,
    start: '08:30',
    end: '10:30',
  },
  {
    key: 'meals',
    title: '独居老人助餐送餐',
    category: 'care',
    description: '从社区食堂取餐，送到独居老人家中。',
    location: '清和坊社区长者食堂',
    day: -5,
    start: '10:30',
    end: '12:30',
  },
  {
    key: 'lanes',
    title: '消防通道清理',
    category: 'environment',
    description: '清理楼道和消防通道堆物，张贴安全提示。',
    location: '书院新村',
    day: -4,
    start: '09:00',
    end: '11:00',
  },
  {
    key: 'patrol',
    title: '夜间平安巡逻',
    category: 'order',
    description: '两人一组巡查小区出入口和电动车充电点。',
    location: '虞景文华北门集合',
    day: -3,
    start: '19:00',
    end: '21:00',
  },
  {
    key: 'health',
    title: '老年健康讲座引导',
    category: 'medical',
    description: '协助卫生服务站签到、量血压、引导入座。',
    location: '清和坊社区党群服务中心',
    day: -2,
    start: '09:00',
    end: '11:30',
  },
  {
    key: 'homework',
    title: '四点半课堂作业辅导',
    category: 'lei_feng_tutor',
    description: '辅导社区小学生完成作业。',
    location: '社区四点半课堂',
    day: -1,
    start: '16:00',
    end: '18:00',
  },
];

const REWARDS = [
  { name: '可降解垃圾袋（一卷）', pointsCost: 10, stock: 40, description: '社区爱心超市常备' },
  { name: '洗衣液 2kg', pointsCost: 50, stock: 12 },
  { name: '社区理发券', pointsCost: 30, stock: 20, description: '清和坊社区便民理发点使用' },
];

function localTime(now: Date, day: number, hhmm: string): Date {
  const midnight = Math.floor((now.getTime() + CHINA_OFFSET) / DAY) * DAY - CHINA_OFFSET;
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(midnight + day * DAY + h * HOUR + m * MINUTE);
}
const chinaDay = (d: Date) => new Date(d.getTime() + CHINA_OFFSET).toISOString().slice(0, 10);

type Inject = Pick<FastifyInstance, 'inject'>;

/** One signed-in demo user calling the API (the demo's records go through the same routes as the app's). */
async function as(app: Inject, code: string) {
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/wechat', payload: { code } });
  if (login.statusCode !== 200) throw new Error(`demo sign-in ${code}: ${login.statusCode} ${login.body}`);
  const headers = { authorization: `Bearer ${login.json().token as string}` };
  return async <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<T> => {
    const res = await app.inject({ method, url: `/api/v1${url}`, headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`demo ${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as T;
  };
}

export interface DemoRecordsSummary {
  posts: number;
  certificates: { valid: string; revoked: string };
  pendingCorrections: number;
  redemptions: number;
}

/**
 * The demo's service records in every state, for 王强 (dev:member3) of 清和坊社区: 补记 by the
 * secretary, a correction approved with other minutes (which revokes the certificate holding the
 * record), an approved 补录, a rejected correction, two requests still pending in the secretary's
 * 更正审核, a revoked and a valid 志愿服务记录证明, points earned and spent on 爱心超市 rewards.
 *
 * Everything but the ended posts (the tasks module's seed) goes through the HTTP API as the demo
 * users, so each module writes its own tables. Called once, right after the demo was seeded
 * into an empty database (the server's first start), with the app that serves it.
 */
export async function seedDemoRecords(app: Inject, db: Db, now: Date): Promise<DemoRecordsSummary> {
  const secretary = await as(app, 'dev:secretary');
  const member = await as(app, DEMO_RECORDS_MEMBER);
  const me = await secretary<{ user: { id: string; roles: Array<{ role: string; orgId: string }> } }>('GET', '/auth/me');
  const community = me.user.roles.find((g) => g.role === 'secretary')!.orgId;
  const { member: wang } = await member<{ member: { id: string } }>('GET', '/members/me');

  const specs = POSTS.map((p) => ({
    ...p,
    startsAt: localTime(now, p.day, p.start),
    endsAt: localTime(now, p.day, p.end),
  }));
  const ids = await seedEndedDemoPosts(db, {
    communityOrgId: community,
    createdBy: me.user.id,
    now,
    posts: specs.map((p): EndedDemoPost => ({ ...p, capacity: 8 })),
  });
  const post = Object.fromEntries(specs.map((p, i) => [p.key, { id: ids[i], startsAt: p.startsAt, endsAt: p.endsAt }]));
  const at = (d: Date, minutes: number) => new Date(d.getTime() + minutes * MINUTE).toISOString();

  await secretary('PUT', `/party-orgs/${community}/certificate-settings`, { leader: '王建国', handler: '陈静' });

  // 补记: he was there but nobody scanned him.
  for (const key of ['sorting', 'meals', 'lanes', 'patrol'])
    await secretary('POST', `/tasks/${post[key].id}/records`, { memberIds: [wang.id] });

  // A certificate of those four, then a correction approved with other minutes revokes it.
  const range = { from: chinaDay(post.sorting.startsAt), to: chinaDay(post.patrol.startsAt) };
  const first = await member<{ certificate: { no: string } }>('POST', '/members/me/certificates', range);
  const meals = await member<{ correction: { id: string } }>('POST', '/members/me/corrections', {
    kind: 'correct',
    taskId: post.meals.id,
    checkedInAt: post.meals.startsAt.toISOString(),
    checkedOutAt: at(post.meals.endsAt, 40),
    reason: '送完餐又帮老人收拾了碗筷，签退晚了四十分钟',
  });
  await secretary('POST', `/corrections/${meals.correction.id}/approve`, { minutes: 150, note: '经核实，按 150 分钟记录' });

  // An approved 补录 of a post he never claimed, then a fresh certificate over all five.
  const health = await member<{ correction: { id: string } }>('POST', '/members/me/corrections', {
    kind: 'supplement',
    taskId: post.health.id,
    checkedInAt: post.health.startsAt.toISOString(),
    checkedOutAt: post.health.endsAt.toISOString(),
    reason: '临时顶替请假的志愿者，没有来得及报名',
  });
  await secretary('POST', `/corrections/${health.correction.id}/approve`, {});
  const second = await member<{ certificate: { no: string } }>('POST', '/members/me/certificates', {
    from: range.from,
    to: chinaDay(post.health.startsAt),
  });

  // A correction rejected with the secretary's note, and two requests waiting in 更正审核.
  const patrol = await member<{ correction: { id: string } }>('POST', '/members/me/corrections', {
    kind: 'correct',
    taskId: post.patrol.id,
    checkedInAt: at(post.patrol.startsAt, -60),
    checkedOutAt: post.patrol.endsAt.toISOString(),
    reason: '提前一小时到岗检查了充电点',
  });
  await secretary('POST', `/corrections/${patrol.correction.id}/reject`, { note: '岗位时间为 19:00 起，提前到岗不计入服务时长' });
  await member('POST', '/members/me/corrections', {
    kind: 'correct',
    taskId: post.lanes.id,
    checkedInAt: post.lanes.startsAt.toISOString(),
    checkedOutAt: at(post.lanes.endsAt, 30),
    reason: '清完最后一个楼道已经 11:30 了',
  });
  await member('POST', '/members/me/corrections', {
    kind: 'supplement',
    taskId: post.homework.id,
    checkedInAt: post.homework.startsAt.toISOString(),
    checkedOutAt: post.homework.endsAt.toISOString(),
    reason: '当天下班后直接去了课堂，忘记报名',
  });

  // 爱心超市: rewards in stock; he spends part of his points by the secretary scanning his 先锋码.
  const rewards: string[] = [];
  for (const r of REWARDS)
    rewards.push((await secretary<{ reward: { id: string } }>('POST', `/party-orgs/${community}/rewards`, r)).reward.id);
  for (const id of [rewards[0], rewards[1]]) {
    const { url } = await member<{ url: string }>('GET', '/members/me/pioneer-code');
    await secretary('POST', `/rewards/${id}/redemptions`, { code: url });
  }

  return {
    posts: ids.length,
    certificates: { valid: second.certificate.no, revoked: first.certificate.no },
    pendingCorrections: 2,
    redemptions: 2,
  };
}
