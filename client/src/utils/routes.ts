import type { User } from '@pioneer/shared';
import { isAdmin, isLiaisonOnly, secretaryOrgId } from '@/services/session';

/**
 * Every page's path. Staff pages live in the `staff` subpackage so the member's main package
 * stays small (WeChat loads a subpackage on first use).
 */
export const ROUTES = {
  home: '/pages/index/index',
  login: '/pages/login/index',
  register: '/pages/register/index',
  findCommunity: '/pages/find-community/index',
  taskDetail: '/pages/task-detail/index',
  pioneerCode: '/pages/pioneer-code/index',
  scanned: '/pages/scanned/index',
  mine: '/pages/mine/index',
  notFound: '/pages/not-found/index',
  messages: '/pages/messages/index',
  notifySettings: '/pages/notify-settings/index',
  publish: '/staff/publish/index',
  manage: '/staff/manage/index',
  claimants: '/staff/claimants/index',
  verify: '/staff/verify/index',
  communityQr: '/staff/community-qr/index',
  dashboard: '/staff/dashboard/index',
  whistles: '/pages/whistles/index',
  whistleInbox: '/pages/whistle-inbox/index',
  whistleNew: '/pages/whistle-new/index',
  demands: '/pages/demands/index',
  indicators: '/staff/indicators/index',
  manualScores: '/staff/manual-scores/index',
  invites: '/staff/invites/index',
  unitReport: '/staff/unit-report/index',
  waitlistQueue: '/staff/waitlist-queue/index',
  meetings: '/staff/meetings/index',
  units: '/staff/units/index',
  unitBoard: '/staff/index-ranking/index?board=units',
  communityProgress: '/pages/community-progress/index',
  service: '/pages/service/index',
  record: '/pages/record/index',
  correctionNew: '/pages/correction-new/index',
  certificates: '/pages/certificates/index',
  points: '/pages/points/index',
  corrections: '/staff/corrections/index',
  certificateSettings: '/staff/certificate-settings/index',
  rewards: '/staff/rewards/index',
  pointsRules: '/staff/points-rules/index',
} as const;

/** Who may scan a 先锋码 (the server's rule: secretaries, district and city admins). */
export const canVerify = (user: User | null) =>
  Boolean(user?.roles.some((g) => g.role === 'secretary' || g.role === 'district_admin' || g.role === 'city_admin'));

/**
 * Where a user lands after signing in or opening the app: a secretary on 岗位管理, an admin on the
 * 数据看板, a 红色代办员 on its whistle inbox (its whole job), everyone else (members, and visitors
 * who have yet to register) on 首页.
 */
export function landingFor(user: User | null): string {
  if (secretaryOrgId(user)) return ROUTES.manage;
  if (isAdmin(user)) return ROUTES.dashboard;
  if (isLiaisonOnly(user)) return ROUTES.whistleInbox;
  return ROUTES.home;
}
