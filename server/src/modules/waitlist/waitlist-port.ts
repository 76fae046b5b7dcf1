import type { WaitlistRepository } from './waitlist-repository';

/** The waitlist's part of a member's personal data: read for its export, erased in 注销 (app.ts hands the repository itself). */
export type WaitlistPersonalDataPort = Pick<WaitlistRepository, 'personalData' | 'eraseMember'>;
