import { MemberUpsertBodySchema, PHONE_PATTERN, type Category, type MemberUpsertBody } from '@pioneer/shared';

export interface RegisterForm {
  name: string;
  phone: string;
  unitOrgId: string;
  unitOrgName: string;
  workUnit: string;
  communityOrgId: string;
  estateId: string;
  building: string;
  unitNo: string;
  room: string;
  intentions: Category[];
  consent: boolean;
}

export type RegisterField = keyof RegisterForm;
export type RegisterErrors = Partial<Record<RegisterField, string>>;

export const EMPTY_REGISTER_FORM: RegisterForm = {
  name: '',
  phone: '',
  unitOrgId: '',
  unitOrgName: '',
  workUnit: '',
  communityOrgId: '',
  estateId: '',
  building: '',
  unitNo: '',
  room: '',
  intentions: [],
  consent: false,
};

/** Messages the member reads; the zod schema stays the final guard before the request. */
export function validateRegisterForm(form: RegisterForm): RegisterErrors {
  const errors: RegisterErrors = {};
  const name = form.name.trim();
  if (name.length < 2 || name.length > 20) errors.name = '请输入 2–20 个字的真实姓名';
  if (!PHONE_PATTERN.test(form.phone.trim())) errors.phone = '请输入正确的手机号';
  if (!form.unitOrgId) errors.unitOrgId = '请选择组织关系所在党组织';
  const workUnit = form.workUnit.trim();
  if (workUnit.length < 2 || workUnit.length > 60) errors.workUnit = '请填写工作单位及职务';
  if (!form.communityOrgId) errors.communityOrgId = '请扫描社区报到二维码进入';
  if (!form.estateId) errors.estateId = '请选择居住小区';
  if (!form.building.trim()) errors.building = '请填写楼栋';
  if (!form.unitNo.trim()) errors.unitNo = '请填写单元';
  if (!form.room.trim()) errors.room = '请填写门牌号';
  if (form.intentions.length === 0) errors.intentions = '请至少选择一项服务意向';
  if (!form.consent) errors.consent = '请阅读并同意《个人信息使用说明》';
  return errors;
}

/** Fields in the order the form shows them: the first with an error is where the page scrolls. */
export const REGISTER_FIELD_ORDER: RegisterField[] = [
  'name',
  'phone',
  'unitOrgId',
  'workUnit',
  'communityOrgId',
  'estateId',
  'building',
  'unitNo',
  'room',
  'intentions',
  'consent',
];

export function firstError(errors: RegisterErrors): RegisterField | null {
  return REGISTER_FIELD_ORDER.find((f) => errors[f]) ?? null;
}

export function toUpsertBody(form: RegisterForm, consentVersion: string): MemberUpsertBody {
  return MemberUpsertBodySchema.parse({
    name: form.name,
    phone: form.phone,
    unitOrgId: form.unitOrgId,
    workUnit: form.workUnit,
    communityOrgId: form.communityOrgId,
    estateId: form.estateId,
    building: form.building,
    unitNo: form.unitNo,
    room: form.room,
    intentions: form.intentions,
    consentVersion,
  });
}

/** The community code arrives as `code` (H5), `scene` (mini-program code) or `q` (scanned URL). */
export function registerCodeFromParams(params: Record<string, string | undefined>): string | null {
  if (params.code) return decodeURIComponent(params.code);
  if (params.scene) return decodeURIComponent(params.scene);
  if (params.q) {
    const url = decodeURIComponent(params.q);
    const match = url.match(/\/r\/([^/?#]+)/) ?? url.match(/[?&]code=([^&#]+)/);
    if (match) return decodeURIComponent(match[1]);
  }
  return null;
}
