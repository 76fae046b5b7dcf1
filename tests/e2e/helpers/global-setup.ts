import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Builds the H5 client once if it is missing, outside any hook's timeout: on a fresh machine
 * (or a busy one) the build alone can take minutes.
 */
export default function globalSetup(): void {
  const root = path.resolve(__dirname, '..', '..', '..');
  if (existsSync(path.join(root, 'client', 'dist', 'h5', 'index.html'))) return;
  // jest runs with NODE_ENV=test, under which Taro's babel preset wants the dev-only react-refresh.
  const build = spawnSync('npm', ['run', 'build:h5'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (build.status !== 0) throw new Error('npm run build:h5 failed');
}
