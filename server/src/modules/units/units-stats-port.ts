import type { UnitsStatsRepository } from './units-stats-repository';

export type { CommunityNeedsMonth, CommunitySideFigures, UnitSideFigures, UnitsStatsScope } from './units-stats-repository';

/**
 * What statistics (modules/stats) and the 先锋指数+ (modules/assessment) read of 组织报到: the
 * units module's figures, straight from its tables. Only the units module imports its
 * repository; app.ts hands it to them under this narrow type.
 */
export type UnitsStatsPort = Pick<UnitsStatsRepository, 'figures' | 'monthByCommunity'>;
