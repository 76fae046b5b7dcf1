import {
  CertificateListSchema,
  CertificateResponseSchema,
  CertificateSettingsResponseSchema,
  CorrectionListSchema,
  CorrectionResponseSchema,
  MyPointsSchema,
  PointsRulesResponseSchema,
  RecordHistorySchema,
  RecordsSchema,
  CommunityRedemptionListSchema,
  RedemptionListSchema,
  RedemptionResponseSchema,
  RewardListSchema,
  RewardResponseSchema,
  SecretaryRecordResponseSchema,
  type CertificateCreateBody,
  type CertificateSettingsBody,
  type CorrectionApproveBody,
  type CorrectionCreateBody,
  type CorrectionStatus,
  type PointsRules,
  type RewardCreateBody,
  type RewardPatchBody,
  type SecretaryRecordBody,
} from '@pioneer/shared';
import Taro from '@tarojs/taro';
import { IS_H5 } from './config';
import { downloadWithSession, fetchWithSession, newIdempotencyKey, request } from './http';

/* 服务记录 (Contract v3): records, history, corrections and 补录, 补记. */

export function getRecords(query: { from?: string; to?: string; cursor?: string } = {}) {
  return request({ path: '/members/me/records', query, schema: RecordsSchema });
}

export function getRecordHistory(recordId: string) {
  return request({ path: `/records/${recordId}/history`, schema: RecordHistorySchema });
}

export function askCorrection(body: CorrectionCreateBody) {
  return request({ method: 'POST', path: '/members/me/corrections', data: body, schema: CorrectionResponseSchema }).then(
    (r) => r.correction,
  );
}

export function getMyCorrections() {
  return request({ path: '/members/me/corrections', schema: CorrectionListSchema }).then((r) => r.items);
}

export function listCorrections(orgId: string, status?: CorrectionStatus) {
  return request({ path: `/party-orgs/${orgId}/corrections`, query: { status }, schema: CorrectionListSchema }).then((r) => r.items);
}

export function approveCorrection(id: string, body: CorrectionApproveBody) {
  return request({ method: 'POST', path: `/corrections/${id}/approve`, data: body, schema: CorrectionResponseSchema }).then(
    (r) => r.correction,
  );
}

export function rejectCorrection(id: string, note: string) {
  return request({ method: 'POST', path: `/corrections/${id}/reject`, data: { note }, schema: CorrectionResponseSchema }).then(
    (r) => r.correction,
  );
}

export function recordBySecretary(taskId: string, body: SecretaryRecordBody) {
  return request({ method: 'POST', path: `/tasks/${taskId}/records`, data: body, schema: SecretaryRecordResponseSchema }).then(
    (r) => r.items,
  );
}

/* 志愿服务记录证明. */

export function requestCertificate(body: CertificateCreateBody) {
  return request({ method: 'POST', path: '/members/me/certificates', data: body, schema: CertificateResponseSchema }).then(
    (r) => r.certificate,
  );
}

export function getMyCertificates() {
  return request({ path: '/members/me/certificates', schema: CertificateListSchema }).then((r) => r.items);
}

/**
 * Opens a certificate's PDF: H5 fetches it with the token and opens it (a download where the browser
 * does not show PDFs); the mini-program downloads it and opens WeChat's document viewer.
 */
export async function openCertificatePdf(no: string): Promise<void> {
  const path = `/certificates/${no}/pdf`;
  if (!IS_H5) {
    const filePath = await downloadWithSession(path, undefined);
    await Taro.openDocument({ filePath, fileType: 'pdf', showMenu: true });
    return;
  }
  const res = await fetchWithSession(path, undefined);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `志愿服务记录证明_${no}.pdf`;
  a.target = '_blank';
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function getCertificateSettings(orgId: string) {
  return request({ path: `/party-orgs/${orgId}/certificate-settings`, schema: CertificateSettingsResponseSchema }).then((r) => r.settings);
}

export function putCertificateSettings(orgId: string, body: CertificateSettingsBody) {
  return request({
    method: 'PUT',
    path: `/party-orgs/${orgId}/certificate-settings`,
    data: body,
    schema: CertificateSettingsResponseSchema,
  }).then((r) => r.settings);
}

/* 积分, 星级, 爱心超市. */

export function getMyPoints(cursor?: string) {
  return request({ path: '/members/me/points', query: { cursor }, schema: MyPointsSchema });
}

export function getPointsRules() {
  return request({ path: '/points/rules', schema: PointsRulesResponseSchema });
}

export function putPointsRules(rules: PointsRules) {
  return request({ method: 'PUT', path: '/points/rules', data: rules, schema: PointsRulesResponseSchema });
}

export function listRewards(orgId: string) {
  return request({ path: `/party-orgs/${orgId}/rewards`, schema: RewardListSchema }).then((r) => r.items);
}

export function createReward(orgId: string, body: RewardCreateBody) {
  return request({ method: 'POST', path: `/party-orgs/${orgId}/rewards`, data: body, schema: RewardResponseSchema }).then((r) => r.reward);
}

/** POST twin of `PATCH /rewards/:id` (WeChat's request has no PATCH). */
export function patchReward(id: string, body: RewardPatchBody) {
  return request({ method: 'POST', path: `/rewards/${id}/edit`, data: body, schema: RewardResponseSchema }).then((r) => r.reward);
}

/** One key per attempt at a redemption: a retried request (lost answer) redeems once. */
export function redeemReward(rewardId: string, code: string, idempotencyKey = newIdempotencyKey()) {
  return request({
    method: 'POST',
    path: `/rewards/${rewardId}/redemptions`,
    data: { code: code.trim() },
    headers: { 'Idempotency-Key': idempotencyKey },
    schema: RedemptionResponseSchema,
  });
}

/** The community's 爱心超市 redemptions, newest first (its secretary). */
export function getCommunityRedemptions(orgId: string) {
  return request({ path: `/party-orgs/${orgId}/redemptions`, schema: CommunityRedemptionListSchema }).then((r) => r.items);
}

export function getMyRedemptions() {
  return request({ path: '/members/me/redemptions', schema: RedemptionListSchema }).then((r) => r.items);
}

/**
 * Lets the secretary pick the seal image and returns its bytes (null when nothing was picked):
 * H5 through a file input, the mini-program from the album or camera, original size (no re-encoding).
 */
export async function pickSealBytes(): Promise<Uint8Array | null> {
  if (IS_H5) {
    const file = await new Promise<File | null>((resolve) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = 'image/png';
      input.onchange = () => resolve(input.files?.[0] ?? null);
      input.click();
    });
    return file ? new Uint8Array(await file.arrayBuffer()) : null;
  }
  let path: string;
  try {
    path = (await Taro.chooseImage({ count: 1, sizeType: ['original'], sourceType: ['album', 'camera'] })).tempFilePaths[0];
  } catch {
    return null; // closed without picking
  }
  const data = Taro.getFileSystemManager().readFileSync(path) as ArrayBuffer;
  return new Uint8Array(data);
}
