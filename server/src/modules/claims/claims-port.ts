import type { ClaimsRepository } from './claims-repository';
import type { ClaimRecordsRepository } from './claim-records-repository';

/**
 * What other modules may use of the claims module's repository. The lint's dependency rules let only
 * the claims module import its repository; app.ts hands the repository itself to the modules that ask
 * for this port, and the port's narrow type keeps them to these methods.
 */
export type ClaimsPort = Pick<ClaimsRepository, 'cancelPost' | 'findMyClaim' | 'withTransaction' | 'settleNoShows'>;

/** The claim rows a member's service record corrects (modules/records). */
export type ClaimRecordsPort = ClaimRecordsRepository;
export type { RecordTimes } from './claim-records-repository';

/** The claims' part of a member's personal data: read for its export, erased in 注销. */
export type ClaimsPersonalDataPort = Pick<ClaimsRepository, 'personalData' | 'eraseMember'>;
