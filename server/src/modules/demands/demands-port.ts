import type { DemandsRepository } from './demands-repository';

/** A user's demands, read for its export and detached from it in 注销 (app.ts hands the repository itself). */
export type DemandsPersonalDataPort = Pick<DemandsRepository, 'byUser' | 'detachUser'>;
