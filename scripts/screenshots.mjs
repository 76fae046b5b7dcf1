// `npm run screenshots [-- --dashboards]`: walks every role's day (tests/e2e/*.e2e.test.ts, one file
// at a time, each on its own `npm start` with the demo city) with the screenshots written to
// docs/screenshots (the copies the README shows) instead of the git-ignored tests/e2e/.tmp/screenshots.
// The pictures come from the demo's sign-ins and its history, never from test fixtures.
// `--dashboards` adds the dashboards of a city generated at full scale (scripts/dashboard-screenshots.ts),
// which overwrite the demo's 20-…24-*.png. Needs the H5 build (npm run build:h5).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, E2E_SCREENSHOT_DIR: path.join(root, 'docs', 'screenshots') };
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');

const walks = readdirSync(path.join(root, 'tests', 'e2e'))
  .filter((f) => f.endsWith('.e2e.test.ts'))
  .sort();
let failed = 0;
for (const file of walks) {
  console.log(`screenshots: ${file}`);
  // One file at a time: each starts its own server, and a loaded machine runs them faster in turn.
  if (run([jest, path.join('tests', 'e2e', file), '--selectProjects', 'e2e', '--runInBand']) !== 0) failed++;
}
if (failed) {
  console.error(`screenshots: ${failed} walk(s) failed; their pictures may be missing or stale`);
  process.exit(1);
}
if (process.argv.includes('--dashboards')) process.exit(run(['--import', 'tsx', path.join(root, 'scripts', 'dashboard-screenshots.ts')]));
