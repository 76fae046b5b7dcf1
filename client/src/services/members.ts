import {
  MemberResponseSchema,
  MemberUpsertResponseSchema,
  MyClaimsSchema,
  PioneerCodeResponseSchema,
  PioneerCodeVerifyResponseSchema,
  PhoneNumberResponseSchema,
  RecordsSchema,
  type MemberUpsertBody,
} from '@pioneer/shared';
import { request } from './http';
import { replaceToken, updateUser } from './session';

export function getMyMember() {
  return request({ path: '/members/me', schema: MemberResponseSchema }).then((r) => r.member);
}

export async function saveMyMember(body: MemberUpsertBody) {
  const { member, session } = await request({ method: 'PUT', path: '/members/me', data: body, schema: MemberUpsertResponseSchema });
  if (session) replaceToken(session.token);
  updateUser({ memberId: member.id });
  return member;
}

export function getPioneerCode() {
  return request({ path: '/members/me/pioneer-code', schema: PioneerCodeResponseSchema });
}

export function verifyPioneerCode(token: string) {
  return request({
    method: 'POST',
    path: '/pioneer-codes/verify',
    data: { token: token.trim() },
    schema: PioneerCodeVerifyResponseSchema,
  });
}

/** The number behind WeChat's getPhoneNumber button (its one-time code, exchanged by the server). */
export function exchangePhoneCode(code: string) {
  return request({ method: 'POST', path: '/members/me/phone-number', data: { code }, schema: PhoneNumberResponseSchema }).then(
    (r) => r.phone,
  );
}

export function getMyRecords() {
  return request({ path: '/members/me/records', schema: RecordsSchema });
}

/** Live claims on posts not yet over (records are completed claims only). */
export function getMyClaims() {
  return request({ path: '/members/me/claims', schema: MyClaimsSchema });
}
