import type { RoleGrant } from '@pioneer/shared';

/**
 * Who is calling: loaded once per request from the database, so new grants apply at once. Here
 * rather than in the auth plugin so that helpers (lib/scope.ts) and modules read it without
 * importing the plugin.
 */
export interface Principal {
  userId: string;
  roles: RoleGrant[];
  memberId: string | null;
  memberCommunityOrgId: string | null;
  tokenVersion: number;
}
