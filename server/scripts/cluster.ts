/**
 * `npm run cluster -- --web 3 [--workers 1] [--port 3000] [--data-dir .data/cluster]`: the system as a
 * city runs it, on one machine: PostgreSQL primary + streaming replica, Redis, N web processes and
 * one or more workers behind nginx. Ctrl-C stops everything.
 */
import { parseArgs } from 'node:util';
import { startCluster } from './cluster/start-cluster';

async function main() {
  const { values } = parseArgs({
    options: {
      web: { type: 'string', default: '3' },
      workers: { type: 'string', default: '1' },
      port: { type: 'string', default: '3000' },
      'data-dir': { type: 'string', default: '.data/cluster' },
    },
  });
  const web = Number(values.web);
  if (!Number.isInteger(web) || web < 1 || web > 64) throw new Error('--web takes a number of web processes (1–64)');
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) throw new Error('--workers takes a number of worker processes (1–16)');
  const cluster = await startCluster({
    web,
    workers,
    port: Number(values.port),
    dataDir: values['data-dir']!,
    log: (line) => console.log(`· ${line}`),
  });
  console.log(`\n先锋领航·码上到 cluster ready at ${cluster.url}`);
  console.log(`  metrics: ${cluster.url}/api/v1/metrics   health: ${cluster.url}/api/v1/health`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping the cluster…');
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
