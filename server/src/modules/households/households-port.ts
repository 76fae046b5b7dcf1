import type { HouseholdsRepository } from './households-repository';

/**
 * What other modules may use of the households module's repository. The lint's dependency rules let only
 * the households module import its repository; app.ts hands the repository itself to the modules that ask
 * for this port, and the port's narrow type keeps them to these methods.
 */
export type HouseholdsPort = Pick<HouseholdsRepository, 'memberMatch'>;
