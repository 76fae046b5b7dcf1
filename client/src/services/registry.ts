import {
  CommunityMemberListSchema,
  ConsentListSchema,
  CoverageSchema,
  DeregisterResponseSchema,
  DirectoryImportHistorySchema,
  DirectoryImportResultSchema,
  HouseholdImportHistorySchema,
  HouseholdImportResultSchema,
  MemberExportSchema,
  OkSchema,
  PersonalReadResponseSchema,
  type HouseholdMatch,
} from '@pioneer/shared';
import Taro from '@tarojs/taro';
import type { ZodType } from 'zod';
import { API_ROOT, IS_H5 } from './config';
import { ApiError, downloadWithSession, fetchWithSession, request } from './http';

export function getMyExport() {
  return request({ path: '/members/me/export', schema: MemberExportSchema });
}

export function deregister() {
  return request({ method: 'DELETE', path: '/members/me', schema: DeregisterResponseSchema });
}

export function giveConsent(consentVersion: string) {
  return request({ method: 'POST', path: '/members/me/consent', data: { consentVersion }, schema: ConsentListSchema });
}

export function withdrawConsent() {
  return request({ method: 'DELETE', path: '/members/me/consent', schema: DeregisterResponseSchema });
}

export function getCoverage(communityOrgId: string) {
  return request({ path: `/party-orgs/${communityOrgId}/households/coverage`, schema: CoverageSchema });
}

export function getCommunityMembers(communityOrgId: string, match?: HouseholdMatch, cursor?: string | null) {
  return request({
    path: `/party-orgs/${communityOrgId}/members`,
    query: { match, cursor: cursor ?? undefined, limit: 50 },
    schema: CommunityMemberListSchema,
  });
}

/** A member's full phone and home: the server audits every read with its reason (and limits how many a minute). */
export function readMemberPersonalData(communityOrgId: string, memberId: string, reason: string) {
  return request({
    method: 'POST',
    path: `/party-orgs/${communityOrgId}/members/${memberId}/personal-data`,
    data: { reason },
    schema: PersonalReadResponseSchema,
  });
}

/** City admin: ends every session of a user (a lost phone); the user signs in again on the next call. */
export function revokeUserSessions(userId: string) {
  return request({ method: 'POST', path: `/users/${userId}/sessions/revoke`, schema: OkSchema });
}

/** The community's latest imports with their rejected rows: the weapp shows these (uploads are an H5 task). */
export function getHouseholdImports(communityOrgId: string) {
  return request({ path: `/party-orgs/${communityOrgId}/households/imports`, schema: HouseholdImportHistorySchema });
}

export function getDirectoryImports() {
  return request({ path: '/imports/directory/history', schema: DirectoryImportHistorySchema });
}

/** H5 only: lets the user pick one file (the mini-program shows results; uploads are an office task). */
export function pickFile(accept: string): Promise<File | null> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.onchange = () => resolve(input.files?.[0] ?? null);
    input.click();
  });
}

/** Multipart upload through the one request layer (token, re-login on 401, the contract's errors), parsed with the shared schema. */
async function upload<T>(path: string, file: File, query: Record<string, string>, schema: ZodType<T>): Promise<T> {
  const form = new FormData();
  form.append('file', file, file.name);
  const res = await fetchWithSession(path, query, { method: 'POST', body: form });
  const parsed = schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new ApiError(res.status, 'BAD_RESPONSE', '服务器返回的数据格式有误，请稍后再试');
  return parsed.data;
}

export function importHouseholds(communityOrgId: string, file: File, dryRun: boolean) {
  return upload(`/party-orgs/${communityOrgId}/households/import`, file, { dryRun: String(dryRun) }, HouseholdImportResultSchema);
}

export function importDirectory(file: File, dryRun: boolean) {
  return upload('/imports/directory', file, { dryRun: String(dryRun) }, DirectoryImportResultSchema);
}

/**
 * Fetches an XLSX (or the member's JSON) with the token. H5 saves it under `filename`; the
 * mini-program downloads it to a temporary file and opens it in WeChat's document viewer, whose
 * menu forwards or saves it (the API host must be a downloadFile domain of the mini-program).
 */
export async function download(path: string, query: Record<string, string | undefined>, filename: string): Promise<void> {
  if (!IS_H5) return openInWeapp(path, query, filename);
  const res = await fetchWithSession(path, query);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function openInWeapp(path: string, query: Record<string, string | undefined>, filename: string): Promise<void> {
  const fileType = filename.endsWith('.xlsx') ? 'xlsx' : undefined;
  if (!fileType) throw new ApiError(0, 'BAD_RESPONSE', '请在电脑浏览器中下载该文件');
  const tempFilePath = await downloadWithSession(path, query);
  await Taro.openDocument({ filePath: tempFilePath, fileType, showMenu: true });
}

export const TEMPLATE_PATHS = { households: '/imports/households/template.xlsx', directory: '/imports/directory/template.xlsx' } as const;
export { API_ROOT };
