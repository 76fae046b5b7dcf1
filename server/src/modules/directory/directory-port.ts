import type { DirectoryRepository } from './directory-repository';

/**
 * What other modules may use of the directory module's repository. The lint's dependency rules let only
 * the directory module import its repository; app.ts hands the repository itself to the modules that ask
 * for this port, and the port's narrow type keeps them to these methods (reads: the directory writes its own tables).
 */
export type DirectoryPort = Pick<DirectoryRepository, 'findPartyOrg' | 'findDistrict' | 'listEstates'>;

/** What a directory import writes, through the directory's repository, in the import's transaction. */
export type DirectoryImportPort = Pick<
  DirectoryRepository,
  'lockForImport' | 'snapshot' | 'insertDistrict' | 'insertPartyOrg' | 'moveOrg' | 'insertEstates'
>;

/** Register codes are a column of the directory's communities. */
export type RegisterCodePort = Pick<DirectoryRepository, 'findCommunityByRegisterCode' | 'setRegisterCodeIfUnset'>;
