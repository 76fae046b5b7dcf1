import { sql } from 'drizzle-orm';
import { currentRequestPrefersPrimary } from '../lib/request-context';
import { createDatabase, type Database, type Db } from './client';

export interface ReplicaStatus {
  /** Position in `DATABASE_REPLICA_URLS` (URLs carry passwords: never shown). */
  index: number;
  /** How far behind the primary the replica is; null while it does not answer. */
  lagMs: number | null;
  /** Answers and is within `REPLICA_MAX_LAG_MS`: reads may go there. */
  usable: boolean;
}

export interface ReadReplicas {
  /**
   * Where statistics, dashboards, rankings and exports read: a usable replica, or the primary when
   * none is usable or the current caller has just written. Chosen per call, so one object can be
   * handed to repositories once.
   */
  readDb: Db;
  status(): ReplicaStatus[];
  /** Measures every replica's lag now (the timer does it every second). */
  refresh(): Promise<void>;
  start(): void;
  close(): Promise<void>;
}

const PROBE_MS = 1000;

/**
 * Lag as PostgreSQL reports it: zero when the replica has replayed everything the primary has
 * written (an idle primary makes `pg_last_xact_replay_timestamp()` look old), else the age of the
 * last transaction it replayed.
 */
async function replicaLagMs(primary: Db, replica: Db): Promise<number> {
  const p = await primary.execute<{ lsn: string }>(sql`select pg_current_wal_lsn()::text as lsn`);
  const r = await replica.execute<{ behind: string | null; ageMs: number | null; recovering: boolean }>(
    sql`select pg_wal_lsn_diff(${p.rows[0].lsn}::pg_lsn, pg_last_wal_replay_lsn())::text as behind,
               (extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8 as "ageMs",
               pg_is_in_recovery() as recovering`,
  );
  const row = r.rows[0];
  if (!row.recovering) throw new Error('not a replica');
  if (row.behind === null || Number(row.behind) <= 0) return 0;
  return Math.max(0, Math.round(row.ageMs ?? 0));
}

export function readReplicasFactory(opts: {
  primary: Database;
  urls: string[];
  maxLagMs: number;
  poolSize: number;
  onError?(err: Error, index: number): void;
}): ReadReplicas {
  const replicas = opts.urls.map((url) => createDatabase(url, opts.poolSize));
  const lag: (number | null)[] = replicas.map(() => null);
  let next = 0;
  let timer: NodeJS.Timeout | null = null;

  const usable = (i: number) => lag[i] !== null && lag[i]! <= opts.maxLagMs;

  const choose = (): Db => {
    if (replicas.length === 0 || currentRequestPrefersPrimary()) return opts.primary.db;
    for (let k = 0; k < replicas.length; k++) {
      const i = (next + k) % replicas.length;
      if (usable(i)) {
        next = i + 1;
        return replicas[i].db;
      }
    }
    return opts.primary.db;
  };

  // Each property is taken from the database chosen at that moment, bound to it, so one call
  // (`execute`, `select`, …) never mixes two databases.
  const readDb = new Proxy({} as Db, {
    get(_target, prop) {
      const db = choose() as unknown as Record<string | symbol, unknown>;
      const value = db[prop];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(db) : value;
    },
  });

  const refresh = async () => {
    await Promise.all(
      replicas.map(async (replica, i) => {
        try {
          lag[i] = await replicaLagMs(opts.primary.db, replica.db);
        } catch (err) {
          lag[i] = null;
          opts.onError?.(err as Error, i);
        }
      }),
    );
  };

  return {
    readDb,
    status: () => replicas.map((_, i) => ({ index: i, lagMs: lag[i], usable: usable(i) })),
    refresh,
    start() {
      if (replicas.length === 0 || timer) return;
      void refresh();
      timer = setInterval(() => void refresh(), PROBE_MS);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.all(replicas.map((r) => r.close().catch(() => {})));
    },
  };
}
