import QRCode from 'qrcode';
import type { RegisterInfo, RegisterResolve } from '@pioneer/shared';
import { AppError, notFound } from '../../lib/errors';
import { newRegisterCode, REGISTER_CODE_PATTERN } from '../../lib/register-code';
import type { DirectoryPort, RegisterCodePort } from '../directory/directory-port';

export const registerPagePath = (code: string) => `/#/pages/register/index?code=${encodeURIComponent(code)}`;

type Community = { id: string; name: string; districtId: string; registerCode: string | null };

export function registrationServiceFactory(deps: {
  /** Communities and their register codes are the directory's rows. */
  directoryRepository: Pick<DirectoryPort, 'listEstates' | 'findPartyOrg' | 'findDistrict'> & RegisterCodePort;
  publicUrl: string;
}) {
  const repo = deps.directoryRepository;

  async function ensureRegisterCode(community: { id: string; registerCode: string | null }): Promise<string> {
    if (community.registerCode) return community.registerCode;
    const set = await repo.setRegisterCodeIfUnset(community.id, newRegisterCode());
    if (set) return set;
    const again = await deps.directoryRepository.findPartyOrg(community.id);
    if (!again?.registerCode) throw new AppError('INTERNAL_ERROR');
    return again.registerCode;
  }

  return {
    async community(orgId: string): Promise<Community> {
      const org = await deps.directoryRepository.findPartyOrg(orgId);
      if (!org || org.kind !== 'community') throw notFound('社区不存在');
      return org;
    },

    /** What the printable poster names (the route lets the community's secretary or an admin above it ask). */
    async registerInfo(org: Community & { name: string }): Promise<RegisterInfo> {
      const district = await deps.directoryRepository.findDistrict(org.districtId);
      if (!district) throw new AppError('INTERNAL_ERROR');
      const registerCode = await ensureRegisterCode(org);
      return {
        community: { id: org.id, name: org.name, districtId: org.districtId },
        district: { id: district.id, name: district.name },
        registerCode,
        url: `${deps.publicUrl}/r/${registerCode}`,
      };
    },

    /** The community's registration QR (the route lets its secretary or an admin above it ask). */
    async registerQrCode(org: Community, format: 'svg' | 'png'): Promise<{ contentType: string; body: string | Buffer }> {
      const url = `${deps.publicUrl}/r/${await ensureRegisterCode(org)}`;
      const opts = { errorCorrectionLevel: 'M' as const, margin: 2 };
      if (format === 'png') {
        // The "Up" filter suits a QR's repeating rows: a 3 KB image, and ~20x less CPU than pngjs's adaptive default.
        const rendererOpts = { deflateStrategy: 0, filterType: 2 } as { deflateStrategy: number };
        return { contentType: 'image/png', body: await QRCode.toBuffer(url, { ...opts, type: 'png', width: 600, rendererOpts }) };
      }
      return { contentType: 'image/svg+xml; charset=utf-8', body: await QRCode.toString(url, { ...opts, type: 'svg' }) };
    },

    async resolve(code: string): Promise<RegisterResolve> {
      const community = REGISTER_CODE_PATTERN.test(code) ? await repo.findCommunityByRegisterCode(code) : null;
      if (!community) throw notFound('报到二维码无效，请联系社区重新获取');
      const estates = await deps.directoryRepository.listEstates(community.id);
      return { community: { id: community.id, name: community.name, districtId: community.districtId }, estates };
    },
  };
}

export type RegistrationService = ReturnType<typeof registrationServiceFactory>;
