import {
  ActionListSchema,
  ActionResponseSchema,
  AttendanceResponseSchema,
  MeetingCheckinSchema,
  MeetingDetailSchema,
  MeetingListSchema,
  MeetingResponseSchema,
  PublicProgressSchema,
  type ActionCreateBody,
  type ActionProgressBody,
  type ActionStatus,
  type MeetingCloseBody,
  type MeetingCreateBody,
  type MeetingListQuery,
  type User,
} from '@pioneer/shared';
import { request } from './http';

/** 共商共办: meetings (协调会, 上门服务), attendance by QR, action items (责任分工, 时序进度). */
export function listMeetings(filter: Partial<Pick<MeetingListQuery, 'scope' | 'id' | 'status' | 'cursor' | 'limit'>> = {}) {
  return request({ path: '/meetings', query: filter, schema: MeetingListSchema });
}

export const getMeeting = (id: string) => request({ path: `/meetings/${id}`, schema: MeetingDetailSchema });

export const createMeeting = (body: MeetingCreateBody) =>
  request({ method: 'POST', path: '/meetings', data: body, schema: MeetingResponseSchema }).then((r) => r.meeting);

export const getCheckin = (id: string) => request({ path: `/meetings/${id}/checkin`, schema: MeetingCheckinSchema });

export const attend = (id: string, token: string) =>
  request({ method: 'POST', path: `/meetings/${id}/attendance`, data: { token }, schema: AttendanceResponseSchema });

export const closeMeeting = (id: string, body: MeetingCloseBody) =>
  request({ method: 'POST', path: `/meetings/${id}/close`, data: body, schema: MeetingResponseSchema }).then((r) => r.meeting);

export const cancelMeeting = (id: string) =>
  request({ method: 'POST', path: `/meetings/${id}/cancel`, data: {}, schema: MeetingResponseSchema }).then((r) => r.meeting);

export const addAction = (meetingId: string, body: ActionCreateBody) =>
  request({ method: 'POST', path: `/meetings/${meetingId}/actions`, data: body, schema: ActionResponseSchema }).then((r) => r.action);

export function listActions(filter: { ownerOrgId?: string; status?: ActionStatus; overdue?: boolean } = {}) {
  return request({
    path: '/actions',
    query: { ...filter, overdue: filter.overdue === undefined ? undefined : String(filter.overdue) },
    schema: ActionListSchema,
  });
}

export const getAction = (id: string) => request({ path: `/actions/${id}`, schema: ActionResponseSchema }).then((r) => r.action);

const step = (id: string, name: string, data: unknown) =>
  request({ method: 'POST', path: `/actions/${id}/${name}`, data, schema: ActionResponseSchema }).then((r) => r.action);

export const reportProgress = (id: string, body: ActionProgressBody) => step(id, 'progress', body);
export const reportDone = (id: string, note: string) => step(id, 'done', { note });
export const confirmAction = (id: string, note: string) => step(id, 'confirm', { note });
export const reopenAction = (id: string, note: string) => step(id, 'reopen', { note });

export const getPublicProgress = (communityOrgId: string) =>
  request({ path: `/party-orgs/${communityOrgId}/meeting-progress`, schema: PublicProgressSchema });

/** The check-in token in a scanned meeting QR (`<PUBLIC_URL>/m/<token>`), or null for any other code. */
export function checkinTokenOf(scanned: string): string | null {
  const m = /\/m\/([0-9a-f-]{36}\.[A-Za-z0-9_-]+)$/.exec(scanned.trim());
  return m ? m[1] : null;
}

/** The meeting a check-in token names (`<meetingId>.<signature>`). */
export const meetingIdOfToken = (token: string) => token.split('.')[0] ?? '';

/** Who convenes: secretaries (their community) and district admins (their 板块). */
export const convenerScopes = (user: User | null) =>
  (user?.roles ?? []).flatMap((g) =>
    (g.role === 'secretary' || g.role === 'district_admin') && g.orgId ? [{ role: g.role, orgId: g.orgId }] : [],
  );

/** Whether the user convenes this meeting (its community's secretary or its 板块's admin). */
export const convenes = (user: User | null, m: { districtId: string; convener: { id: string; kind: string } }) =>
  Boolean(
    user?.roles.some(
      (g) =>
        (g.role === 'district_admin' && g.orgId === m.districtId) ||
        (g.role === 'secretary' && m.convener.kind === 'community' && g.orgId === m.convener.id),
    ),
  );
