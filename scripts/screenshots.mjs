// `npm run screenshots`: runs the end-to-end test with its screenshots written to docs/screenshots
// (the copies the README shows) instead of the git-ignored tests/e2e/.tmp/screenshots.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const run = spawnSync(process.execPath, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--selectProjects', 'e2e'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, E2E_SCREENSHOT_DIR: path.join(root, 'docs', 'screenshots') },
});
process.exit(run.status ?? 1);
