import type { Tx } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import type { DirectoryPort } from '../directory/directory-port';
import type { Notifier } from '../notifications';
import { agreementsRepositoryFactory } from './agreements-repository';
import { agreementsServiceFactory } from './agreements-service';
import { projectsRepositoryFactory } from './projects-repository';
import { projectsServiceFactory } from './projects-service';

/** The demo's past notifies nobody (as the rest of the demo history): its steps happened before anyone signed in. */
const silent: Notifier = { enqueue: async () => undefined, enqueueMany: async () => undefined };

/**
 * The units module's own services, bound to the demo seed's transaction and a clock the seed sets
 * before every step: the demo's 共建协议, 三张清单 and projects are written by the same code, checks
 * and state machine as the app's, through this module's repositories (which own their tables).
 */
export function unitsSeedServices(tx: Tx, deps: { clock: Clock; phoneEncKey: Buffer; directory: Pick<DirectoryPort, 'findPartyOrg'> }) {
  const agreements = agreementsServiceFactory({
    db: tx,
    agreementsRepository: agreementsRepositoryFactory(tx),
    directoryRepository: deps.directory,
    notifier: silent,
    clock: deps.clock,
    phoneEncKey: deps.phoneEncKey,
  });
  const projects = projectsServiceFactory({
    db: tx,
    projectsRepository: projectsRepositoryFactory(tx),
    agreements,
    directoryRepository: deps.directory,
    notifier: silent,
    clock: deps.clock,
  });
  return { agreements, projects };
}
