import type { Category } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { tasksRepositoryFactory } from './tasks-repository';

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
