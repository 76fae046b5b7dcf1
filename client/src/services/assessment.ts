import { OrgIndexSchema, RankingSchema } from '@pioneer/shared';
import { request } from './http';

export function getRanking(opts: { period?: string; districtId?: string | null; limit?: number }) {
  return request({
    path: '/index/ranking',
    query: { period: opts.period, districtId: opts.districtId ?? undefined, limit: opts.limit },
    schema: RankingSchema,
  });
}

export function getOrgIndex(orgId: string, period?: string) {
  return request({ path: `/index/orgs/${orgId}`, query: { period }, schema: OrgIndexSchema });
}

/** YYYY-MM of now in Changshu, and the month before or after one. */
export function currentPeriod(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 7);
}

export function shiftPeriod(period: string, months: number): string {
  const [y, m] = period.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return d.toISOString().slice(0, 7);
}
