import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type pg from 'pg';
import { Gauge } from 'prom-client';
import type { ReadReplicas } from '../../db/read-replicas';
import { AppError } from '../../lib/errors';
import type { MetricsRepository } from './metrics-repository';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * `GET /metrics` in Prometheus text. Gauges that need the database are read when scraped; a
 * database that does not answer leaves them out of that scrape instead of failing it.
 */
export const metricsRoutes: FastifyPluginAsync<{
  pool: pg.Pool;
  replicas: ReadReplicas;
  repo: MetricsRepository;
  token?: string;
  onError(err: Error): void;
}> = async (app, opts) => {
  const registers = [app.metrics.registry];
  const safely = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      opts.onError(err as Error);
    }
  };
  new Gauge({
    name: 'pg_pool_waiting',
    help: 'Requests waiting for a PostgreSQL connection of this process',
    registers,
    collect() {
      this.set(opts.pool.waitingCount);
    },
  });
  new Gauge({
    name: 'pg_pool_total',
    help: 'PostgreSQL connections of this process (idle and busy)',
    registers,
    collect() {
      this.set(opts.pool.totalCount);
    },
  });
  new Gauge({
    name: 'outbox_backlog',
    help: 'Notification events written but not yet relayed to the queue',
    registers,
    async collect() {
      await safely(async () => this.set(await opts.repo.outboxBacklog()));
    },
  });
  new Gauge({
    name: 'rollup_lag_seconds',
    help: 'Age of the oldest change not yet in the statistics roll-ups',
    registers,
    async collect() {
      await safely(async () => this.set(await opts.repo.rollupLagSeconds()));
    },
  });
  new Gauge({
    name: 'replica_lag_seconds',
    help: 'How far each read replica is behind the primary (-1: not answering)',
    labelNames: ['replica'],
    registers,
    collect() {
      for (const r of opts.replicas.status()) this.set({ replica: String(r.index) }, r.lagMs === null ? -1 : r.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'pgboss_queue_jobs',
    help: 'pg-boss jobs waiting or running, by queue and state',
    labelNames: ['queue', 'state'],
    registers,
    async collect() {
      await safely(async () => {
        this.reset();
        for (const q of await opts.repo.queueSizes()) this.set({ queue: q.queue, state: q.state }, q.count);
      });
    },
  });

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary: 'Prometheus 指标',
        description: 'Metrics of this process in Prometheus text format; bearer METRICS_TOKEN when set.',
      },
    },
    async (request, reply) => {
      if (opts.token) {
        const header = request.headers.authorization ?? '';
        const given = header.startsWith('Bearer ') ? header.slice(7) : '';
        if (!sameToken(given, opts.token)) throw new AppError('UNAUTHENTICATED');
      }
      const text = await app.metrics.registry.metrics();
      return reply.header('content-type', app.metrics.registry.contentType).send(text);
    },
  );
};
