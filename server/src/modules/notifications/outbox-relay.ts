import type { Db } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { PipelineRepository } from './pipeline-repository';
import { executorOf, QUEUES, type PipelineQueue } from './pipeline-queues';

const RELAY_BATCH = 500;

/**
 * The outbox relay: unrelayed outbox rows become `notify-event` jobs, each batch in one
 * transaction that queues the jobs (job id = outbox id) and marks the rows relayed, so a row is
 * queued exactly once however many processes relay.
 */
export function outboxRelayFactory(deps: { db: Db; repo: PipelineRepository; queue: PipelineQueue }) {
  const { repo, queue } = deps;
  let relaying: Promise<number> | null = null;

  /** Moves unrelayed outbox rows into the event queue; answers how many. */
  async function relayBatch(): Promise<number> {
    if (!(await repo.hasUnrelayed()) || !queue.boss) return 0;
    const b = queue.boss;
    const moved = await transaction(deps.db, async (tx) => {
      const rows = await repo.takeUnrelayed(tx, RELAY_BATCH);
      if (rows.length === 0) return 0;
      await b.insert(
        rows.map((r) => ({ id: r.id, name: QUEUES.event, data: { key: r.key, kind: r.kind, payload: r.payload } })),
        { db: executorOf(tx) },
      );
      await repo.markRelayed(
        tx,
        rows.map((r) => r.id),
      );
      return rows.length;
    });
    if (moved > 0 && queue.eventWorker) b.notifyWorker(queue.eventWorker);
    return moved;
  }

  return {
    /** Relays until the outbox is empty; concurrent callers share one run. */
    relay(): Promise<number> {
      if (!relaying) {
        relaying = (async () => {
          let total = 0;
          for (;;) {
            const n = await relayBatch();
            total += n;
            if (n < RELAY_BATCH) return total;
          }
        })().finally(() => {
          relaying = null;
        });
      }
      return relaying;
    },

    /** Resolves once a run under way has ended (however it ended): a stop waits for it. */
    async settled(): Promise<void> {
      await relaying?.catch(() => {});
    },
  };
}

export type OutboxRelay = ReturnType<typeof outboxRelayFactory>;
