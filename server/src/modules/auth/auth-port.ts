import type { AuthRepository } from './auth-repository';

/**
 * What other modules may use of the auth module's repository. The lint's dependency rules let only
 * the auth module import its repository; app.ts hands the repository itself to the modules that ask
 * for this port, and the port's narrow type keeps them to these methods.
 */
export type AuthPort = Pick<AuthRepository, 'grant' | 'loadPrincipal'>;

/** The user's part of its personal data: read for its export, erased in 注销. */
export type AuthPersonalDataPort = Pick<AuthRepository, 'userRecord' | 'grantsOf' | 'eraseIdentity'>;
