import {
  ClaimCreateResponseSchema,
  ClaimResponseSchema,
  DrawEntryResponseSchema,
  DrawSchema,
  MemberResponseSchema,
  WaitlistEntryResponseSchema,
  WaitlistQueueSchema,
} from '@pioneer/shared';
import { request } from './http';

export function joinWaitlist(taskId: string) {
  return request({ method: 'POST', path: `/tasks/${taskId}/waitlist`, schema: WaitlistEntryResponseSchema }).then((r) => r.entry);
}

export function leaveWaitlist(taskId: string) {
  return request({ method: 'DELETE', path: `/tasks/${taskId}/waitlist/me`, schema: WaitlistEntryResponseSchema }).then((r) => r.entry);
}

export function acceptOffer(taskId: string) {
  return request({ method: 'POST', path: `/tasks/${taskId}/waitlist/me/accept`, schema: ClaimCreateResponseSchema });
}

export function declineOffer(taskId: string) {
  return request({ method: 'POST', path: `/tasks/${taskId}/waitlist/me/decline`, schema: WaitlistEntryResponseSchema }).then(
    (r) => r.entry,
  );
}

export function enterDraw(taskId: string, nonce: string) {
  return request({ method: 'POST', path: `/tasks/${taskId}/entries`, data: { nonce }, schema: DrawEntryResponseSchema }).then(
    (r) => r.entry,
  );
}

export function withdrawDraw(taskId: string) {
  return request({ method: 'DELETE', path: `/tasks/${taskId}/entries/me`, schema: DrawEntryResponseSchema }).then((r) => r.entry);
}

export function getDraw(taskId: string) {
  return request({ path: `/tasks/${taskId}/draw`, schema: DrawSchema });
}

export function releaseClaim(taskId: string, claimId: string, reason: string) {
  return request({ method: 'DELETE', path: `/tasks/${taskId}/claims/${claimId}`, data: { reason }, schema: ClaimResponseSchema }).then(
    (r) => r.claim,
  );
}

export function excuseNoShow(taskId: string, claimId: string, reason: string) {
  return request({ method: 'POST', path: `/tasks/${taskId}/claims/${claimId}/excuse`, data: { reason }, schema: ClaimResponseSchema }).then(
    (r) => r.claim,
  );
}

/** The member's standing under the no-show policy (from `GET /members/me`). */
export function getMyStanding() {
  return request({ path: '/members/me', schema: MemberResponseSchema }).then((r) => r.standing ?? null);
}

/** The post's 候补 queue (its secretary): offers with deadlines, the waiting order, names masked. */
export function getWaitlistQueue(taskId: string) {
  return request({ path: `/tasks/${taskId}/waitlist`, schema: WaitlistQueueSchema });
}
