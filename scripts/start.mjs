// `npm start`: builds the H5 client once if it is missing, then runs the server
// (API + H5 at http://127.0.0.1:3000) on the embedded PostgreSQL unless DATABASE_URL is set.
// `--api-only` (npm run start:server) skips the H5 build.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const apiOnly = process.argv.includes('--api-only');
if (!apiOnly && !existsSync(path.join(root, 'client', 'dist', 'h5', 'index.html'))) {
  // One line of progress: Taro's hundreds of lines of build output are shown only when it fails.
  process.stdout.write('Building the H5 client (first start only, about a minute)… ');
  const started = Date.now();
  // A production bundle whatever the caller's environment (under jest, Taro's babel preset would
  // otherwise ask for the dev-only react-refresh).
  const build = spawnSync(npm, ['run', 'build:h5'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: '0' },
  });
  if (build.status === 0) {
    console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  } else {
    console.log('failed');
    console.error(`${build.stdout ?? ''}${build.stderr ?? ''}`.split('\n').slice(-60).join('\n'));
    console.error('H5 build failed (its last lines are above); starting the API alone.');
  }
}

// V8 flags measured for claim bursts (see the file's "why").
const { flags } = JSON.parse(readFileSync(path.join(root, 'server', 'node-flags.json'), 'utf8'));
const server = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(root, 'server', 'src', 'server.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
