import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client';

/**
 * Read-only gauges for operators. They count rows of other modules' tables (outbox, roll-up queue,
 * pg-boss jobs) without writing any, so they live here rather than in each owner.
 */
export function metricsRepositoryFactory(db: Db) {
  return {
    async outboxBacklog(): Promise<number> {
      const r = await db.execute<{ n: number }>(sql`select count(*)::int as n from notification_outbox where relayed_at is null`);
      return r.rows[0].n;
    },
    /** Age of the oldest change the roll-up job has not taken in yet (0: up to date). */
    async rollupLagSeconds(): Promise<number> {
      const r = await db.execute<{ s: number }>(
        sql`select coalesce(extract(epoch from now() - min(queued_at)), 0)::float8 as s from rollup_queue`,
      );
      return r.rows[0].s;
    },
    /** Jobs waiting or running per pg-boss queue; empty before the first worker created pg-boss's schema. */
    async queueSizes(): Promise<{ queue: string; state: string; count: number }[]> {
      const exists = await db.execute<{ ok: boolean }>(sql`select to_regclass('pgboss.job') is not null as ok`);
      if (!exists.rows[0].ok) return [];
      const r = await db.execute<{ queue: string; state: string; count: number }>(
        sql`select name as queue, state::text as state, count(*)::int as count from pgboss.job
            where state in ('created', 'retry', 'active') group by name, state`,
      );
      return r.rows;
    },
  };
}

export type MetricsRepository = ReturnType<typeof metricsRepositoryFactory>;
