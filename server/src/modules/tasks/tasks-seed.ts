import type { Category } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { tasksRepositoryFactory } from './tasks-repository';
import type { Tx } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import type { DirectoryPort } from '../directory/directory-port';
import { tasksServiceFactory } from './tasks-service';

export interface EndedDemoPost {
  title: string;
  category: Category;
  description: string;
  location: string;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
}

/**
 * Posts of the demo community that already ended (the demo's service records need some: the
 * API publishes posts ahead only). Written through the tasks repository, the owner of `tasks`;
 * nobody claimed them, so records on them come from 补记 and 补录 (modules/records).
 */
export async function seedEndedDemoPosts(
  db: Db,
  c: { communityOrgId: string; createdBy: string; now: Date; posts: EndedDemoPost[] },
  tx: DbOrTx = db,
): Promise<string[]> {
  const repo = tasksRepositoryFactory(db);
  const ids: string[] = [];
  for (const p of c.posts) {
    if (p.endsAt.getTime() > c.now.getTime()) throw new Error(`demo post ${p.title} has not ended`);
    ids.push(
      await repo.insert(
        {
          communityOrgId: c.communityOrgId,
          title: p.title,
          category: p.category,
          description: p.description,
          location: p.location,
          startsAt: p.startsAt,
          endsAt: p.endsAt,
          capacity: p.capacity,
          status: 'ended',
          claimOpensAt: new Date(p.startsAt.getTime() - 3 * 86_400_000),
          createdBy: c.createdBy,
          createdAt: new Date(p.startsAt.getTime() - 4 * 86_400_000),
        },
        tx,
      ),
    );
  }
  return ids;
}

/**
 * The tasks service bound to the demo seed's transaction, for the posts of the demo's unit
 * projects (定向岗位 among them): published through the same checks as the app's, and telling
 * the project (`projects`, the units module's) in the same transaction. Claims are never read
 * or cancelled while seeding; no follower is told of a post that existed before the demo began.
 */
export function tasksSeedService(
  tx: Tx,
  deps: {
    clock: Clock;
    directory: Pick<DirectoryPort, 'findPartyOrg'>;
    projects: NonNullable<Parameters<typeof tasksServiceFactory>[0]['projects']>;
  },
) {
  return tasksServiceFactory({
    db: tx,
    tasksRepository: tasksRepositoryFactory(tx),
    directoryRepository: deps.directory,
    claimsRepository: {
      cancelPost: () => Promise.reject(new Error('the demo seed cancels no post')),
      findMyClaim: async () => null,
    },
    clock: deps.clock,
    projects: deps.projects,
  });
}
