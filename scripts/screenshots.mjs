// `npm run screenshots [-- --dashboards-only]`: runs the end-to-end test with its screenshots
// written to docs/screenshots (the copies the README shows) instead of the git-ignored
// tests/e2e/.tmp/screenshots, then the dashboards on a seeded city (scripts/dashboard-screenshots.ts).
// Both need the H5 build (npm run build:h5).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const env = { ...process.env, E2E_SCREENSHOT_DIR: path.join(root, 'docs', 'screenshots') };
const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;

if (!process.argv.includes('--dashboards-only')) {
  const e2e = run([path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--selectProjects', 'e2e']);
  if (e2e !== 0) process.exit(e2e);
}
process.exit(run(['--import', 'tsx', path.join(root, 'scripts', 'dashboard-screenshots.ts')]));
