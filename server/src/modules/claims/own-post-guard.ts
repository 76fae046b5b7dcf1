import { forbidden } from '../../lib/errors';
import { isSecretaryOf } from '../../lib/scope';
import { scopeGuard } from '../../plugins/auth';
import type { TaskRow } from '../tasks/task-mappers';

/** The post named in the path (`:id`), for its community's secretary only: others learn nothing more than 403. */
export const ownPostGuard = (loadPost: (id: string) => Promise<TaskRow>) =>
  scopeGuard(
    async (request, p) => {
      const task = await loadPost((request.params as { id: string }).id);
      if (!isSecretaryOf(p, task.communityOrgId)) throw forbidden('只有本社区书记可以管理该岗位');
      return task;
    },
    ['FORBIDDEN', 'NOT_FOUND'],
  );
