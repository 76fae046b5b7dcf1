// Unpacks the Chromium shipped inside the @sparticuz/chromium tarball (no download) and prints
// where it is as JSON. A child process because the package is ESM only and jest runs CommonJS.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import chromium, { inflate } from '@sparticuz/chromium';

const executablePath = await chromium.executablePath();
// The NSS and expat libraries it links against, also in the tarball, for machines without them.
// The package root is found by walking up from its entry point: builds have put that entry at
// different depths (build/index.js, build/esm/index.js).
let root = path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium'));
while (!existsSync(path.join(root, 'package.json'))) root = path.dirname(root);
const binDir = path.join(root, 'bin');
const libRoot = await inflate(path.join(binDir, 'al2023.tar.br'));
const libDir = path.join(libRoot, 'lib');
process.stdout.write(JSON.stringify({ executablePath, libDir: existsSync(libDir) ? libDir : null }));
