import { CATEGORY_LABELS, type Category, type TemplateKey } from '@pioneer/shared';

/**
 * WeChat subscribe message fields take a value of a typed keyword with hard limits
 * (https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html):
 * `thing` ≤ 20 characters, `phrase` ≤ 5 Chinese characters, `time` like `2019年10月1日 15:01`,
 * `number` ≤ 32 digits, `character_string` ≤ 32 letters, digits and symbols. A value that does not
 * fit makes WeChat refuse the whole message (47003), so every value is fitted here.
 *
 * The keywords below are what each template chosen in the WeChat console must have; its id is
 * configured as `WECHAT_TEMPLATE_<KEY>`.
 */
const TEMPLATE_FIELDS: Record<TemplateKey, Record<string, 'thing' | 'phrase' | 'time' | 'number'>> = {
  claim_result: { thing1: 'thing', time2: 'time', thing3: 'thing', phrase4: 'phrase' },
  waitlist_offer: { thing1: 'thing', time2: 'time', thing3: 'thing' },
  task_reminder: { thing1: 'thing', time2: 'time', thing3: 'thing' },
  task_changed: { thing1: 'thing', phrase2: 'phrase', time3: 'time', thing4: 'thing' },
  service_recorded: { thing1: 'thing', number2: 'number', time3: 'time' },
  new_task: { thing1: 'thing', thing2: 'thing', time3: 'time', thing4: 'thing' },
  whistle_update: { thing1: 'thing', phrase2: 'phrase', time3: 'time', thing4: 'thing' },
  unit_update: { thing1: 'thing', phrase2: 'phrase', time3: 'time', thing4: 'thing' },
  meeting_update: { thing1: 'thing', phrase2: 'phrase', time3: 'time', thing4: 'thing' },
};

const ZONE = 'Asia/Shanghai';
const parts = (d: Date) =>
  Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: ZONE,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  ) as Record<'year' | 'month' | 'day' | 'hour' | 'minute', string>;

/** `2026年12月2日 09:00`, Beijing time: WeChat's `time` keyword. */
export function fitTime(d: Date): string {
  const p = parts(d);
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`;
}

/** `12月2日 09:00`, for message bodies. */
export function shortTime(d: Date): string {
  const p = parts(d);
  return `${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`;
}

// Emoji and control characters are not "汉字、数字、字母或符号" and get a message refused.
const UNSENDABLE = /[\p{Extended_Pictographic}\p{Cc}\p{Cf}\u{FE0F}]/gu;

/** At most 20 characters (code points), ending in `…` when cut. */
function fitThing(s: string): string {
  const chars = Array.from(s.replace(UNSENDABLE, '').replace(/\s+/g, ' ').trim());
  if (chars.length === 0) return '—';
  return chars.length <= 20 ? chars.join('') : `${chars.slice(0, 19).join('')}…`;
}

/** At most 5 Chinese characters, nothing else. */
function fitPhrase(s: string): string {
  const han = Array.from(s.replace(/[^\p{Script=Han}]/gu, ''))
    .slice(0, 5)
    .join('');
  return han || '通知';
}

function fitNumber(n: number): string {
  return String(Math.max(0, Math.trunc(n))).slice(0, 32);
}

/** What a post's messages say about it. */
export interface TaskFacts {
  id: string;
  title: string;
  category: string;
  location: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  communityName: string;
}

export interface Rendered {
  title: string;
  body: string;
  /** WeChat `data`, values fitted. */
  data: Record<string, { value: string }>;
  /** The mini-program page the WeChat message opens. */
  page: string;
}

const taskPage = (taskId: string) => `pages/task-detail/index?id=${taskId}`;
const MESSAGES_PAGE = 'pages/messages/index';

function wechatData(key: TemplateKey, values: Record<string, string | number | Date>): Record<string, { value: string }> {
  const out: Record<string, { value: string }> = {};
  for (const [field, type] of Object.entries(TEMPLATE_FIELDS[key])) {
    const v = values[field];
    const value =
      type === 'time'
        ? fitTime(v instanceof Date ? v : new Date(String(v)))
        : type === 'number'
          ? fitNumber(Number(v))
          : type === 'phrase'
            ? fitPhrase(String(v))
            : fitThing(String(v));
    out[field] = { value };
  }
  return out;
}

const CLAIM_OUTCOMES = {
  claimed: { title: '抢岗成功', phrase: '已抢到', lead: '您已抢到' },
  accepted: { title: '候补成功', phrase: '候补成功', lead: '您已确认候补名额，获得' },
  promoted: { title: '候补转正', phrase: '候补转正', lead: '候补名额已自动转给您，获得' },
  won: { title: '抽签中签', phrase: '已中签', lead: '恭喜中签，获得' },
} as const;

export function renderClaimResult(t: TaskFacts, outcome: keyof typeof CLAIM_OUTCOMES | 'lost'): Rendered {
  if (outcome === 'lost') {
    return {
      title: '抽签未中',
      body: `「${t.title}」抽签未中，您已进入候补，有空出的名额会通知您。`,
      data: wechatData('claim_result', { thing1: t.title, time2: t.startsAt, thing3: t.location, phrase4: '未中签' }),
      page: taskPage(t.id),
    };
  }
  const o = CLAIM_OUTCOMES[outcome];
  return {
    title: o.title,
    body: `${o.lead}「${t.title}」的名额，${shortTime(t.startsAt)}开始，地点：${t.location}。`,
    data: wechatData('claim_result', { thing1: t.title, time2: t.startsAt, thing3: t.location, phrase4: o.phrase }),
    page: taskPage(t.id),
  };
}

export function renderWaitlistOffer(t: TaskFacts, offerExpiresAt: Date): Rendered {
  return {
    title: '候补名额待确认',
    body: `「${t.title}」空出了名额，请在${shortTime(offerExpiresAt)}前确认，逾期将顺延给下一位。`,
    data: wechatData('waitlist_offer', { thing1: t.title, time2: offerExpiresAt, thing3: '请尽快确认，逾期顺延' }),
    page: taskPage(t.id),
  };
}

function before(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}天`;
  if (minutes % 60 === 0) return `${minutes / 60}小时`;
  return `${minutes}分钟`;
}

export function renderReminder(t: TaskFacts, offsetMinutes: number): Rendered {
  return {
    title: '岗位即将开始',
    body: `「${t.title}」将于${shortTime(t.startsAt)}开始（约${before(offsetMinutes)}后），地点：${t.location}，请准时到岗。`,
    data: wechatData('task_reminder', { thing1: t.title, time2: t.startsAt, thing3: t.location }),
    page: taskPage(t.id),
  };
}

export function renderTaskChanged(t: TaskFacts, change: 'moved' | 'updated' | 'cancelled'): Rendered {
  if (change === 'cancelled') {
    return {
      title: '岗位已取消',
      body: `「${t.title}」已被${t.communityName}取消，原定${shortTime(t.startsAt)}，无需到岗。`,
      data: wechatData('task_changed', { thing1: t.title, phrase2: '已取消', time3: t.startsAt, thing4: '岗位已取消，无需到岗' }),
      page: taskPage(t.id),
    };
  }
  const moved = change === 'moved';
  return {
    title: moved ? '岗位时间变更' : '岗位信息变更',
    body: moved
      ? `「${t.title}」时间改为${shortTime(t.startsAt)}至${shortTime(t.endsAt)}，地点：${t.location}。`
      : `「${t.title}」信息有更新，${shortTime(t.startsAt)}开始，地点：${t.location}。`,
    data: wechatData('task_changed', { thing1: t.title, phrase2: moved ? '时间变更' : '信息变更', time3: t.startsAt, thing4: t.location }),
    page: taskPage(t.id),
  };
}

export function renderServiceRecorded(t: TaskFacts, minutes: number, checkedOutAt: Date): Rendered {
  return {
    title: '服务时长已记录',
    body: `「${t.title}」服务${minutes}分钟已记录，感谢您的付出！`,
    data: wechatData('service_recorded', { thing1: t.title, number2: minutes, time3: checkedOutAt }),
    page: taskPage(t.id),
  };
}

export function renderNewTask(t: TaskFacts): Rendered {
  const label = CATEGORY_LABELS[t.category as Category] ?? t.category;
  return {
    title: '新岗位发布',
    body: `${t.communityName}发布了${label}岗位「${t.title}」，${shortTime(t.startsAt)}开始，共${t.capacity}个名额。`,
    data: wechatData('new_task', { thing1: t.title, thing2: t.communityName, time3: t.startsAt, thing4: label }),
    page: taskPage(t.id),
  };
}

/** A free text quoted in a message body (an answer may run to 2,000 characters): its start. */
function quote(s: string, max = 100): string {
  const chars = Array.from(s.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

interface WhistleFacts {
  whistleId?: string;
  title: string;
  /** The step's label, e.g. 已反馈 (a WeChat `phrase`). */
  status: string;
  dueAt?: string | null;
  /** What the step said: an answer, a reason, a note. */
  note?: string | null;
  /** The unit whose step it was. */
  orgName?: string | null;
  /** The due time an extension asks for or was granted. */
  until?: string | null;
}

/**
 * `「老旧小区加装电梯协调」市住建局机关党委申请延期至12月10日 18:00，办理时限12月8日 18:00。理由…`;
 * in WeChat: the whistle, the step, the time it names, and who took it.
 */
export function renderWhistle(e: WhistleFacts, at: Date): Rendered {
  const due = e.dueAt ? new Date(e.dueAt) : null;
  const until = e.until ? new Date(e.until) : null;
  const note = e.note ? quote(e.note) : '';
  return {
    title: `吹哨报到：${e.status}`,
    body: `「${e.title}」${e.orgName ?? ''}${e.status}${until ? `至${shortTime(until)}` : ''}${due ? `，办理时限${shortTime(due)}` : ''}。${note}`,
    data: wechatData('whistle_update', {
      thing1: e.title,
      phrase2: e.status,
      time3: until ?? due ?? at,
      thing4: e.orgName || note || e.title,
    }),
    page: e.whistleId ? `pages/whistle-detail/index?id=${e.whistleId}` : MESSAGES_PAGE,
  };
}

/** A step of 组织报到 (an agreement, a need, a project): its title, the step, what it says. */
export function renderUnitUpdate(e: { title: string; status: string; body: string; projectId?: string | null }, at: Date): Rendered {
  return {
    title: `组织报到：${e.status}`,
    body: e.body,
    data: wechatData('unit_update', { thing1: e.title, phrase2: e.status, time3: at, thing4: quote(e.body, 20) }),
    page: e.projectId ? `staff/project-detail/index?id=${e.projectId}` : MESSAGES_PAGE,
  };
}

interface MeetingFacts {
  meetingId: string;
  title: string;
  startsAt: Date;
  location: string;
  action: 'invite' | 'cancel' | 'action' | 'escalate';
  actionTitle?: string | null;
  dueAt?: Date | null;
}

const MEETING_STEPS = {
  invite: { title: '共商共办：会议邀请', phrase: '邀请参会' },
  cancel: { title: '共商共办：会议取消', phrase: '会议取消' },
  action: { title: '共商共办：责任分工', phrase: '新任务' },
  escalate: { title: '共商共办：任务超期', phrase: '任务超期' },
} as const;

/** A meeting's invitation or cancellation, or an action item assigned or escalated. */
export function renderMeeting(m: MeetingFacts): Rendered {
  const step = MEETING_STEPS[m.action];
  const about = m.actionTitle ? quote(m.actionTitle, 60) : null;
  const body =
    m.action === 'invite'
      ? `诚邀贵单位参加「${m.title}」，${shortTime(m.startsAt)}，地点：${m.location}。到场请扫码签到。`
      : m.action === 'cancel'
        ? `原定${shortTime(m.startsAt)}的「${m.title}」已取消。`
        : m.action === 'action'
          ? `「${m.title}」将「${about}」分派给贵单位（牵头或协办）${m.dueAt ? `，时限${shortTime(m.dueAt)}` : ''}，请按时序进度报告。`
          : `「${m.title}」确定的任务「${about}」已超期${m.dueAt ? `（时限${shortTime(m.dueAt)}）` : ''}，请督促办理。`;
  return {
    title: step.title,
    body,
    data: wechatData('meeting_update', {
      thing1: about ?? m.title,
      phrase2: step.phrase,
      time3: m.action === 'invite' || m.action === 'cancel' ? m.startsAt : (m.dueAt ?? m.startsAt),
      thing4: m.action === 'invite' ? m.location : m.title,
    }),
    page: `staff/meeting/index?id=${m.meetingId}`,
  };
}
