// The server compiled ahead for `npm start`: esbuild bundles server/src (and the shared package)
// into server/dist/server.js, npm packages left outside. Loading that is a second or two where tsx
// transpiling ~200 files on a cold cache (a fresh install, or after a pull) took 20 s and more on
// a busy 2-core machine. The bundle is a cache: rebuilt only when one of its inputs changed
// (checked by size and mtime, a few ms), and `npm start` falls back to tsx if it cannot be built.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'server', 'dist');
const metaFile = path.join(outdir, 'inputs.json');
export const SERVER_BUNDLE = path.join(outdir, 'server.js');

const fingerprint = async (files) =>
  Promise.all(
    files.map(async (f) => {
      const s = await stat(path.join(root, f));
      return [f, s.size, s.mtimeMs];
    }),
  );

async function fresh() {
  const meta = await readFile(metaFile, 'utf8').then(JSON.parse, () => null);
  if (!meta || meta.root !== root) return false;
  const now = await fingerprint(meta.inputs.map(([f]) => f)).catch(() => null);
  return now !== null && JSON.stringify(now) === JSON.stringify(meta.inputs);
}

/**
 * Source files that use `__dirname` find the repository's folders relative to themselves
 * (migrations, assets, the H5 build): inside the bundle they keep their own folder, so the
 * bundle may live anywhere.
 */
const keepDirname = {
  name: 'keep-dirname',
  setup(build) {
    build.onLoad({ filter: /[\\/](server|shared)[\\/].*\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('__dirname')) return undefined;
      return { contents: source.replaceAll(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))), loader: 'ts' };
    });
  },
};

/** Builds server/dist unless it is up to date; returns the bundle's path. Throws when esbuild cannot. */
export async function buildServer({ log = () => {} } = {}) {
  if (await fresh()) return SERVER_BUNDLE;
  const started = Date.now();
  const esbuild = await import('esbuild');
  const worker = path.join(outdir, 'demo', 'history-worker.js');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { server: 'server/src/server.ts', 'demo/history-worker': 'server/src/demo/history-worker.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // npm packages load from node_modules as they are; the shared workspace is TypeScript: compiled in.
    packages: 'external',
    alias: { '@pioneer/shared': './shared/src/index.ts' },
    define: { __HISTORY_WORKER__: JSON.stringify(worker) },
    plugins: [keepDirname],
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  // Several starts at once (the e2e suite) may build together: each file appears whole, by rename.
  const tag = `${process.pid}-${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 6)}`;
  for (const file of result.outputFiles) {
    await mkdir(path.dirname(file.path), { recursive: true });
    await writeFile(`${file.path}.${tag}`, file.contents);
    await rename(`${file.path}.${tag}`, file.path);
  }
  const inputs = [...Object.keys(result.metafile.inputs), path.relative(root, import.meta.filename)];
  await writeFile(`${metaFile}.${tag}`, JSON.stringify({ root, inputs: await fingerprint(inputs) }));
  await rename(`${metaFile}.${tag}`, metaFile);
  log(`Compiled the server in ${((Date.now() - started) / 1000).toFixed(1)} s (server/dist).`);
  return SERVER_BUNDLE;
}
