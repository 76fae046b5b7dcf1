/**
 * Summaries and descriptions of the operations whose route options carry none, keyed by
 * `METHOD /path` (OpenAPI path syntax, without `/api/v1`). Applied by the OpenAPI transform
 * (lib/openapi.ts), so route files stay as they are; a route's own `summary` / `description`
 * wins. New routes should carry their own in their options; the foundation test fails for any
 * operation with neither.
 */
export const OPERATION_CATALOGUE: Record<string, readonly [summary: string, description: string]> = {
  'GET /health': ['健康检查', 'Answers once the database answers; 503 SERVICE_UNAVAILABLE while it does not. Public.'],

  'POST /auth/wechat': [
    '微信登录',
    'Exchanges a wx.login code for a session token (development: `dev:<name>` signs in `dev_<name>`). Public.',
  ],
  'POST /auth/logout': ['退出登录', 'Ends every session of the caller, in every server process.'],
  'POST /users/{id}/sessions/revoke': ['强制下线', 'Revokes every session of a user (city admin).'],
  'GET /auth/me': ['当前用户', "The signed-in user's roles and member id."],
  'POST /invites': [
    '生成邀请码',
    'A one-time code granting a staff role in an org (city admin; district admin in its district; unit admin for liaisons).',
  ],
  'POST /invites/accept': ['接受邀请', 'The caller takes the role the invite names; an invite works once.'],

  'POST /tasks': ['发布岗位', "Publishes a post (岗位) in a community (its secretary; a project's unit admin for directed posts)."],
  'GET /tasks': ['岗位列表', 'Posts by community, district, category or openness, with live counts.'],
  'GET /tasks/{id}': ['岗位详情', "A post with the caller's own claim, waitlist entry and draw entry."],
  'PATCH /tasks/{id}': ['修改岗位', 'Edits a published post (its secretary); members holding claims are told.'],
  'POST /tasks/{id}/cancel': ['取消岗位', 'Cancels a post (its secretary); every claim is cancelled and members are told.'],
  'POST /tasks/{id}/claims': [
    '抢岗',
    'Claims a slot (registered member). `Idempotency-Key` replays the first answer; 409 TASK_FULL, ALREADY_CLAIMED, CLAIM_NOT_OPEN, CLAIM_CLOSED, TASK_CANCELLED.',
  ],
  'GET /tasks/{id}/claims': ['报名名单', "The post's claims with their members, phones masked (its secretary)."],
  'DELETE /tasks/{id}/claims/me': ['取消报名', 'The member cancels its claim before the cutoff; the slot returns or goes to the waitlist.'],
  'POST /tasks/{id}/check-ins': ['扫码签到', "Checks a member in from its scanned 先锋码 (the post's secretary)."],
  'POST /tasks/{id}/check-outs': [
    '扫码签退',
    "Checks a member out and records the minutes served (the post's secretary); before the post starts → 409 CONFLICT.",
  ],
  'POST /tasks/{id}/waitlist': ['加入候补', 'Joins the waitlist of a full post (registered member).'],
  'GET /tasks/{id}/waitlist': [
    '候补队列',
    "The post's waitlist for its secretary and the admins above: held offers with deadlines, waiting members in order, recent closed entries; names and phones masked.",
  ],
  'DELETE /tasks/{id}/waitlist/me': ['退出候补', 'Leaves the waitlist.'],
  'POST /tasks/{id}/waitlist/me/accept': [
    '接受候补名额',
    'Takes the slot offered to the member before its deadline; 410 OFFER_EXPIRED after it.',
  ],
  'POST /tasks/{id}/waitlist/me/decline': ['放弃候补名额', 'Declines the offered slot; it moves to the next waiting member.'],
  'DELETE /tasks/{id}/claims/{claimId}': ['释放名额', "The post's secretary frees a member's slot, with a reason."],
  'POST /tasks/{id}/claims/{claimId}/excuse': ['免责缺席', "The post's secretary excuses a no-show: it does not count toward suspension."],
  'POST /tasks/{id}/entries': ['参加抽签', "Enters a draw post with the member's own nonce; answers the ticket."],
  'DELETE /tasks/{id}/entries/me': ['退出抽签', 'Withdraws the entry before the draw.'],
  'GET /tasks/{id}/draw': ['抽签公示', 'Commitment, tickets and, once drawn, the seed, root and ranks of a draw post.'],

  'GET /stats/overview': ['统计概览', 'Figures of a city, district, community or unit (its admins and secretaries).'],
  'GET /stats/dashboard': ['数据看板', 'Dashboard figures with the 26-week trend and category breakdown of a scope.'],

  'POST /whistles': ['吹哨', 'A community or 板块 raises a whistle and addresses unit party orgs (one lead).'],
  'GET /whistles': ['吹哨列表', "Whistles of the caller's scope: its community, district or unit inbox."],
  'GET /whistles/{id}': ['吹哨详情', 'A whistle with its assignments, events and the posts answering it.'],
  'POST /whistles/{id}/assignments/{orgId}/sign': ['签收', "The addressed unit's liaison or admin signs for the assignment."],
  'POST /whistles/{id}/assignments/{orgId}/answer': ['反馈', 'The addressed unit answers, optionally naming posts it published.'],
  'POST /whistles/{id}/assignments/{orgId}/return': ['退单', 'The addressed unit returns the assignment with a reason.'],
  'POST /whistles/{id}/assignments/{orgId}/extend': ['申请延期', 'The addressed unit asks for more time.'],
  'POST /whistles/{id}/verify': ['核查', 'The raiser verifies the answer.'],
  'POST /whistles/{id}/close': ['办结', 'The raiser closes the whistle.'],
  'POST /whistles/{id}/rate': ['回访评价', 'The raiser rates the outcome (1–5).'],
  'POST /whistles/{id}/reopen': ['重新打开', 'The raiser reopens a closed whistle within 7 days.'],
  'POST /whistles/{id}/readdress': ['重新派单', 'The raiser addresses the whistle anew after a return.'],
  'POST /whistles/{id}/extensions/{extId}/approve': ['同意延期', 'The raiser approves an extension: the assignment is due later.'],
  'POST /whistles/{id}/extensions/{extId}/deny': ['驳回延期', 'The raiser denies an extension.'],

  'POST /demands': ['居民点单', "A signed-in resident's demand to its community, with an optional contact, estate and address."],
  'GET /demands': ['点单列表', "A community's demands, contact phones masked (its secretary)."],
  'GET /demands/mine': ['我的点单', "The caller's own demands and their status."],
  'POST /demands/{id}/triage': [
    '处理点单',
    "The community's secretary turns a demand into a post (an existing one, or a new one published in the same step), a whistle, or a rejection.",
  ],

  'GET /index/indicators': ['先锋指数+指标', 'The indicator catalogue: guidance, method, weights and admission.'],
  'PUT /index/indicators': ['设置指标', 'Replaces the indicator catalogue (city admin).'],
  'PUT /index/scores': ['人工评分', "A district admin's manual score of a community for a period, with evidence."],
  'GET /index/ranking': ['先锋指数+排名', 'Communities ranked by score for a period (city and district admins).'],
  'GET /index/orgs/{id}': ['指数解读', "One community's score, part by part, with the figures used."],

  'GET /districts': ['板块列表', 'The 板块 (districts) of the city.'],
  'GET /party-orgs': ['党组织列表', 'Community and unit party orgs by kind, district or name.'],
  'POST /party-orgs': ['新建党组织', 'Creates a community or unit party org (city admin; district admin in its district).'],
  'GET /party-orgs/{id}/estates': ['小区列表', 'The estates (小区) of a community.'],
  'POST /party-orgs/{id}/estates': ['新建小区', 'Adds an estate to a community (its secretary or an admin above it).'],

  'GET /members/me': ['我的资料', "The member's own profile, standing and star level."],
  'PUT /members/me': ['一键报到', 'Registers the caller as a member of its home community, or updates its profile.'],
  'DELETE /members/me': ['注销', "Erases the member's personal data; past service stays counted, detached from anyone."],
  'POST /members/me/phone-number': ['获取微信手机号', "Exchanges WeChat's getPhoneNumber code for the caller's phone number."],
  'GET /members/me/pioneer-code': ['先锋码', "The member's short-lived signed QR code for check-in and check-out."],
  'POST /pioneer-codes/verify': [
    '核验先锋码',
    "Reads a scanned 先锋码: the member (phone masked) and today's claims on the caller's posts.",
  ],
  'GET /members/me/records': ['服务记录', "The member's completed services with totals."],
  'GET /members/me/export': ['导出我的数据', "The caller's own data as JSON (personal data rights)."],
  'GET /members/me/consent': ['授权状态', "The member's consent to the personal data notice."],
  'POST /members/me/consent': ['同意授权', 'Records consent to a version of the personal data notice.'],
  'DELETE /members/me/consent': ['撤回授权', 'Withdraws consent: the member profile is erased as by 注销.'],

  'GET /party-orgs/{id}/register-qrcode': ['报到二维码', "The community's registration QR (SVG or PNG; its secretary or above)."],
  'GET /party-orgs/{id}/register-info': ['报到信息', "The community's register code and link (its secretary or above)."],
  'GET /register/resolve': ['解析报到码', 'The community and estates a register code stands for. Public.'],

  'GET /me/subscriptions': ['订阅消息额度', "The caller's remaining WeChat subscribe-message credits per template."],
  'POST /me/subscriptions': ['记录订阅结果', 'Records what the user allowed in wx.requestSubscribeMessage: one credit per accept.'],
  'GET /me/messages': ['消息中心', "The caller's messages, newest first, with the unread count."],
  'GET /me/messages/unread': ['未读消息数', "The caller's unread message count."],
  'POST /me/messages/read': ['标记已读', 'Marks messages read.'],
  'GET /members/me/preferences': ['通知偏好', 'Followed categories and reminder times.'],
  'PUT /members/me/preferences': ['设置通知偏好', 'Sets followed categories and reminder times.'],
  'GET /members/me/calendar-url': ['日历订阅链接', "The member's secret iCalendar URL of its claims."],
  'POST /members/me/calendar-url/reset': ['重置日历链接', 'Makes a new calendar URL; the old one stops working.'],
  'GET /calendar/{file}': ['日历订阅', "The member's live claims as iCalendar (the secret URL is the credential)."],

  'POST /party-orgs/{id}/households/import': [
    '导入业主信息库',
    "Imports the community's homeowner registry from CSV or XLSX (its secretary or above).",
  ],
  'GET /party-orgs/{id}/households/imports': ['导入记录', "The community's registry imports."],
  'GET /party-orgs/{id}/households/coverage': ['报到覆盖率', 'Households of the registry with a registered member, per estate.'],
  'GET /party-orgs/{id}/members': ['社区党员', "The community's members with their registry match (phones masked)."],
  'POST /party-orgs/{id}/members/{memberId}/personal-data': [
    '查看完整个人信息',
    "A member's full phone and home for the community's staff, with a stated reason; every read is audited.",
  ],
  'POST /party-orgs/{id}/demands/{demandId}/personal-data': [
    '查看点单联系人',
    "A demand's full contact phone for the community's secretary, with a stated reason; every read is audited.",
  ],

  'POST /imports/directory': [
    '导入组织目录',
    'Imports 板块, communities, estates and unit party orgs from XLSX (city admin); a dry run writes nothing.',
  ],
  'GET /imports/directory/history': ['目录导入记录', 'Past directory imports.'],
  'GET /imports/directory/template.xlsx': ['目录导入模板', 'The XLSX template of the directory import.'],
  'GET /imports/households/template.xlsx': ['业主信息导入模板', 'The XLSX template of the registry import.'],

  'GET /exports/members.xlsx': ['导出党员名单', 'Members of a scope as XLSX.'],
  'GET /exports/records.xlsx': ['导出服务记录', 'Service records of a scope and date range as XLSX.'],
  'GET /exports/unit-report.xlsx': ['导出单位反馈', "反馈单位: each of a unit's members' service in a month, as XLSX."],
  'GET /exports/index.xlsx': ['导出先锋指数+', 'The ranking of a period as XLSX.'],
};

/** The catalogue key of a route: fastify's `:param` becomes OpenAPI's `{param}`, the API prefix goes. */
export function catalogueKey(method: string, url: string, prefix: string): string {
  const path = (url.startsWith(prefix) ? url.slice(prefix.length) : url).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return `${method.toUpperCase()} ${path || '/'}`;
}
