import type { MembersRepository } from './members-repository';

/**
 * What other modules may use of the members module's repository. The lint's dependency rules let only
 * the members module import its repository; app.ts hands the repository itself to the modules that ask
 * for this port, and the port's narrow type keeps them to these methods.
 */
export type MembersPort = Pick<MembersRepository, 'findMemberCards'>;
