import type { WhistleStatsRepository } from './whistle-stats-repository';

export type { WhistleScope } from './whistle-stats-repository';

/**
 * What other modules (statistics, the 先锋指数) may use of the whistle figures. app.ts hands them the
 * repository itself; this narrow type keeps them to its two methods.
 */
export type WhistleStatsPort = Pick<WhistleStatsRepository, 'figures' | 'figuresByCommunity'>;
