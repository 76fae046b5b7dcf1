import { StatsDashboardSchema, StatsOverviewSchema, type StatsScope } from '@pioneer/shared';
import { request } from './http';

export function getOverview(scope: StatsScope, id?: string | null) {
  return request({ path: '/stats/overview', query: { scope, id: id ?? undefined }, schema: StatsOverviewSchema });
}

export function getDashboard(scope: StatsScope, id?: string | null) {
  return request({ path: '/stats/dashboard', query: { scope, id: id ?? undefined }, schema: StatsDashboardSchema });
}
