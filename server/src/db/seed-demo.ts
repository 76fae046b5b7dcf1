import type { Config } from '../config';
import type { Db } from './client';

/** Placeholder until the directory module lands: loads Changshu's demo data once. */
export async function seedDemo(_db: Db, _config: Config): Promise<void> {}
