/**
 * The demo history's loader in a worker thread (started by `seedDemoHistoryInWorker`): generating
 * thousands of members and posts is seconds of synchronous work that would otherwise stall the
 * server's event loop, and with it every request and Fastify's own start-up, on the first start.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDatabase } from '../db/client';
import { seedDemoHistory } from './seed-history';

const { url, phoneEncKey, phoneHashKey } = workerData as { url: string; phoneEncKey: Uint8Array; phoneHashKey: Uint8Array };
const database = createDatabase(url, 2);
seedDemoHistory(database, { phoneEncKey: Buffer.from(phoneEncKey), phoneHashKey: Buffer.from(phoneHashKey) })
  .then(
    (city) => parentPort!.postMessage({ ok: true, members: city.members }),
    (e: unknown) => parentPort!.postMessage({ ok: false, message: e instanceof Error ? e.message : String(e) }),
  )
  .finally(() => database.close());
