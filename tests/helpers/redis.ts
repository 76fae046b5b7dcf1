import { spawnSync } from 'node:child_process';

/**
 * The Redis the rate-limit tests share counters through: `REDIS_URL`, or one answering on
 * 127.0.0.1:6379 (`.ci/run` starts one). Null on a machine with neither; `REQUIRE_REDIS=1` (CI)
 * turns that into a failure instead of a skipped test.
 */
export function testRedisUrl(): string | null {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  // Synchronous, because whether a describe block runs is decided while the file loads.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      "const s=require('net').connect(6379,'127.0.0.1');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1));setTimeout(()=>process.exit(1),1000)",
    ],
    { stdio: 'ignore' },
  );
  if (probe.status === 0) return 'redis://127.0.0.1:6379';
  if (process.env.REQUIRE_REDIS === '1') throw new Error('REQUIRE_REDIS=1 but no Redis answers on REDIS_URL or 127.0.0.1:6379');
  return null;
}
