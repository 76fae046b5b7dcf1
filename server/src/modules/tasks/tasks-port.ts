import type { TasksRepository } from './tasks-repository';

/**
 * What other modules may use of the tasks module's repository. The lint's dependency rules let only
 * the tasks module import its repository; app.ts hands the repository itself to the modules that ask
 * for this port, and the port's narrow type keeps them to these methods.
 */
export type TasksPort = Pick<TasksRepository, 'liveCounts'>;

/** The posts answering a whistle point at it: a column of the posts, written here. */
export type TasksWhistleLinkPort = Pick<TasksRepository, 'lockForWhistleLink' | 'linkToWhistle'>;
