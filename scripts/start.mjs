// `npm start`: runs the server (API + H5 at http://127.0.0.1:3000) on the embedded PostgreSQL
// unless DATABASE_URL is set. On the first start the H5 client is missing: the server starts at once
// (its `/` says the client is being built), the build runs beside it with progress on one line, and
// the server restarts to serve the client when the build is done. `--api-only` (npm run start:server)
// never builds.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServer } from './build-server.mjs';

const root = path.resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const apiOnly = process.argv.includes('--api-only');
const building = !apiOnly && !existsSync(path.join(root, 'client', 'dist', 'h5', 'index.html'));

// V8 flags measured for claim bursts (see the file's "why").
const { flags } = JSON.parse(readFileSync(path.join(root, 'server', 'node-flags.json'), 'utf8'));
let server = null;
let stopping = false;
/** The H5 build of a first start, in its own process group: stopping the server stops all of it. */
let build = null;
// The server compiled ahead (cached in server/dist); as TypeScript through tsx if that fails.
const entry = await buildServer({ log: (m) => console.log(m) }).then(
  (bundle) => ['--enable-source-maps', bundle],
  (e) => {
    console.warn(`The server could not be compiled ahead (${e instanceof Error ? e.message.split('\n')[0] : e}); running it with tsx.`);
    return ['--import', 'tsx', path.join(root, 'server', 'src', 'server.ts')];
  },
);
const startServer = (env) => {
  server = spawn(process.execPath, [...flags, ...entry], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  const mine = server;
  mine.on('exit', (code, signal) => {
    if (mine === server && !stopping) process.exit(code ?? (signal ? 1 : 0));
  });
};
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    stopping = true;
    if (build && build.exitCode === null) {
      try {
        process.kill(process.platform === 'win32' ? build.pid : -build.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    if (!server || server.exitCode !== null) process.exit(0);
    server.once('exit', (code) => process.exit(code ?? 0));
    server.kill(signal);
  });

startServer(building ? { ...process.env, H5_PENDING: 'true' } : process.env);

if (building) {
  console.log('First start: the API starts now; the H5 client is being built beside it (a minute or two).');
  const started = Date.now();
  // A production bundle whatever the caller's environment (under jest, Taro's babel preset would
  // otherwise ask for the dev-only react-refresh).
  build = spawn(npm, ['run', 'build:h5'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group (npm, taro and the compilers it starts), stopped together above.
    detached: process.platform !== 'win32',
  });
  // The API comes first: the build (and the compilers it starts, which inherit this) yields the CPU to it.
  try {
    os.setPriority(build.pid, 10);
  } catch {
    // Not permitted here: the build runs at normal priority.
  }
  let output = '';
  const keep = (d) => {
    output = (output + d.toString()).slice(-200_000);
  };
  build.stdout.on('data', keep);
  build.stderr.on('data', keep);
  // Taro's hundreds of lines are shown only when it fails; meanwhile one line says it is alive.
  const progress = setInterval(() => {
    if (process.stdout.isTTY) process.stdout.write(`\r  building the H5 client… ${Math.round((Date.now() - started) / 1000)} s`);
  }, 1000);
  build.on('exit', (code) => {
    clearInterval(progress);
    if (process.stdout.isTTY) process.stdout.write('\n');
    if (stopping) return;
    if (code !== 0) {
      console.error(output.split('\n').slice(-60).join('\n'));
      console.error('The H5 client could not be built (its last lines are above); the API keeps running.');
      return;
    }
    console.log(`H5 client built in ${Math.round((Date.now() - started) / 1000)} s; restarting the server to serve it…`);
    const old = server;
    server = null;
    old.once('exit', () => {
      if (!stopping) startServer(process.env);
    });
    old.kill('SIGTERM');
  });
}
